/**
 * The unpaid-order limit (`ORDER_MAX_UNPAID`), held under any concurrency (issue 9.3). Counting a
 * customer's unpaid orders before writing one lets a burst of concurrent `create`s all see room; here each
 * customer has `max` slot documents (`<openid>#<k>` in `unpaid_slots`), and an order is only written after
 * it took a slot with one atomic write — an insert of a missing slot (unique `_id`) or a conditional update
 * of a free one (`where({_id, orderId, heldUntil})` as read). So at most `max` orders hold slots at once.
 *
 * A slot is free when its hold has lapsed (`heldUntil` = the order's expiry, when WeChat stops taking money
 * for it) or when its order is no longer payable (paid or closed). Slots are never released on the payment
 * path: payNotify keeps its one read and one write, and a slot whose order was paid is reclaimed by the next
 * `create` that finds no plainly free slot. A slot whose order was never written (its writer died) stays
 * held until it lapses: never more than `max` payable orders, at the cost of a briefly smaller limit.
 */
import type { Db } from './db-port';
import { COLLECTIONS, type Order } from './records';
import { isAwaitingPayment } from './state';
import { insertOnce } from './store';

export interface UnpaidSlot {
  /** `<openid>#<k>`, k in 0..max-1 */
  _id: string;
  openid: string;
  orderId: string;
  /** Epoch ms after which the slot is free whatever its order's state (the order's expireAt). */
  heldUntil: number;
}

export function slotIds(openid: string, max: number): string[] {
  return Array.from({ length: max }, (_, k) => `${openid}#${k}`);
}

export interface SlotRequest {
  openid: string;
  orderId: string;
  heldUntil: number;
  now: number;
  max: number;
}

/** Takes a free slot for `orderId`; false when all `max` are held by payable (or not yet written) orders. */
export async function reserveUnpaidSlot(db: Db, req: SlotRequest): Promise<boolean> {
  const _ = db.command;
  const ids = slotIds(req.openid, req.max);
  const slots = db.collection(COLLECTIONS.unpaidSlots);
  const { data } = await slots
    .where({ _id: _.in(ids) })
    .limit(req.max)
    .get();
  const byId = new Map((data as unknown as UnpaidSlot[]).map((s) => [s._id, s]));
  const reclaimable = await slotsOfSettledOrders(db, [...byId.values()], req);
  for (const id of ids) {
    const slot = byId.get(id);
    const claim: UnpaidSlot = { _id: id, openid: req.openid, orderId: req.orderId, heldUntil: req.heldUntil };
    if (!slot) {
      if ((await insertOnce(db, COLLECTIONS.unpaidSlots, claim)).inserted) return true;
      continue; // taken by a concurrent create
    }
    if (slot.heldUntil > req.now && !reclaimable.has(id)) continue;
    const { stats } = await slots
      .where({ _id: id, orderId: slot.orderId, heldUntil: slot.heldUntil })
      .update({ data: { orderId: req.orderId, heldUntil: req.heldUntil } });
    if (stats.updated === 1) return true;
  }
  return false;
}

/**
 * Slots held by orders that can no longer be paid. Read only when no slot is plainly free (missing or
 * lapsed), so the common case costs one read. An order that does not exist yet is being created: held.
 */
async function slotsOfSettledOrders(db: Db, slots: UnpaidSlot[], req: SlotRequest): Promise<Set<string>> {
  const held = slots.filter((s) => s.heldUntil > req.now);
  if (held.length < req.max) return new Set();
  const _ = db.command;
  const { data } = await db
    .collection(COLLECTIONS.orders)
    .where({ _id: _.in(held.map((s) => s.orderId)) })
    .limit(held.length)
    .get();
  const orders = new Map((data as unknown as Order[]).map((o) => [o._id, o]));
  const out = new Set<string>();
  for (const s of held) {
    const o = orders.get(s.orderId);
    if (o && (!isAwaitingPayment(o.status) || o.expireAt <= req.now)) out.add(s._id);
  }
  return out;
}
