/**
 * The refund store: every read and write of `refunds` documents, on the narrow `Db` port. Status changes
 * are one conditional update each, `where({_id, status: from})`, carrying the history entry and any
 * outbox entries (through `outboxData`, so the alert drain sees them); `stats.updated === 1` = this call won.
 */
import type { Db, DbDoc } from '../orders/db-port';
import type { OutboxEntry } from '../orders/records';
import { COLLECTIONS } from '../orders/records';
import { outboxData } from '../orders/store';
import type { Refund, RefundActor, RefundHistoryEntry } from './records';
import { applyRefundEvent, REFUND_STATUS, type RefundEvent, type RefundState } from './state';

export async function findRefund(db: Db, id: string): Promise<Refund | undefined> {
  const { data } = await db.collection(COLLECTIONS.refunds).where({ _id: id }).limit(1).get();
  return data[0] as Refund | undefined;
}

/** Adds a refund; `{inserted: false}` with the stored one when its `_id` exists already. */
export async function insertRefund(
  db: Db,
  refund: Refund,
): Promise<{ inserted: true } | { inserted: false; existing: Refund }> {
  try {
    await db.collection(COLLECTIONS.refunds).add({ data: refund });
    return { inserted: true };
  } catch (err) {
    const existing = await findRefund(db, refund._id);
    if (existing) return { inserted: false, existing };
    throw err;
  }
}

export type RefundPatch = Partial<Omit<Refund, '_id' | 'status' | 'history' | 'outbox'>>;

export interface RefundChangeSpec {
  event: RefundEvent;
  by: RefundActor;
  who?: string;
  why: string;
  at: number;
  set?: RefundPatch;
  outbox?: OutboxEntry[];
}

export type RefundOutcome = { changed: true; refund: Refund } | { changed: false };

/** Applies `change.event` to the refund as read; the table decides the target, the database the winner. */
export async function transitionRefund(
  db: Db,
  refund: Refund,
  change: RefundChangeSpec,
): Promise<RefundOutcome> {
  const step = applyRefundEvent(refund.status, change.event);
  const _ = db.command;
  const entry: RefundHistoryEntry = {
    from: step.from,
    to: step.to,
    by: change.by,
    at: change.at,
    why: change.why,
    ...(change.who ? { who: change.who } : {}),
  };
  const set = withoutUndefined({ ...change.set, updatedAt: change.at });
  const outbox = change.outbox ?? [];
  const data: DbDoc = { ...set, status: step.to, history: _.push([entry]), ...outboxData(db, outbox) };
  const { stats } = await db
    .collection(COLLECTIONS.refunds)
    .where({ _id: refund._id, status: step.from })
    .update({ data });
  if (stats.updated !== 1) return { changed: false };
  return {
    changed: true,
    refund: {
      ...refund,
      ...set,
      status: step.to,
      history: [...refund.history, entry],
      outbox: [...refund.outbox, ...outbox],
      ...(outbox.length > 0
        ? { alertsPending: true, outboxSeq: (refund.outboxSeq ?? 0) + outbox.length }
        : {}),
    },
  };
}

/**
 * Updates fields of a refund while it is still in `status` (no transition): WeChat's refund_id after an
 * acceptance, reconcile's next check, the stuck mark with its alert. `extraWhere` narrows the match.
 */
export async function patchRefund(
  db: Db,
  refund: Pick<Refund, '_id' | 'status'>,
  set: RefundPatch,
  opts: { outbox?: OutboxEntry[]; extraWhere?: DbDoc } = {},
): Promise<boolean> {
  const data: DbDoc = { ...withoutUndefined(set), ...outboxData(db, opts.outbox ?? []) };
  const { stats } = await db
    .collection(COLLECTIONS.refunds)
    .where({ _id: refund._id, status: refund.status, ...opts.extraWhere })
    .update({ data });
  return stats.updated === 1;
}

/** PROCESSING refunds due for a look, the longest-waiting first (every due one is reached: see reconcile). */
export async function findDueRefunds(db: Db, now: number, limit: number): Promise<Refund[]> {
  const _ = db.command;
  const { data } = await db
    .collection(COLLECTIONS.refunds)
    .where({ status: REFUND_STATUS.PROCESSING, nextCheckAt: _.lte(now) })
    .orderBy('nextCheckAt', 'asc')
    .limit(Math.min(limit, 1000))
    .get();
  return data as unknown as Refund[];
}

/** The refunds of some orders (at most 1000; an order holds at most 50). */
export async function refundsOfOrders(db: Db, outTradeNos: readonly string[]): Promise<Refund[]> {
  if (outTradeNos.length === 0) return [];
  const _ = db.command;
  const { data } = await db
    .collection(COLLECTIONS.refunds)
    .where({ outTradeNo: outTradeNos.length === 1 ? outTradeNos[0] : _.in([...outTradeNos]) })
    .orderBy('_id', 'asc')
    .limit(1000)
    .get();
  return data as unknown as Refund[];
}

/** The latest time another refund of this order was handed to WeChat after `since` (one-minute rule). */
export async function lastSendOfOrder(
  db: Db,
  outTradeNo: string,
  exceptId: string,
  since: number,
): Promise<number | undefined> {
  const _ = db.command;
  const { data } = await db
    .collection(COLLECTIONS.refunds)
    .where({ outTradeNo, _id: _.neq(exceptId), lastSentAt: _.gt(since) })
    .orderBy('lastSentAt', 'desc')
    .limit(1)
    .get();
  return (data[0] as Refund | undefined)?.lastSentAt;
}

/** The merchant's queue: newest first by `_id` (out_refund_no starts with its creation time), paged by cursor. */
export async function listRefunds(
  db: Db,
  q: { status?: RefundState; before?: string; limit: number },
): Promise<{ refunds: Refund[]; more: boolean }> {
  const _ = db.command;
  const where: DbDoc = {};
  if (q.status) where.status = q.status;
  if (q.before !== undefined) where._id = _.lt(q.before);
  const { data } = await db
    .collection(COLLECTIONS.refunds)
    .where(where)
    .orderBy('_id', 'desc')
    .limit(q.limit + 1)
    .get();
  const refunds = data as unknown as Refund[];
  return { refunds: refunds.slice(0, q.limit), more: refunds.length > q.limit };
}

function withoutUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
