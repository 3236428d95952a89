/**
 * Retry and backoff rules, per channel, as pure decisions (docs/alerts.md "Delivery rules"):
 * - Subscribe message: sent → DELIVERED. Timeout / network / system busy (-1) / rate limit (45009) → RETRY
 *   after a backoff (a duplicate message is cheaper than a lost one). 43101 → RETRY waiting for a grant
 *   (the merchant is marked as needing to re-subscribe). Anything else (40003, 40037, 47003, 41030, no
 *   permission) → FAIL with WeChat's errcode.
 * - Printer: ret 0 with a job id → ACCEPTED, then the job is queried: printed → DELIVERED; not yet → RETRY
 *   (query again) until PRINT_CONFIRM_MS has passed → FAIL "not printed" (never reprinted automatically).
 *   Refused (non-zero ret, HTTP error, unreachable: no job was created) → RETRY with backoff. Timeout or an
 *   unreadable answer → FAIL "outcome unknown": Feie has no idempotency key and answered no job id to query,
 *   so a resend could print a second receipt; the merchant sees it and may reprint.
 * - WeCom robot: errcode 0 → DELIVERED; timeout / network / 45009 / HTTP 5xx → RETRY; others → FAIL.
 * - Customer (a subscribe message to the buyer): as a merchant's, except 43101 → FAIL "no grant": the buyer
 *   did not allow (or already used) that template at checkout and cannot be asked again, so nothing waits
 *   and no ledger or re-subscribe mark is touched.
 * Every RETRY counts; after MAX_SENDS sends the delivery FAILs "gave up".
 */
import type { DeliveryEvent } from './delivery-state';
import type { AlertChannel, DeliveryAttempt } from './records';

/** Backoff after the n-th send (1-based): 30 s, 2 min, 10 min, 30 min, 2 h. */
export const BACKOFF_MS = [30_000, 120_000, 600_000, 1_800_000, 7_200_000] as const;
export const MAX_SENDS = 6;
/** How long a 43101 delivery waits before trying again without a recorded grant. */
export const NO_GRANT_WAIT_MS = 6 * 3600_000;
/** Printer: first query of an accepted job after this, then every PRINT_QUERY_MS until PRINT_CONFIRM_MS. */
export const PRINT_QUERY_MS = 20_000;
export const PRINT_CONFIRM_MS = 30 * 60_000;
/** How long a claim lasts: a run that dies holding one leaves it to the next run after this. */
export const CLAIM_MS = 60_000;

export function alertBackoffMs(sends: number): number {
  return BACKOFF_MS[Math.min(Math.max(sends, 1), BACKOFF_MS.length) - 1]!;
}

/** What one send or query produced, in channel-neutral words (the adapters' answers, classified). */
export type SendOutcome =
  | { kind: 'delivered'; message?: string }
  | { kind: 'accepted'; jobId: string }
  | { kind: 'printed' }
  | { kind: 'not-printed' }
  | { kind: 'no-grant'; errCode: number; message: string }
  | { kind: 'refused'; retryable: boolean; errCode?: number; message: string }
  | { kind: 'timeout'; message: string };

export interface Decision {
  event: DeliveryEvent;
  attempt: Omit<DeliveryAttempt, 'at' | 'op'>;
  /** RETRY: when to try next. */
  delayMs?: number;
  waitingForGrant?: boolean;
  failReason?: string;
  jobId?: string;
}

/** The decision for one outcome of a send (`sends` counts this one). */
export function decideSend(channel: AlertChannel, outcome: SendOutcome, sends: number): Decision {
  const retry = (attempt: Decision['attempt']): Decision =>
    sends >= MAX_SENDS
      ? {
          event: 'FAIL',
          attempt,
          failReason: `gave up after ${sends} sends: ${attempt.message ?? attempt.result}`,
        }
      : { event: 'RETRY', attempt, delayMs: alertBackoffMs(sends) };
  switch (outcome.kind) {
    case 'delivered':
      return { event: 'DELIVERED', attempt: { result: 'sent', message: outcome.message } };
    case 'accepted':
      return {
        event: 'ACCEPTED',
        attempt: { result: 'accepted', jobId: outcome.jobId },
        jobId: outcome.jobId,
        delayMs: PRINT_QUERY_MS,
      };
    case 'no-grant':
      if (channel === 'customer')
        return {
          event: 'FAIL',
          attempt: { result: 'no-grant', errCode: outcome.errCode, message: outcome.message },
          failReason: `no grant (${outcome.errCode}): the customer did not allow this template; a customer cannot be asked to re-subscribe`,
        };
      return {
        event: 'RETRY',
        attempt: { result: 'no-grant', errCode: outcome.errCode, message: outcome.message },
        delayMs: NO_GRANT_WAIT_MS,
        waitingForGrant: true,
      };
    case 'refused': {
      const attempt = { result: 'error' as const, errCode: outcome.errCode, message: outcome.message };
      if (!outcome.retryable)
        return {
          event: 'FAIL',
          attempt,
          failReason: `refused (${outcome.errCode ?? '-'}): ${outcome.message}`,
        };
      return retry(attempt);
    }
    case 'timeout': {
      const attempt = { result: 'timeout' as const, message: outcome.message };
      if (channel === 'printer')
        return {
          event: 'FAIL',
          attempt,
          failReason:
            'print outcome unknown (no answer, no job id to query): not reprinted automatically, to avoid a duplicate receipt',
        };
      return retry(attempt);
    }
    case 'printed':
    case 'not-printed':
      throw new Error(`a send cannot answer ${outcome.kind}`);
  }
}

/** The decision for one query of an accepted print job, `acceptedAt` being when Feie took it. */
export function decideQuery(outcome: SendOutcome, acceptedAt: number, now: number): Decision {
  if (outcome.kind === 'printed') return { event: 'DELIVERED', attempt: { result: 'printed' } };
  const late = now - acceptedAt >= PRINT_CONFIRM_MS;
  const attempt: Decision['attempt'] =
    outcome.kind === 'not-printed'
      ? { result: 'not-printed' }
      : {
          result: outcome.kind === 'timeout' ? 'timeout' : 'error',
          message: 'message' in outcome ? outcome.message : undefined,
          errCode: 'errCode' in outcome ? outcome.errCode : undefined,
        };
  if (late)
    return {
      event: 'FAIL',
      attempt,
      failReason: 'accepted by the printer cloud but not printed in time (printer offline or out of paper?)',
    };
  return { event: 'RETRY', attempt, delayMs: PRINT_QUERY_MS };
}
