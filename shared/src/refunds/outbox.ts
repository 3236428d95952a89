/** Outbox entries of refund events (records.ts OutboxEntry): `<KIND>:<refund id>[#n]`, deterministic. */
import type { OutboxEntry, OutboxKind } from '../orders/records';
import type { Refund } from './records';

export function refundEntry(
  kind: OutboxKind,
  refund: Pick<Refund, '_id' | 'outTradeNo' | 'totalFee' | 'refundFee'>,
  at: number,
  opts: { occurrence?: number; detail?: string } = {},
): OutboxEntry {
  const subject = opts.occurrence === undefined ? refund._id : `${refund._id}#${opts.occurrence}`;
  const e: OutboxEntry = {
    id: `${kind}:${subject}`,
    kind,
    at,
    outTradeNo: refund.outTradeNo,
    totalFee: refund.totalFee,
    refundId: refund._id,
    refundFee: refund.refundFee,
  };
  if (opts.detail) e.detail = opts.detail;
  return e;
}
