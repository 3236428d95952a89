/**
 * The refund state machine (DESIGN.md "Refund states"): one table of allowed transitions, pure functions
 * over it, beside the order's (orders/state.ts). Only this module compares refund status strings.
 *
 *   REQUESTED (待审核) → CANCELLED (by the customer) | REJECTED (by a merchant) | PROCESSING (approved)
 *   PROCESSING (退款中; a merchant's `start` creates a refund here) → SUCCESS | FAILED | CHANGE | CLOSED
 *   FAILED (a business refusal such as NOTENOUGH) → PROCESSING (retry with the same out_refund_no)
 * SUCCESS, CHANGE (handled in 商户平台, never retried through the API), CLOSED (a new refund may be
 * started, with a new number), REJECTED and CANCELLED are final.
 */
import { TransitionError } from '../errors';
import type { RefundStatus as WxRefundStatus } from '../wxpay/client-api';

export const REFUND_STATUSES = [
  'REQUESTED',
  'CANCELLED',
  'REJECTED',
  'PROCESSING',
  'SUCCESS',
  'FAILED',
  'CHANGE',
  'CLOSED',
] as const;
export type RefundState = (typeof REFUND_STATUSES)[number];
export const REFUND_STATUS: { readonly [S in RefundState]: S } = {
  REQUESTED: 'REQUESTED',
  CANCELLED: 'CANCELLED',
  REJECTED: 'REJECTED',
  PROCESSING: 'PROCESSING',
  SUCCESS: 'SUCCESS',
  FAILED: 'FAILED',
  CHANGE: 'CHANGE',
  CLOSED: 'CLOSED',
};

/**
 * - APPROVE / REJECT: a merchant's review of a customer's request; CANCEL: the customer withdraws it.
 * - SUCCEED / ABNORMAL / CLOSE: WeChat's final word (refund_status SUCCESS / CHANGE / REFUNDCLOSE).
 * - FAIL: WeChat refused the refund request (a business error: nothing was refunded).
 * - RETRY: a merchant resends a failed refund, same number, same amounts.
 */
export const REFUND_EVENTS = [
  'APPROVE',
  'REJECT',
  'CANCEL',
  'SUCCEED',
  'FAIL',
  'ABNORMAL',
  'CLOSE',
  'RETRY',
] as const;
export type RefundEvent = (typeof REFUND_EVENTS)[number];

/** The one table. A missing (state, event) pair is refused. */
const TRANSITIONS: { readonly [S in RefundState]: Partial<Record<RefundEvent, RefundState>> } = {
  REQUESTED: { APPROVE: 'PROCESSING', REJECT: 'REJECTED', CANCEL: 'CANCELLED' },
  PROCESSING: { SUCCEED: 'SUCCESS', FAIL: 'FAILED', ABNORMAL: 'CHANGE', CLOSE: 'CLOSED' },
  FAILED: { RETRY: 'PROCESSING' },
  CANCELLED: {},
  REJECTED: {},
  SUCCESS: {},
  CHANGE: {},
  CLOSED: {},
};

export interface RefundTransition {
  from: RefundState;
  event: RefundEvent;
  to: RefundState;
}

export function nextRefundState(from: RefundState, event: RefundEvent): RefundTransition | TransitionError {
  const row = Object.hasOwn(TRANSITIONS, from) ? TRANSITIONS[from] : undefined;
  const to = row && Object.hasOwn(row, event) ? row[event] : undefined;
  if (!to) return new TransitionError(String(from), String(event));
  return { from, event, to };
}

export function applyRefundEvent(from: RefundState, event: RefundEvent): RefundTransition {
  const t = nextRefundState(from, event);
  if (t instanceof TransitionError) throw t;
  return t;
}

export function refundAllows(from: RefundState, event: RefundEvent): boolean {
  return !(nextRefundState(from, event) instanceof TransitionError);
}

export function isRefundState(v: unknown): v is RefundState {
  return typeof v === 'string' && (REFUND_STATUSES as readonly string[]).includes(v);
}

/** The event WeChat's refund_status causes; PROCESSING (or anything else) causes none yet. */
export function eventForRefundStatus(status: WxRefundStatus | string): RefundEvent | undefined {
  if (status === 'SUCCESS') return 'SUCCEED';
  if (status === 'CHANGE') return 'ABNORMAL';
  if (status === 'REFUNDCLOSE') return 'CLOSE';
  return undefined;
}

/** Waiting for WeChat (sent, deferred, or outcome unknown): reconcile's business. */
export function isInFlight(status: RefundState): boolean {
  return status === 'PROCESSING';
}

/** Still open: blocks a customer's new request on the same order. */
export function isOpen(status: RefundState): boolean {
  return status === 'REQUESTED' || status === 'PROCESSING' || status === 'FAILED';
}

/** What the customer and the merchant read (DESIGN.md: derived from the refunds, never stored). */
export const REFUND_LABELS: { readonly [S in RefundState]: string } = {
  REQUESTED: '待审核',
  CANCELLED: '已取消',
  REJECTED: '已拒绝',
  PROCESSING: '退款中',
  SUCCESS: '退款完成',
  FAILED: '退款失败',
  CHANGE: '退款异常',
  CLOSED: '退款关闭',
};

/** Which refund speaks for the order in a list, most urgent first. */
const ORDER_LABEL_PRIORITY: readonly RefundState[] = [
  'CHANGE',
  'FAILED',
  'REQUESTED',
  'PROCESSING',
  'SUCCESS',
];

/** The order's refund label from its refunds (undefined when none is worth showing). */
export function orderRefundLabel(statuses: readonly RefundState[]): string | undefined {
  const s = ORDER_LABEL_PRIORITY.find((p) => statuses.includes(p));
  return s ? REFUND_LABELS[s] : undefined;
}
