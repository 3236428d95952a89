/**
 * Repairs the one gap between the two writes of a new refund: the amount is reserved on the order first,
 * then the refund record is written. A writer that died in between leaves a reservation no refund owns —
 * it can only block that amount, never over-refund — and this gives it back. A hold is an orphan when no
 * refund document has its id and the id (out_refund_no, which starts with its Beijing creation time) is
 * older than `ORPHAN_HOLD_AGE_MS`, far beyond any function's timeout. Orders holding reservations are the
 * few with refunds in flight; at most `limit` of them are looked at per run.
 */
import type { Order } from '../../orders/records';
import { COLLECTIONS } from '../../orders/records';
import { parseBeijingTime } from '../../wxpay/ids';
import type { RefundGatewayDeps } from '../deps';
import { changeLedger } from '../ledger';

export const ORPHAN_HOLD_AGE_MS = 10 * 60_000;

export async function releaseOrphanHolds(deps: RefundGatewayDeps, limit = 100): Promise<number> {
  const _ = deps.db.command;
  const now = deps.clock.now();
  const { data } = await deps.db
    .collection(COLLECTIONS.orders)
    .where({ reservedFee: _.gt(0) })
    .orderBy('_id', 'asc')
    .limit(limit)
    .get();
  const candidates = (data as unknown as Order[]).flatMap((order) =>
    (order.refundHolds ?? [])
      .filter((h) => isOlderThan(h.id, now - ORPHAN_HOLD_AGE_MS))
      .map((h) => ({ order, id: h.id })),
  );
  if (candidates.length === 0) return 0;
  const { data: found } = await deps.db
    .collection(COLLECTIONS.refunds)
    .where({ _id: _.in(candidates.map((c) => c.id)) })
    .limit(1000)
    .get();
  const known = new Set(found.map((r) => r._id as string));
  let released = 0;
  for (const c of candidates) {
    if (known.has(c.id)) continue;
    const r = await changeLedger(
      deps.db,
      c.order._id,
      { kind: 'release', id: c.id },
      { at: now, by: 'reconcile', why: `orphan reservation ${c.id} released` },
    );
    if (r.outcome === 'changed') {
      released++;
      deps.log.warn('refund_orphan_hold_released', { out_trade_no: c.order._id, out_refund_no: c.id });
    }
  }
  return released;
}

/** True when the out_refund_no's embedded Beijing time (after the 2-letter prefix) is before `cutoff`. */
function isOlderThan(id: string, cutoff: number): boolean {
  const t = parseBeijingTime(id.slice(2, 16));
  return t !== undefined && t < cutoff;
}
