/**
 * The order's side of refunds: reservedFee (refunds in flight), refundedFee (refunds that succeeded) and
 * the order status that follows from them (PAID → PARTIALLY_REFUNDED → REFUNDED).
 *
 * The CloudBase `where` cannot compare two fields, so the limit `refundedFee + reservedFee + refundFee ≤
 * totalFee` is checked on the values read, and the write is conditional on exactly those values (and a
 * `refundVersion` every ledger write bumps): `where({_id, status, refundedFee, reservedFee, refundVersion})`.
 * If anything moved in between, the update matches nothing and the step is planned again on a fresh read
 * (optimistic concurrency). So whatever interleaves, the sum never exceeds what was paid.
 *
 * Each step is idempotent per refund: the order lists the refunds holding a reservation (`refundHolds`)
 * and those already added to refundedFee (`refundsSettled`), so a repeated or concurrent step on the same
 * refund plans a no-op. Pure planning (`planLedger`) is apart from the write (`changeLedger`).
 */
import type { Db, DbDoc } from '../orders/db-port';
import type { Actor, HistoryEntry, Order } from '../orders/records';
import { COLLECTIONS } from '../orders/records';
import { applyEvent, isPaid, refundEvent } from '../orders/state';
import { findOrder } from '../orders/store';

/** WeChat's limits on one order (WeChat Pay v2 notes §3.4, §6). */
export const REFUND_LIMITS = {
  maxPerOrder: 50,
  windowMs: 365 * 24 * 3600_000,
} as const;

export type LedgerStep =
  /** Reserve `fee` for refund `id` (a new refund counts toward the 50; a retry of a failed one does not). */
  | { kind: 'reserve'; id: string; fee: number; counts: boolean; exclusive?: boolean }
  /** Give the reservation back (rejected, cancelled, failed, closed): the amount the hold holds. */
  | { kind: 'release'; id: string }
  /** WeChat reports the refund succeeded: reserved → refunded (or straight to refunded when not held). */
  | { kind: 'settle'; id: string; fee: number; counts: boolean };

/** `open`: an exclusive reservation (a customer's request) while another refund holds one. */
export type LedgerRefusal = 'not-paid' | 'exceeds' | 'too-many' | 'open';

export type LedgerPlan =
  | { plan: 'noop' }
  | { plan: 'refuse'; reason: LedgerRefusal }
  | { plan: 'write'; set: Partial<Order>; refundedFee: number };

export function planLedger(order: Order, step: LedgerStep): LedgerPlan {
  const holds = order.refundHolds ?? [];
  const settled = order.refundsSettled ?? [];
  const count = order.refundCount ?? 0;
  const hold = holds.find((h) => h.id === step.id);
  const others = holds.filter((h) => h.id !== step.id);
  if (step.kind === 'reserve') {
    if (hold || settled.includes(step.id)) return { plan: 'noop' };
    if (!isPaid(order.status)) return { plan: 'refuse', reason: 'not-paid' };
    if (step.exclusive && holds.length > 0) return { plan: 'refuse', reason: 'open' };
    if (step.counts && count >= REFUND_LIMITS.maxPerOrder) return { plan: 'refuse', reason: 'too-many' };
    if (order.refundedFee + order.reservedFee + step.fee > order.totalFee)
      return { plan: 'refuse', reason: 'exceeds' };
    return {
      plan: 'write',
      refundedFee: order.refundedFee,
      set: {
        reservedFee: order.reservedFee + step.fee,
        refundHolds: [...holds, { id: step.id, fee: step.fee }],
        ...(step.counts ? { refundCount: count + 1 } : {}),
      },
    };
  }
  if (step.kind === 'release') {
    if (!hold) return { plan: 'noop' };
    return {
      plan: 'write',
      refundedFee: order.refundedFee,
      set: { reservedFee: order.reservedFee - hold.fee, refundHolds: others },
    };
  }
  if (settled.includes(step.id)) return { plan: 'noop' };
  if (!isPaid(order.status)) return { plan: 'refuse', reason: 'not-paid' };
  const refundedFee = order.refundedFee + step.fee;
  return {
    plan: 'write',
    refundedFee,
    set: {
      refundedFee,
      reservedFee: order.reservedFee - (hold ? hold.fee : 0),
      refundHolds: others,
      refundsSettled: [...settled, step.id],
      ...(!hold && step.counts ? { refundCount: count + 1 } : {}),
    },
  };
}

export type LedgerOutcome =
  | { outcome: 'changed'; order: Order }
  | { outcome: 'noop'; order: Order }
  | { outcome: 'refused'; reason: LedgerRefusal; order: Order };

/** How often a step is planned again after losing to a concurrent ledger write. */
const MAX_ATTEMPTS = 30;

/**
 * Applies one ledger step to the order, retrying on conflict with a fresh read. A settle that changes the
 * order's status writes the transition and its history entry in the same update.
 */
export async function changeLedger(
  db: Db,
  outTradeNo: string,
  step: LedgerStep,
  ctx: { at: number; by: Actor; why: string },
  known?: Order,
): Promise<LedgerOutcome> {
  const _ = db.command;
  let order = known;
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    if (!order) {
      order = await findOrder(db, outTradeNo);
      if (!order) throw new Error(`order ${outTradeNo} disappeared`);
    }
    const plan = planLedger(order, step);
    if (plan.plan === 'noop') return { outcome: 'noop', order };
    if (plan.plan === 'refuse') return { outcome: 'refused', reason: plan.reason, order };
    const version = (order.refundVersion ?? 0) + 1;
    const data: DbDoc = { ...plan.set, refundVersion: version };
    let next: Order = { ...order, ...plan.set, refundVersion: version };
    if (step.kind === 'settle') {
      const t = applyEvent(order.status, refundEvent(plan.refundedFee, order.totalFee));
      const entry: HistoryEntry = { from: t.from, to: t.to, by: ctx.by, at: ctx.at, why: ctx.why };
      data.status = t.to;
      data.history = _.push([entry]);
      next = { ...next, status: t.to, history: [...order.history, entry] };
    }
    const { stats } = await db
      .collection(COLLECTIONS.orders)
      .where({
        _id: order._id,
        status: order.status,
        refundedFee: order.refundedFee,
        reservedFee: order.reservedFee,
        refundVersion: order.refundVersion === undefined ? _.exists(false) : order.refundVersion,
      })
      .update({ data });
    if (stats.updated === 1) return { outcome: 'changed', order: next };
    order = undefined;
    // Spread the retries of many concurrent writers apart.
    await new Promise((r) => setTimeout(r, Math.floor(Math.random() * 10 * Math.min(attempt, 5))));
  }
  throw new Error(`order ${outTradeNo}: refund ledger kept changing`);
}
