/**
 * `confirmReceipt` (the order's owner): SHIPPED → RECEIVED. Someone else's order is NOT_FOUND; a receipt
 * already recorded (by a repeat tap, or by reconcile after WeChat's own confirmation) is `changed: false`.
 * The mini-program also opens WeChat's confirmation (wx.openBusinessView weappOrderConfirm) for the money.
 */
import type { FulfilmentChange, ShipmentView } from '../../api';
import { findOrder } from '../../orders/store';
import { findOwnOrder, type OrderRef } from '../../orders/use-cases/own-order';
import type { FulfilmentDeps } from '../deps';
import { orderNotShipped } from '../failures';
import { isAwaitingReceipt } from '../state';
import { recordReceipt } from '../store';
import { shipmentView } from '../views';

export { parseOrderRef as parseConfirmReceipt } from '../../orders/use-cases/own-order';

export async function confirmReceipt(
  deps: Pick<FulfilmentDeps, 'db' | 'clock' | 'log'>,
  openid: string,
  ref: OrderRef,
): Promise<FulfilmentChange<ShipmentView>> {
  const order = await findOwnOrder(deps.db, openid, ref.outTradeNo);
  const view = shipmentView(order);
  if (!view) throw orderNotShipped(order._id);
  if (!isAwaitingReceipt(order.fulfilment?.status)) {
    if (view.status === 'RECEIVED') return { changed: false, shipment: view };
    throw orderNotShipped(order._id);
  }
  const now = deps.clock.now();
  if (await recordReceipt(deps.db, order._id, now, 'customer')) {
    deps.log.info('receipt_confirmed', { outTradeNo: order._id, by: 'customer' });
    return { changed: true, shipment: { ...view, status: 'RECEIVED', receivedAt: now } };
  }
  const again = await findOrder(deps.db, order._id);
  return { changed: false, shipment: (again && shipmentView(again)) ?? view };
}
