/**
 * `start {outTradeNo, refundFee, reason}` by a merchant, without a customer's request: created PROCESSING
 * (reserved like any refund, so concurrent starts can never exceed what was paid) and sent to WeChat.
 */
import type { RefundChange } from '../../api';
import { orderNotFound } from '../../orders/failures';
import { requireMerchant } from '../../orders/merchants';
import { findOrder } from '../../orders/store';
import type { RefundDeps } from '../deps';
import type { StartRefundCmd } from '../parse';
import { refundView } from '../views';
import { createRefund } from './create-refund';
import { sendRefund } from './send-refund';

export async function startRefund(
  deps: RefundDeps,
  openid: string,
  cmd: StartRefundCmd,
): Promise<RefundChange> {
  await requireMerchant(deps.db, openid);
  const order = await findOrder(deps.db, cmd.outTradeNo);
  if (!order) throw orderNotFound();
  const refund = await createRefund(deps, {
    order,
    refundFee: cmd.refundFee,
    reason: cmd.reason,
    requestedBy: 'merchant',
    requester: openid,
    exclusive: false,
  });
  const sent = await sendRefund(deps, refund, 'merchant');
  return { changed: true, refund: refundView(sent.refund) };
}
