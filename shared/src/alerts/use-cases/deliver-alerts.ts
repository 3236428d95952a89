/**
 * `deliver`: drain the outboxes into the log, take back claims whose holder died, then send what is due —
 * a few at a time, until the due list or the time budget runs out (whatever is left stays due for the
 * next run: payNotify's, reconcile's). Two runs at once are safe: each delivery is claimed before it is
 * sent, so it is sent by one of them only.
 *
 * With `outTradeNo` (payNotify / refundNotify right after their commit) the run is that order's only: its
 * outbox and its refunds', its due deliveries. The general sweep — every other outbox, lapsed claims,
 * anomalies — is reconcile's, so a burst of notifications does not make every one of them sweep for all.
 */
import { InputError } from '../../errors';
import { OUT_TRADE_NO } from '../../wxpay/ids';
import { nextDeliveryStatus } from '../delivery-state';
import type { AlertDeps } from '../deps';
import { decideSend } from '../policy';
import { findDue, findLapsed, finishDelivery } from '../store';
import { drainOutbox } from './drain-outbox';
import { type SendResult, sendDelivery } from './send-delivery';

export interface DeliverInput {
  /** Deliver this order's alerts only (payNotify / refundNotify after a commit); the rest is reconcile's. */
  outTradeNo?: string;
}

export interface DeliverSummary {
  drained: number;
  due: number;
  delivered: number;
  accepted: number;
  retry: number;
  failed: number;
  skipped: number;
  /** Due deliveries left for a later run (the budget ran out). */
  left: number;
}

export const DELIVER_BUDGET_MS = 8000;
const BATCH = 50;
const PARALLEL = 4;

export async function deliverAlerts(
  deps: AlertDeps,
  input: DeliverInput = {},
  budgetMs = DELIVER_BUDGET_MS,
): Promise<DeliverSummary> {
  const { db, clock } = deps;
  const started = clock.now();
  const scoped = input.outTradeNo;
  const drained = await drainOutbox(deps, scoped);
  if (scoped === undefined) await recoverLapsed(deps);
  const now = clock.now();
  const due = scoped !== undefined ? await findDue(db, now, BATCH, scoped) : await findDue(db, now, BATCH);
  const summary: DeliverSummary = {
    drained: drained.deliveries,
    due: due.length,
    delivered: 0,
    accepted: 0,
    retry: 0,
    failed: 0,
    skipped: 0,
    left: 0,
  };
  const tally = (r: SendResult) => {
    if (r === 'DELIVERED') summary.delivered++;
    else if (r === 'ACCEPTED') summary.accepted++;
    else if (r === 'RETRY') summary.retry++;
    else if (r === 'FAIL') summary.failed++;
    else summary.skipped++;
  };
  for (let i = 0; i < due.length; i += PARALLEL) {
    if (clock.now() - started >= budgetMs) {
      summary.left = due.length - i;
      break;
    }
    const results = await Promise.all(due.slice(i, i + PARALLEL).map((d) => sendDelivery(deps, d)));
    results.forEach(tally);
  }
  deps.log.info('alerts_delivered', { ...summary, out_trade_no: input.outTradeNo });
  return summary;
}

/** A claim that outlived its lease: the send's outcome is unknown — decided by the channel's rule. */
async function recoverLapsed(deps: AlertDeps): Promise<void> {
  const now = deps.clock.now();
  for (const d of await findLapsed(deps.db, now, BATCH)) {
    const message = 'claim lapsed: the run holding it ended without recording an answer';
    const decision =
      d.status === 'SENDING'
        ? decideSend(d.channel, { kind: 'timeout', message }, d.sends)
        : { event: 'RETRY' as const, attempt: { result: 'timeout' as const, message }, delayMs: 0 };
    nextDeliveryStatus(d.status, decision.event);
    await finishDelivery(
      deps.db,
      d,
      d.status,
      d.claimToken ?? '',
      decision,
      { at: now, op: d.status === 'SENDING' ? 'send' : 'query', ...decision.attempt },
      now,
    );
  }
}

export function parseDeliver(event: Record<string, unknown>): DeliverInput {
  const { outTradeNo } = event;
  if (outTradeNo === undefined) return {};
  if (typeof outTradeNo !== 'string' || !OUT_TRADE_NO.test(outTradeNo))
    throw new InputError('outTradeNo must be an order number');
  return { outTradeNo };
}
