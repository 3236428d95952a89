/**
 * `amend` (merchant), once: WeChat allows one modification of a payment's shipping info, so Shouyin does too.
 * The fulfilment is replaced in one conditional update (still SHIPPED, no amendment yet) with a new upload
 * version whose first attempt it claims; an outcome of the previous version arriving later is ignored.
 */
import type { FulfilmentChange, MerchantShipmentView } from '../../api';
import { orderNotFound } from '../../orders/failures';
import { requireMerchant } from '../../orders/merchants';
import { findOrder } from '../../orders/store';
import type { FulfilmentDeps } from '../deps';
import { amendmentUsed, orderNotShipped } from '../failures';
import type { Fulfilment } from '../records';
import { type ShipmentInput, validateShipment } from '../shipment';
import { isAwaitingReceipt } from '../state';
import { recordAmendment } from '../store';
import { merchantShipmentView } from '../views';
import { attemptUpload } from './attempt-upload';
import { claimedUpload } from './ship';

export { parseShipmentInput as parseAmend } from '../shipment';

export async function amendShipment(
  deps: FulfilmentDeps,
  openid: string,
  input: ShipmentInput,
): Promise<FulfilmentChange<MerchantShipmentView>> {
  await requireMerchant(deps.db, openid);
  const order = await findOrder(deps.db, input.outTradeNo);
  if (!order) throw orderNotFound();
  const current = order.fulfilment;
  if (!current || !isAwaitingReceipt(current.status)) throw orderNotShipped(order._id);
  if ((current.amendments ?? 0) > 0) throw amendmentUsed(order._id);
  const shipment = validateShipment(input, order.lines, deps.settings.expressCompanies);
  const now = deps.clock.now();
  const upload = claimedUpload(
    order,
    shipment,
    (current.upload?.version ?? 1) + 1,
    now,
    deps.settings.attemptLeaseMs,
  );
  const fulfilment: Fulfilment = {
    status: current.status,
    ...shipment,
    ...(current.shippedBy !== undefined ? { shippedBy: current.shippedBy } : {}),
    ...(current.shippedAt !== undefined ? { shippedAt: current.shippedAt } : {}),
    ...(current.lateAlertedAt !== undefined ? { lateAlertedAt: current.lateAlertedAt } : {}),
    amendments: 1,
    amendedAt: now,
    upload,
  };
  if (!(await recordAmendment(deps.db, order, fulfilment))) {
    const again = await findOrder(deps.db, order._id);
    if (again?.fulfilment && isAwaitingReceipt(again.fulfilment.status)) throw amendmentUsed(order._id);
    throw orderNotShipped(order._id);
  }
  deps.log.info('shipment_amended', { outTradeNo: order._id, version: upload.version });
  const attempt = await attemptUpload(deps, order, upload);
  return {
    changed: true,
    shipment: merchantShipmentView({
      _id: order._id,
      fulfilment: { ...fulfilment, upload: attempt.upload },
    })!,
  };
}
