/**
 * `confirm {outTradeNo}`: called after `wx.requestPayment` succeeds, which is not proof of payment
 * (WeChat Pay v2 notes §7): ask WeChat (orderquery) and settle through the same transition as the
 * notification, so the customer sees "paid" without waiting for it.
 */
import type { OrderView } from '../../api';
import { WxPayBusinessError, WxPayTransportError } from '../../errors';
import type { PaymentDeps } from '../deps';
import { paymentPending } from '../failures';
import { isAwaitingPayment, isPaid } from '../state';
import { claimConfirmQuery } from '../store';
import { orderView } from '../views';
import { findOwnOrder, type OrderRef } from './own-order';
import { queryAndSettle } from './query-payment';

export { parseOrderRef as parseConfirmPayment } from './own-order';

/**
 * Each `confirm` of an unpaid order costs an orderquery, so a customer (or a script) tapping it in a loop
 * gets at most one per this interval per order; the others answer PAYMENT_PENDING (retry shortly).
 */
export const CONFIRM_INTERVAL_MS = 3000;

export async function confirmPayment(deps: PaymentDeps, openid: string, ref: OrderRef): Promise<OrderView> {
  const order = await findOwnOrder(deps.db, openid, ref.outTradeNo);
  if (isPaid(order.status)) return orderView(order);
  if (isAwaitingPayment(order.status)) {
    const now = deps.clock.now();
    const recent = order.lastConfirmAt !== undefined && now - order.lastConfirmAt < CONFIRM_INTERVAL_MS;
    if (recent || !(await claimConfirmQuery(deps.db, order, now))) throw paymentPending(order._id);
  }
  try {
    return orderView((await queryAndSettle(deps, order, 'confirm')).order);
  } catch (err) {
    if (err instanceof WxPayTransportError || (err instanceof WxPayBusinessError && err.retryable)) {
      throw paymentPending(order._id);
    }
    throw err;
  }
}
