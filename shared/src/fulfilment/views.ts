/** What customers and merchants see of a fulfilment (api.ts ShipmentView / MerchantShipmentView). */
import type { MerchantShipmentView, ShipmentView } from '../api';
import type { Order } from '../orders/records';
import type { Fulfilment } from './records';

type Shipped = Fulfilment & Required<Pick<Fulfilment, 'logisticsType' | 'itemDesc' | 'shippedAt'>>;

const isShippedRecord = (f: Fulfilment | undefined): f is Shipped =>
  f !== undefined && f.logisticsType !== undefined && f.itemDesc !== undefined && f.shippedAt !== undefined;

/** The customer's view, or undefined while nothing was shipped. */
export function shipmentView(order: Pick<Order, 'fulfilment'>): ShipmentView | undefined {
  const f = order.fulfilment;
  if (!isShippedRecord(f)) return undefined;
  const v: ShipmentView = {
    status: f.status,
    logisticsType: f.logisticsType,
    itemDesc: f.itemDesc,
    shippedAt: f.shippedAt,
    amended: (f.amendments ?? 0) > 0,
  };
  if (f.expressCompany !== undefined) v.expressCompany = f.expressCompany;
  if (f.trackingNo !== undefined) v.trackingNo = f.trackingNo;
  if (f.receivedAt !== undefined) v.receivedAt = f.receivedAt;
  return v;
}

export function merchantShipmentView(
  order: Pick<Order, '_id' | 'fulfilment'>,
): MerchantShipmentView | undefined {
  const base = shipmentView(order);
  const f = order.fulfilment;
  if (!base || !f?.upload) return undefined;
  const u = f.upload;
  const upload: MerchantShipmentView['upload'] = { status: u.status, attempts: u.attempts };
  if (u.lastError !== undefined) upload.lastError = u.lastError;
  if (u.uploadedAt !== undefined) upload.uploadedAt = u.uploadedAt;
  if (u.status === 'PENDING') upload.nextAttemptAt = u.nextAttemptAt;
  const v: MerchantShipmentView = { ...base, outTradeNo: order._id, upload };
  if (f.receiverContact !== undefined) v.receiverContact = f.receiverContact;
  return v;
}
