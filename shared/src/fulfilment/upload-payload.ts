/**
 * The upload_shipping_info body for a shipment (Merchant-ops notes §1): the payment named by its
 * transaction_id (order_number_type 2), one unified delivery, the payer's openid, and upload_time in
 * RFC 3339 with the +08:00 offset WeChat's examples use.
 */
import type { Order } from '../orders/records';
import type { Shipment, ShippingUploadPayload } from './records';

/** `2022-12-15T13:29:35.120+08:00` for an epoch-ms time. */
export function rfc3339Beijing(ms: number): string {
  const d = new Date(ms + 8 * 3600_000);
  return `${d.toISOString().slice(0, 23)}+08:00`;
}

export function uploadPayload(
  order: Pick<Order, '_id' | '_openid' | 'transactionId'>,
  shipment: Shipment,
  uploadTimeMs: number,
): ShippingUploadPayload {
  if (!order.transactionId) throw new Error(`order ${order._id} has no transaction_id: not paid`);
  const entry: ShippingUploadPayload['shipping_list'][number] = { item_desc: shipment.itemDesc };
  if (shipment.trackingNo !== undefined) entry.tracking_no = shipment.trackingNo;
  if (shipment.expressCompany !== undefined) entry.express_company = shipment.expressCompany;
  if (shipment.receiverContact !== undefined) entry.contact = { receiver_contact: shipment.receiverContact };
  return {
    order_key: { order_number_type: 2, transaction_id: order.transactionId },
    logistics_type: shipment.logisticsType,
    delivery_mode: 1,
    shipping_list: [entry],
    upload_time: rfc3339Beijing(uploadTimeMs),
    payer: { openid: order._openid },
  };
}
