/**
 * Refunds on the customer's order views (createPayment get/list): each order's refunds and the label
 * derived from them (待审核 / 退款中 / 退款完成 / 退款失败 / 退款异常), read with one query per call.
 */
import type { OrderView } from '../../api';
import type { Db } from '../../orders/db-port';
import { orderRefundLabel } from '../state';
import { refundsOfOrders } from '../store';
import { refundView } from '../views';

export async function withRefunds(db: Db, views: OrderView[]): Promise<OrderView[]> {
  const refunded = views.filter((v) => v.status !== 'NOTPAY' && v.status !== 'CLOSED');
  const all = await refundsOfOrders(
    db,
    refunded.map((v) => v.outTradeNo),
  );
  if (all.length === 0) return views;
  return views.map((v) => {
    const mine = all.filter((r) => r.outTradeNo === v.outTradeNo);
    if (mine.length === 0) return v;
    const label = orderRefundLabel(mine.map((r) => r.status));
    return { ...v, refunds: mine.map(refundView), ...(label ? { refundLabel: label } : {}) };
  });
}
