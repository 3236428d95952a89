/**
 * When reconcile next asks WeChat about an unpaid order (DESIGN.md "Reconciliation"). Every NOTPAY order
 * carries `nextCheckAt`; reconcile takes the orders due soonest first and moves each one it checked into the
 * future. A backlog therefore rotates: whatever its size, an order that falls due is reached within
 * ⌈due orders / per-run cap⌉ runs, never starved by older ones (issue 9.2). Pure functions of the order and
 * the time.
 */
import type { Order } from './records';

/** A new order is left to its notification this long before the first query (spec: WeChat notifies in seconds). */
export const FIRST_CHECK_AFTER_MS = 2 * 60_000;
/** Checks of a still-unpaid order back off from MIN to MAX as it ages (a third of its age). */
export const MIN_RECHECK_MS = 2 * 60_000;
export const MAX_RECHECK_MS = 30 * 60_000;
/** closeorder is refused until 5 minutes after the order was created (WeChat Pay v2 notes §3.3). */
export const CLOSE_NOT_BEFORE_MS = 5 * 60_000;

/** When an order can be closed: expired, and past WeChat's 5-minute rule. */
export function closableAt(order: Pick<Order, 'createdAt' | 'expireAt'>): number {
  return Math.max(order.expireAt, order.createdAt + CLOSE_NOT_BEFORE_MS);
}

export function isClosable(order: Pick<Order, 'createdAt' | 'expireAt'>, now: number): boolean {
  return now >= closableAt(order);
}

/**
 * The next check of an order that is still unpaid after one at `now` (or whose check failed): backed off
 * by its age, but never past the moment it becomes closable, so expired orders are closed on time.
 */
export function nextCheckAt(order: Pick<Order, 'createdAt' | 'expireAt'>, now: number): number {
  const backoff = Math.min(MAX_RECHECK_MS, Math.max(MIN_RECHECK_MS, Math.floor((now - order.createdAt) / 3)));
  const closeAt = closableAt(order);
  return now < closeAt ? Math.min(now + backoff, closeAt) : now + backoff;
}
