/** What a customer may see of an order (api.ts OrderView): no payer id, WeChat parameters, outbox or history. */
import type { OrderView } from '../api';
import { shipmentView } from '../fulfilment/views';
import type { Order } from './records';

export function orderView(o: Order): OrderView {
  const v: OrderView = {
    outTradeNo: o._id,
    status: o.status,
    totalFee: o.totalFee,
    lines: o.lines.map((l) => ({
      productId: l.productId,
      name: l.name,
      unitFee: l.unitFee,
      quantity: l.quantity,
      lineFee: l.lineFee,
    })),
    createdAt: o.createdAt,
    expireAt: o.expireAt,
    refundedFee: o.refundedFee,
  };
  if (o.remark !== undefined) v.remark = o.remark;
  if (o.paidAt !== undefined) v.paidAt = o.paidAt;
  if (o.transactionId !== undefined) v.transactionId = o.transactionId;
  if (o.paidAfterClose) v.paidAfterClose = true;
  if (o.closeReason !== undefined) v.closeReason = o.closeReason;
  const shipment = shipmentView(o);
  if (shipment) v.shipment = shipment;
  return v;
}
