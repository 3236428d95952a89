/**
 * The order store: every read and write of Shouyin's payment records, on the narrow `Db` port only.
 * It is the only writer of `status`, and it writes it in exactly one way (DESIGN.md "Every transition is
 * one conditional update"): `where({_id, status: from}).update(...)` carrying the new status, the history
 * entry and any outbox entries together; `stats.updated === 1` means this call won. Losing a race is an
 * answer (`{changed: false}`), not an error. No status is ever written from a value read earlier.
 */
import type { Db, DbDoc } from './db-port';
import type {
  Actor,
  HistoryEntry,
  Order,
  OutboxEntry,
  PaymentAnomaly,
  Product,
  RequestRecord,
} from './records';
import { COLLECTIONS } from './records';
import { applyEvent, ORDER_STATUS, type OrderEvent, type Transition } from './state';

// ---------------------------------------------------------------------------------------------- reads

/** Reads by `where({_id})`, which answers `[]` for a missing document (`doc().get()` would reject). */
async function findById<T>(db: Db, collection: string, id: string): Promise<T | undefined> {
  const { data } = await db.collection(collection).where({ _id: id }).limit(1).get();
  return data[0] as T | undefined;
}

export function findOrder(db: Db, outTradeNo: string): Promise<Order | undefined> {
  return findById<Order>(db, COLLECTIONS.orders, outTradeNo);
}

export function findRequest(db: Db, id: string): Promise<RequestRecord | undefined> {
  return findById<RequestRecord>(db, COLLECTIONS.requests, id);
}

export async function findProducts(db: Db, ids: readonly string[]): Promise<Product[]> {
  const _ = db.command;
  const { data } = await db
    .collection(COLLECTIONS.products)
    .where({ _id: _.in([...ids]) })
    .limit(Math.max(1, ids.length))
    .get();
  return data as unknown as Product[];
}

/**
 * One customer's orders, newest first, `limit` at a time. The cursor is the last `_id` seen: out_trade_no
 * starts with its Beijing creation time (ids.ts), so `_id` order is creation order to the second and a
 * strict total order, which keeps pages exact while new orders arrive.
 */
export async function listOrdersOf(
  db: Db,
  openid: string,
  page: { before?: string; limit: number },
): Promise<{ orders: Order[]; more: boolean }> {
  const _ = db.command;
  const where: DbDoc = { _openid: openid };
  if (page.before !== undefined) where._id = _.lt(page.before);
  const { data } = await db
    .collection(COLLECTIONS.orders)
    .where(where)
    .orderBy('_id', 'desc')
    .limit(page.limit + 1)
    .get();
  const orders = data as unknown as Order[];
  return { orders: orders.slice(0, page.limit), more: orders.length > page.limit };
}

/**
 * Unpaid orders whose next check is due, soonest first (index `status, nextCheckAt`). No cursor: every order
 * reconcile checks is moved into the future (`scheduleCheck`), so the next page is simply the next due ones.
 */
export async function findDueUnpaid(db: Db, page: { now: number; limit: number }): Promise<Order[]> {
  const _ = db.command;
  const { data } = await db
    .collection(COLLECTIONS.orders)
    .where({ status: ORDER_STATUS.NOTPAY, nextCheckAt: _.lte(page.now) })
    .orderBy('nextCheckAt', 'asc')
    .limit(Math.min(page.limit, 1000))
    .get();
  return data as unknown as Order[];
}

/** Sets when reconcile next checks an order, while it is still unpaid (one conditional update). */
export async function scheduleCheck(db: Db, outTradeNo: string, at: number): Promise<boolean> {
  const { stats } = await db
    .collection(COLLECTIONS.orders)
    .where({ _id: outTradeNo, status: ORDER_STATUS.NOTPAY })
    .update({ data: { nextCheckAt: at } });
  return stats.updated === 1;
}

/**
 * Orders written before `nextCheckAt` existed get one, due at `at`: a single multi-document update, so a
 * deployment over existing data needs no migration step.
 */
export async function backfillCheckSchedule(db: Db, at: number): Promise<number> {
  const _ = db.command;
  const { stats } = await db
    .collection(COLLECTIONS.orders)
    .where({ status: ORDER_STATUS.NOTPAY, nextCheckAt: _.exists(false) })
    .update({ data: { nextCheckAt: at } });
  return stats.updated;
}

// --------------------------------------------------------------------------------------------- writes

/**
 * Adds a document whose `_id` we chose. A duplicate `_id` rejects, with a code the docs do not pin down
 * (CloudBase notes §4.4, §10.6), so any rejected add is followed by one read: if the document is there,
 * the add lost to an earlier or concurrent one and the stored document is returned.
 */
export async function insertOnce<T extends { _id: string }>(
  db: Db,
  collection: string,
  doc: T,
): Promise<{ inserted: true } | { inserted: false; existing: T }> {
  try {
    await db.collection(collection).add({ data: doc });
    return { inserted: true };
  } catch (err) {
    const existing = await findById<T>(db, collection, doc._id);
    if (existing) return { inserted: false, existing };
    throw err;
  }
}

/** Writes a new order (status NOTPAY). An out_trade_no collision is an error, never a merge. */
export async function insertOrder(db: Db, order: Order): Promise<void> {
  const r = await insertOnce(db, COLLECTIONS.orders, order);
  if (!r.inserted) throw new Error(`order ${order._id} already exists`);
}

/** Claims a requestId for an order: `{claimed: false}` with the first claim when it was taken already. */
export async function claimRequest(
  db: Db,
  record: RequestRecord,
): Promise<{ claimed: true } | { claimed: false; existing: RequestRecord }> {
  const r = await insertOnce(db, COLLECTIONS.requests, record);
  return r.inserted ? { claimed: true } : { claimed: false, existing: r.existing };
}

/** Points a request whose order was never written (its writer died) at a new order; one winner. */
export async function retargetRequest(
  db: Db,
  id: string,
  fromOrderId: string,
  toOrderId: string,
  nowMs: number,
): Promise<boolean> {
  const { stats } = await db
    .collection(COLLECTIONS.requests)
    .where({ _id: id, orderId: fromOrderId })
    .update({ data: { orderId: toOrderId, createdAt: nowMs, refused: false } });
  return stats.updated === 1;
}

/** Marks a request whose order was refused before being written, so a retry can take it over. */
export async function refuseRequest(db: Db, id: string, orderId: string): Promise<void> {
  await db
    .collection(COLLECTIONS.requests)
    .where({ _id: id, orderId })
    .update({ data: { refused: true } });
}

/** Stores a fresh prepay_id on an order that is still unpaid. */
export async function savePrepay(
  db: Db,
  outTradeNo: string,
  prepayId: string,
  expiresAt: number,
): Promise<boolean> {
  const { stats } = await db
    .collection(COLLECTIONS.orders)
    .where({ _id: outTradeNo, status: ORDER_STATUS.NOTPAY })
    .update({ data: { prepayId, prepayExpiresAt: expiresAt } });
  return stats.updated === 1;
}

/**
 * Claims the right to ask WeChat about an unpaid order for `confirm`: compare-and-set on the time of the
 * last confirm as read, so of concurrent confirms one wins and the others learn they were too close.
 */
export async function claimConfirmQuery(db: Db, order: Order, nowMs: number): Promise<boolean> {
  const _ = db.command;
  const { stats } = await db
    .collection(COLLECTIONS.orders)
    .where({
      _id: order._id,
      status: ORDER_STATUS.NOTPAY,
      lastConfirmAt: order.lastConfirmAt === undefined ? _.exists(false) : order.lastConfirmAt,
    })
    .update({ data: { lastConfirmAt: nowMs } });
  return stats.updated === 1;
}

/** Fields a transition may set besides status, history and outbox. */
export type OrderPatch = Partial<Omit<Order, '_id' | '_openid' | 'status' | 'history' | 'outbox'>>;

export interface TransitionChange {
  event: OrderEvent;
  by: Actor;
  why: string;
  at: number;
  set?: OrderPatch;
  outbox?: OutboxEntry[];
}

export type TransitionOutcome = { changed: true; transition: Transition; order: Order } | { changed: false };

/**
 * Applies `change.event` to the order as read. The state machine decides the target (TransitionError if
 * the event is not allowed from `order.status`); the database decides the winner: the update matches only
 * while the stored status is still the one read. The returned order is what was written.
 */
export async function transitionOrder(
  db: Db,
  order: Order,
  change: TransitionChange,
): Promise<TransitionOutcome> {
  const step = applyEvent(order.status, change.event);
  const _ = db.command;
  const entry: HistoryEntry = { from: step.from, to: step.to, by: change.by, at: change.at, why: change.why };
  const set = withoutUndefined(change.set ?? {});
  const data: DbDoc = { ...set, status: step.to, history: _.push([entry]) };
  const outbox = change.outbox ?? [];
  Object.assign(data, outboxData(db, outbox));
  const { stats } = await db
    .collection(COLLECTIONS.orders)
    .where({ _id: order._id, status: step.from })
    .update({ data });
  if (stats.updated !== 1) return { changed: false };
  return {
    changed: true,
    transition: step,
    order: {
      ...order,
      ...set,
      status: step.to,
      history: [...order.history, entry],
      outbox: [...order.outbox, ...outbox],
      ...(outbox.length > 0
        ? { alertsPending: true, outboxSeq: (order.outboxSeq ?? 0) + outbox.length }
        : {}),
    },
  };
}

/**
 * The update fields that append outbox entries to a document (order or refund) in the same update as the
 * change that caused them: the entries, the `alertsPending` mark the alert drain looks for, and the
 * `outboxSeq` counter it uses to clear that mark without losing an entry pushed meanwhile. Every writer of
 * an outbox uses this, so the drain's contract holds everywhere.
 */
export function outboxData(db: Db, entries: readonly OutboxEntry[]): DbDoc {
  if (entries.length === 0) return {};
  const _ = db.command;
  return { outbox: _.push([...entries]), alertsPending: true, outboxSeq: _.inc(entries.length) };
}

/**
 * Records a payment anomaly once: its deterministic `_id` makes every repeat a no-op. Marked
 * `alertsPending` so the alert drain turns it into deliveries (the record is its own outbox entry).
 */
export async function recordAnomaly(db: Db, anomaly: PaymentAnomaly): Promise<{ recorded: boolean }> {
  const r = await insertOnce(db, COLLECTIONS.alerts, { ...anomaly, alertsPending: true });
  return { recorded: r.inserted };
}

function withoutUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
