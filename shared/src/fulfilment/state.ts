/**
 * Fulfilment, its own small state machine beside the payment status (docs/fulfilment.md): one table for the
 * shipment (UNSHIPPED → SHIPPED → RECEIVED, one amendment while SHIPPED) and one for WeChat's shipping-info
 * upload (PENDING → UPLOADED | FAILED, retried while PENDING). Pure functions over the tables; this is the
 * only module that compares fulfilment or upload status strings.
 */
import { TransitionError } from '../errors';

export const FULFILMENT_STATUSES = ['UNSHIPPED', 'SHIPPED', 'RECEIVED'] as const;
export type FulfilmentStatus = (typeof FULFILMENT_STATUSES)[number];

/**
 * - SHIP: the merchant tapped "ship" (ours the moment it is recorded; the upload follows).
 * - AMEND: the merchant corrected the shipment (allowed once: WeChat allows one modification per payment).
 * - RECEIVE: the buyer confirmed receipt (in the mini-program, or WeChat reports order_state 3/4).
 */
export const FULFILMENT_EVENTS = ['SHIP', 'AMEND', 'RECEIVE'] as const;
export type FulfilmentEvent = (typeof FULFILMENT_EVENTS)[number];

const FULFILMENT_TABLE: {
  readonly [S in FulfilmentStatus]: Partial<Record<FulfilmentEvent, FulfilmentStatus>>;
} = {
  UNSHIPPED: { SHIP: 'SHIPPED' },
  SHIPPED: { AMEND: 'SHIPPED', RECEIVE: 'RECEIVED' },
  RECEIVED: {},
};

export const UPLOAD_STATUSES = ['PENDING', 'UPLOADED', 'FAILED'] as const;
export type UploadStatus = (typeof UPLOAD_STATUSES)[number];

/**
 * - SUCCEED: WeChat accepted the upload (or answered that it already holds exactly this shipment).
 * - DEFER: not uploaded yet (10060001 while WeChat indexes the payment, a busy system, a lost answer): retry.
 * - FAIL: WeChat refused the upload for good (bad fields, no reship left, app not enrolled).
 * - REQUEUE: an amendment replaces what is to be uploaded.
 */
export const UPLOAD_EVENTS = ['SUCCEED', 'DEFER', 'FAIL', 'REQUEUE'] as const;
export type UploadEvent = (typeof UPLOAD_EVENTS)[number];

const UPLOAD_TABLE: { readonly [S in UploadStatus]: Partial<Record<UploadEvent, UploadStatus>> } = {
  PENDING: { SUCCEED: 'UPLOADED', DEFER: 'PENDING', FAIL: 'FAILED', REQUEUE: 'PENDING' },
  UPLOADED: { REQUEUE: 'PENDING' },
  FAILED: { REQUEUE: 'PENDING' },
};

function step<S extends string, E extends string>(
  table: { readonly [K in S]: Partial<Record<E, S>> },
  from: S,
  event: E,
): S | TransitionError {
  const row = Object.hasOwn(table, from) ? table[from] : undefined;
  const to = row && Object.hasOwn(row, event) ? row[event] : undefined;
  return to ?? new TransitionError(String(from), String(event));
}

/** The status `event` leads to from `from`, or a TransitionError (returned, not thrown). */
export function nextFulfilment(
  from: FulfilmentStatus,
  event: FulfilmentEvent,
): FulfilmentStatus | TransitionError {
  return step(FULFILMENT_TABLE, from, event);
}

export function nextUpload(from: UploadStatus, event: UploadEvent): UploadStatus | TransitionError {
  return step(UPLOAD_TABLE, from, event);
}

export function applyFulfilment(from: FulfilmentStatus, event: FulfilmentEvent): FulfilmentStatus {
  const to = nextFulfilment(from, event);
  if (to instanceof TransitionError) throw to;
  return to;
}

export function applyUpload(from: UploadStatus, event: UploadEvent): UploadStatus {
  const to = nextUpload(from, event);
  if (to instanceof TransitionError) throw to;
  return to;
}

/** The statuses an event is allowed from (for the `where` of its conditional update). */
export function fulfilmentStatusesAllowing(event: FulfilmentEvent): FulfilmentStatus[] {
  return FULFILMENT_STATUSES.filter((s) => !(nextFulfilment(s, event) instanceof TransitionError));
}

export function uploadStatusesAllowing(event: UploadEvent): UploadStatus[] {
  return UPLOAD_STATUSES.filter((s) => !(nextUpload(s, event) instanceof TransitionError));
}

/** Still to be shipped (an order without a fulfilment record counts as UNSHIPPED). */
export function isUnshipped(status: FulfilmentStatus | undefined): boolean {
  return status === undefined || status === 'UNSHIPPED';
}

/** The upload still has to happen (reconcile retries it). */
export function isUploadPending(status: UploadStatus): boolean {
  return status === 'PENDING';
}

export function isUploadDone(status: UploadStatus): boolean {
  return status === 'UPLOADED';
}

/** Shipped and waiting for the buyer's confirmation (reconcile asks WeChat about it). */
export function isAwaitingReceipt(status: FulfilmentStatus | undefined): boolean {
  return status === 'SHIPPED';
}

/** WeChat's get_order `order_state`: 3 = 确认收货, 4 = 交易完成 mean the buyer has the goods. */
export function receivedAtWeChat(orderState: number): boolean {
  return orderState === 3 || orderState === 4;
}

/** `order_state` 2 and later: WeChat holds a shipment for the payment. */
export function shippedAtWeChat(orderState: number): boolean {
  return orderState >= 2;
}
