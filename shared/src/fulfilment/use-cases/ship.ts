/**
 * `ship` (merchant): the shipment is ours the moment it is recorded — SHIPPED in one conditional update
 * (only from PAID / PARTIALLY_REFUNDED and an unshipped fulfilment) carrying the buyer's ORDER_SHIPPED alert
 * and the claim of the first upload attempt — then WeChat's upload within the call's budget. Not uploaded yet
 * → PENDING, which reconcile retries. Concurrent taps: one wins, the others answer `changed: false`.
 */
import type { FulfilmentChange, MerchantShipmentView } from '../../api';
import { orderNotFound } from '../../orders/failures';
import { requireMerchant } from '../../orders/merchants';
import type { Order, OutboxEntry } from '../../orders/records';
import { isShippable } from '../../orders/state';
import { findOrder } from '../../orders/store';
import type { FulfilmentDeps } from '../deps';
import { orderNotShippable } from '../failures';
import type { Fulfilment, Shipment, ShippingUpload } from '../records';
import { type ShipmentInput, validateShipment } from '../shipment';
import { isUnshipped } from '../state';
import { recordShipment } from '../store';
import { uploadPayload } from '../upload-payload';
import { merchantShipmentView } from '../views';
import { attemptUpload } from './attempt-upload';

export { parseShipmentInput as parseShip } from '../shipment';

export function shippedAlert(
  order: Order,
  shipment: Shipment,
  companies: Readonly<Record<string, string>>,
  at: number,
): OutboxEntry {
  const how =
    shipment.expressCompany !== undefined
      ? `${companies[shipment.expressCompany] ?? shipment.expressCompany} ${shipment.trackingNo ?? ''}`.trim()
      : ({ 1: '快递', 2: '同城配送', 3: '虚拟发货', 4: '用户自提' } as const)[shipment.logisticsType];
  return {
    id: `ORDER_SHIPPED:${order._id}`,
    kind: 'ORDER_SHIPPED',
    at,
    outTradeNo: order._id,
    totalFee: order.totalFee,
    ...(order.transactionId ? { transactionId: order.transactionId } : {}),
    detail: how,
  };
}

/** A first upload attempt, already claimed by the write that creates it. */
export function claimedUpload(
  order: Order,
  shipment: Shipment,
  version: number,
  now: number,
  leaseMs: number,
): ShippingUpload {
  return {
    status: 'PENDING',
    version,
    attempts: 1,
    lastAttemptAt: now,
    nextAttemptAt: now + leaseMs,
    payload: uploadPayload(order, shipment, now),
  };
}

export async function shipOrder(
  deps: FulfilmentDeps,
  openid: string,
  input: ShipmentInput,
): Promise<FulfilmentChange<MerchantShipmentView>> {
  await requireMerchant(deps.db, openid);
  const order = await findOrder(deps.db, input.outTradeNo);
  if (!order) throw orderNotFound();
  const already = merchantShipmentView(order);
  if (already && !isUnshipped(order.fulfilment?.status)) return { changed: false, shipment: already };
  if (!isShippable(order.status)) throw orderNotShippable(order._id, order.status);
  const shipment = validateShipment(input, order.lines, deps.settings.expressCompanies);
  const now = deps.clock.now();
  const upload = claimedUpload(order, shipment, 1, now, deps.settings.attemptLeaseMs);
  const fulfilment: Fulfilment = {
    status: 'SHIPPED',
    ...shipment,
    shippedBy: openid,
    shippedAt: now,
    amendments: 0,
    upload,
  };
  const won = await recordShipment(
    deps.db,
    order,
    fulfilment,
    shippedAlert(order, shipment, deps.settings.expressCompanies, now),
  );
  if (!won) {
    const now2 = await findOrder(deps.db, order._id);
    const view = now2 && merchantShipmentView(now2);
    if (view && !isUnshipped(now2.fulfilment?.status)) return { changed: false, shipment: view };
    throw orderNotShippable(order._id, now2?.status ?? order.status);
  }
  deps.log.info('order_shipped', { outTradeNo: order._id, logisticsType: shipment.logisticsType });
  const attempt = await attemptUpload(deps, order, upload);
  return {
    changed: true,
    shipment: merchantShipmentView({
      _id: order._id,
      fulfilment: { ...fulfilment, upload: attempt.upload },
    })!,
  };
}
