/**
 * `confirm {outTradeNo}`: called after `wx.requestPayment` succeeds, which is not proof of payment
 * (WeChat Pay v2 notes §7): ask WeChat (orderquery) and settle through the same transition as the
 * notification, so the customer sees "paid" without waiting for it.
 */
import type { OrderView } from '../../api';
import { WxPayBusinessError, WxPayTransportError } from '../../errors';
import type { PaymentDeps } from '../deps';
import { paymentPending } from '../failures';
import { isPaid } from '../state';
import { orderView } from '../views';
import { findOwnOrder, type OrderRef } from './own-order';
import { queryAndSettle } from './query-payment';

export { parseOrderRef as parseConfirmPayment } from './own-order';

export async function confirmPayment(deps: PaymentDeps, openid: string, ref: OrderRef): Promise<OrderView> {
  const order = await findOwnOrder(deps.db, openid, ref.outTradeNo);
  if (isPaid(order.status)) return orderView(order);
  try {
    return orderView((await queryAndSettle(deps, order, 'confirm')).order);
  } catch (err) {
    if (err instanceof WxPayTransportError || (err instanceof WxPayBusinessError && err.retryable)) {
      throw paymentPending(order._id);
    }
    throw err;
  }
}
