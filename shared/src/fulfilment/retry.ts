/**
 * What an upload failure means and when to try again (docs/fulfilment.md "Retries"). WeChat's errcodes of
 * upload_shipping_info: 10060001 the payment is not indexed yet (wait, at least a minute by default);
 * 10060023 "not updated" means WeChat already holds exactly this shipment (a retry after a lost answer);
 * system errors, rate limits and lost answers are retried with exponential backoff; anything else is a
 * refusal that retrying cannot fix (bad fields, 10060002/10060003 no reship left, 48001 not enrolled).
 */
export type UploadVerdict =
  | { kind: 'done' }
  | { kind: 'defer'; waitMs: number; error: string }
  | { kind: 'fail'; error: string };

export interface RetryPolicy {
  /** Wait after 10060001 (WeChat: "wait 10 s to 1 minute"); default 60 s. */
  notIndexedRetryMs: number;
  /** First backoff step and the cap (default 30 s doubling up to 30 min). */
  retryBaseMs: number;
  retryMaxMs: number;
}

export const NOT_INDEXED = 10060001;
export const NOT_UPDATED = 10060023;
/** Busy, rate-limited or unknown: the same request may succeed later. */
const TRANSIENT = new Set([-1, 10060012, 10060019, 44990, 45009, -604101]);

export function backoffMs(attempts: number, policy: RetryPolicy): number {
  return Math.min(policy.retryMaxMs, policy.retryBaseMs * 2 ** Math.max(0, Math.min(attempts - 1, 20)));
}

/** The verdict on attempt number `attempts` of an upload that failed with `errcode` (undefined: no answer). */
export function judgeUploadFailure(
  errcode: number | undefined,
  message: string,
  attempts: number,
  policy: RetryPolicy,
): UploadVerdict {
  if (errcode === NOT_UPDATED) return { kind: 'done' };
  const error = message.slice(0, 200);
  if (errcode === NOT_INDEXED) {
    // A minute per try at first; a payment that never gets indexed (paid before the merchant's authorisation)
    // backs off like any other failure and raises SHIPPING_UPLOAD_FAILING.
    const waitMs = Math.min(
      policy.retryMaxMs,
      policy.notIndexedRetryMs * 2 ** Math.max(0, Math.min(attempts - 3, 20)),
    );
    return { kind: 'defer', waitMs, error };
  }
  if (errcode === undefined || TRANSIENT.has(errcode))
    return { kind: 'defer', waitMs: backoffMs(attempts, policy), error };
  return { kind: 'fail', error };
}
