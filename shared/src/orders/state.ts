/**
 * The order state machine (DESIGN.md "Order states"): one table of allowed transitions, pure functions
 * over it. This is the only module that compares status strings (STYLE.md smell 4); everything else asks
 * it a question or names a status through ORDER_STATUS.
 */
import { TransitionError } from '../errors';
import type { TradeState } from '../wxpay/client-api';

export const ORDER_STATUSES = ['NOTPAY', 'PAID', 'CLOSED', 'PARTIALLY_REFUNDED', 'REFUNDED'] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];
export const ORDER_STATUS: { readonly [S in OrderStatus]: S } = {
  NOTPAY: 'NOTPAY',
  PAID: 'PAID',
  CLOSED: 'CLOSED',
  PARTIALLY_REFUNDED: 'PARTIALLY_REFUNDED',
  REFUNDED: 'REFUNDED',
};

/**
 * - PAY: WeChat's verified word that the order is paid (notification or orderquery).
 * - CLOSE: closeorder after expiry, WeChat reporting CLOSED, or a definite refusal of unifiedorder.
 * - REFUND_PARTIAL / REFUND_FULL: a refund succeeded and refundedFee is below / equal to totalFee.
 */
export const ORDER_EVENTS = ['PAY', 'CLOSE', 'REFUND_PARTIAL', 'REFUND_FULL'] as const;
export type OrderEvent = (typeof ORDER_EVENTS)[number];

/** Marks a transition that needs the merchant's attention beyond the ordinary alert. */
export type TransitionFlag = 'PAID_AFTER_CLOSE';

interface Rule {
  to: OrderStatus;
  flag?: TransitionFlag;
}

/** The one table. A missing (state, event) pair is refused. */
const TRANSITIONS: { readonly [S in OrderStatus]: Partial<Record<OrderEvent, Rule>> } = {
  NOTPAY: { PAY: { to: 'PAID' }, CLOSE: { to: 'CLOSED' } },
  // Money was taken after we closed the order: recorded, flagged and alerted, never dropped.
  CLOSED: { PAY: { to: 'PAID', flag: 'PAID_AFTER_CLOSE' } },
  PAID: { REFUND_PARTIAL: { to: 'PARTIALLY_REFUNDED' }, REFUND_FULL: { to: 'REFUNDED' } },
  PARTIALLY_REFUNDED: { REFUND_PARTIAL: { to: 'PARTIALLY_REFUNDED' }, REFUND_FULL: { to: 'REFUNDED' } },
  REFUNDED: {},
};

export interface Transition {
  from: OrderStatus;
  event: OrderEvent;
  to: OrderStatus;
  flag?: TransitionFlag;
}

/** The transition `event` causes in state `from`, or a TransitionError (returned, not thrown). */
export function nextState(from: OrderStatus, event: OrderEvent): Transition | TransitionError {
  const row = Object.hasOwn(TRANSITIONS, from) ? TRANSITIONS[from] : undefined;
  const rule = row && Object.hasOwn(row, event) ? row[event] : undefined;
  if (!rule) return new TransitionError(String(from), String(event));
  return rule.flag ? { from, event, to: rule.to, flag: rule.flag } : { from, event, to: rule.to };
}

/** Like nextState, throwing the TransitionError. */
export function applyEvent(from: OrderStatus, event: OrderEvent): Transition {
  const t = nextState(from, event);
  if (t instanceof TransitionError) throw t;
  return t;
}

export function allows(from: OrderStatus, event: OrderEvent): boolean {
  return !(nextState(from, event) instanceof TransitionError);
}

/** Still waiting for the customer's payment (the only state a prepay is handed out in). */
export function isAwaitingPayment(status: OrderStatus): boolean {
  return status === 'NOTPAY';
}

/** WeChat has the money for this order (whatever was refunded since). */
export function isPaid(status: OrderStatus): boolean {
  return status === 'PAID' || status === 'PARTIALLY_REFUNDED' || status === 'REFUNDED';
}

/** The merchant may ship: paid and not fully refunded (a partial refund leaves goods to ship). */
export function isShippable(status: OrderStatus): boolean {
  return status === 'PAID' || status === 'PARTIALLY_REFUNDED';
}

export function isClosed(status: OrderStatus): boolean {
  return status === 'CLOSED';
}

export function isOrderStatus(v: unknown): v is OrderStatus {
  return typeof v === 'string' && (ORDER_STATUSES as readonly string[]).includes(v);
}

/**
 * What an orderquery `trade_state` means for the local order (WeChat Pay v2 notes §3.2, §7): SUCCESS and
 * REFUND mean paid; CLOSED and REVOKED mean WeChat will never take the money; everything else (NOTPAY,
 * USERPAYING, PAYERROR, ACCEPT) changes nothing yet.
 */
export function eventForTradeState(state: TradeState | string): OrderEvent | undefined {
  if (state === 'SUCCESS' || state === 'REFUND') return 'PAY';
  if (state === 'CLOSED' || state === 'REVOKED') return 'CLOSE';
  return undefined;
}

/** Which refund event a successful refund causes, from the sums (DESIGN.md: status follows refundedFee). */
export function refundEvent(refundedFee: number, totalFee: number): OrderEvent {
  return refundedFee >= totalFee ? 'REFUND_FULL' : 'REFUND_PARTIAL';
}
