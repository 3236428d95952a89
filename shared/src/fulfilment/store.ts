/**
 * Every read and write of an order's `fulfilment` sub-document, on the narrow Db port. Each change is one
 * conditional update (`where` names the state it was decided from; `stats.updated === 1` = this call won);
 * outbox entries ride in the same update through `outboxData`. Nested objects in `update` are merged
 * (CloudBase semantics), so a write touches only the fields it names; `_.set` replaces a whole sub-object.
 */
import type { Db, DbDoc } from '../orders/db-port';
import type { Order, OutboxEntry } from '../orders/records';
import { COLLECTIONS } from '../orders/records';
import { isShippable, ORDER_STATUSES } from '../orders/state';
import { outboxData } from '../orders/store';
import type { Fulfilment, ShippingUpload } from './records';
import {
  FULFILMENT_STATUSES,
  type FulfilmentEvent,
  fulfilmentStatusesAllowing,
  UPLOAD_STATUSES,
  type UploadEvent,
  uploadStatusesAllowing,
} from './state';

const SHIPPABLE = ORDER_STATUSES.filter(isShippable);

/** `where` value matching the fulfilment statuses `event` is allowed from (a missing record = UNSHIPPED). */
function fulfilmentAllowing(db: Db, event: FulfilmentEvent): unknown {
  const allowed = fulfilmentStatusesAllowing(event);
  return allowed.includes('UNSHIPPED')
    ? db.command.nin(FULFILMENT_STATUSES.filter((s) => !allowed.includes(s)))
    : db.command.in(allowed);
}

function uploadAllowing(db: Db, event: UploadEvent): unknown {
  const allowed = uploadStatusesAllowing(event);
  return allowed.length === UPLOAD_STATUSES.length
    ? db.command.in([...UPLOAD_STATUSES])
    : db.command.in(allowed);
}

async function updateOrder(db: Db, where: DbDoc, data: DbDoc): Promise<boolean> {
  const { stats } = await db.collection(COLLECTIONS.orders).where(where).update({ data });
  return stats.updated === 1;
}

/** SHIP: only from a shippable payment status and an unshipped fulfilment; the buyer's alert in the same update. */
export function recordShipment(
  db: Db,
  order: Order,
  fulfilment: Fulfilment,
  alert: OutboxEntry,
): Promise<boolean> {
  return updateOrder(
    db,
    { _id: order._id, status: db.command.in(SHIPPABLE), 'fulfilment.status': fulfilmentAllowing(db, 'SHIP') },
    { fulfilment: db.command.set({ ...order.fulfilment, ...fulfilment }), ...outboxData(db, [alert]) },
  );
}

/** AMEND, once: the whole fulfilment replaced while it is still SHIPPED with no amendment. */
export function recordAmendment(db: Db, order: Order, fulfilment: Fulfilment): Promise<boolean> {
  return updateOrder(
    db,
    { _id: order._id, 'fulfilment.status': fulfilmentAllowing(db, 'AMEND'), 'fulfilment.amendments': 0 },
    { fulfilment: db.command.set(fulfilment) },
  );
}

/** RECEIVE: SHIPPED → RECEIVED. */
export function recordReceipt(
  db: Db,
  outTradeNo: string,
  at: number,
  by: 'customer' | 'wechat',
): Promise<boolean> {
  return updateOrder(
    db,
    { _id: outTradeNo, 'fulfilment.status': fulfilmentAllowing(db, 'RECEIVE') },
    { fulfilment: { status: 'RECEIVED', receivedAt: at, receivedBy: by } },
  );
}

/** Claims the next attempt of a pending upload (the claim is the lease: no second caller uploads meanwhile). */
export function claimUploadAttempt(
  db: Db,
  outTradeNo: string,
  upload: ShippingUpload,
  now: number,
  leaseMs: number,
): Promise<boolean> {
  return updateOrder(
    db,
    {
      _id: outTradeNo,
      'fulfilment.upload.status': uploadAllowing(db, 'DEFER'),
      'fulfilment.upload.version': upload.version,
      'fulfilment.upload.attempts': upload.attempts,
      'fulfilment.upload.nextAttemptAt': db.command.lte(now),
    },
    {
      fulfilment: {
        upload: { attempts: upload.attempts + 1, lastAttemptAt: now, nextAttemptAt: now + leaseMs },
      },
    },
  );
}

/** The outcome of the attempt numbered `attempts` of `version`; ignored when a newer attempt or version exists. */
export function recordUploadOutcome(
  db: Db,
  outTradeNo: string,
  claim: { version: number; attempts: number },
  event: UploadEvent,
  patch: Partial<ShippingUpload> & { status: ShippingUpload['status'] },
  extra: { checkAt?: number; alert?: OutboxEntry } = {},
): Promise<boolean> {
  const data: DbDoc = {
    fulfilment: { upload: patch, ...(extra.checkAt !== undefined ? { checkAt: extra.checkAt } : {}) },
  };
  if (extra.alert) Object.assign(data, outboxData(db, [extra.alert]));
  return updateOrder(
    db,
    {
      _id: outTradeNo,
      'fulfilment.upload.status': uploadAllowing(db, event),
      'fulfilment.upload.version': claim.version,
      'fulfilment.upload.attempts': claim.attempts,
    },
    data,
  );
}

/** Moves the next getOrder check of a shipped order (only while it is still SHIPPED). */
export function deferReceiptCheck(
  db: Db,
  outTradeNo: string,
  checkAt: number,
  seenCheckAt: number | undefined,
): Promise<boolean> {
  return updateOrder(
    db,
    { _id: outTradeNo, 'fulfilment.status': 'SHIPPED', 'fulfilment.checkAt': seenCheckAt ?? null },
    { fulfilment: { checkAt } },
  );
}

/** ORDER_UNSHIPPED_LATE, once: marks the (still unshipped) order and pushes the merchant's alert. */
export function recordUnshippedLate(
  db: Db,
  outTradeNo: string,
  at: number,
  alert: OutboxEntry,
): Promise<boolean> {
  return updateOrder(
    db,
    {
      _id: outTradeNo,
      status: db.command.in(SHIPPABLE),
      'fulfilment.status': fulfilmentAllowing(db, 'SHIP'),
      'fulfilment.lateAlertedAt': null,
    },
    { fulfilment: { status: 'UNSHIPPED', lateAlertedAt: at }, ...outboxData(db, [alert]) },
  );
}

// ---------------------------------------------------------------------------------------------- reads

async function findOrders(db: Db, where: DbDoc, orderField: string, limit: number): Promise<Order[]> {
  const { data } = await db
    .collection(COLLECTIONS.orders)
    .where(where)
    .orderBy(orderField, 'asc')
    .limit(Math.min(Math.max(1, limit), 1000))
    .get();
  return data as unknown as Order[];
}

/** Pending uploads whose next attempt is due, longest waiting first. */
export function findDueUploads(db: Db, now: number, limit: number): Promise<Order[]> {
  return findOrders(
    db,
    { 'fulfilment.upload.status': 'PENDING', 'fulfilment.upload.nextAttemptAt': db.command.lte(now) },
    'fulfilment.upload.nextAttemptAt',
    limit,
  );
}

/** Uploads that failed for good (the merchant's attention), oldest shipment first. */
export function findFailedUploads(db: Db, limit: number): Promise<Order[]> {
  return findOrders(db, { 'fulfilment.upload.status': 'FAILED' }, 'fulfilment.shippedAt', limit);
}

export function findPendingUploads(db: Db, limit: number): Promise<Order[]> {
  return findOrders(db, { 'fulfilment.upload.status': 'PENDING' }, 'fulfilment.shippedAt', limit);
}

/** Shipped, uploaded and not yet received, whose next WeChat check is due. */
export function findReceiptChecksDue(db: Db, now: number, limit: number): Promise<Order[]> {
  return findOrders(
    db,
    {
      'fulfilment.status': 'SHIPPED',
      'fulfilment.upload.status': 'UPLOADED',
      'fulfilment.checkAt': db.command.lte(now),
    },
    'fulfilment.checkAt',
    limit,
  );
}

/**
 * Paid orders not shipped yet, oldest payment first; with `paidBefore`, only those paid at or before it and
 * not yet flagged ORDER_UNSHIPPED_LATE (so flagged ones never crowd out the rest of a page).
 */
export function findAwaitingShipment(db: Db, limit: number, paidBefore?: number): Promise<Order[]> {
  const where: DbDoc = {
    status: db.command.in(SHIPPABLE),
    'fulfilment.status': fulfilmentAllowing(db, 'SHIP'),
  };
  if (paidBefore !== undefined) {
    where.paidAt = db.command.lte(paidBefore);
    where['fulfilment.lateAlertedAt'] = null;
  }
  return findOrders(db, where, 'paidAt', limit);
}
