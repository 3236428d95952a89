/**
 * `request {outTradeNo, reason, refundFee?}` by the order's owner: full (default: everything not yet
 * refunded or reserved) or partial; one open refund per order at a time; REQUESTED (待审核) with the
 * merchants' "refund requested" alert in the creating write.
 */
import type { RefundChange } from '../../api';
import { findOwnOrder } from '../../orders/use-cases/own-order';
import type { RefundDeps } from '../deps';
import { ledgerRefusal } from '../failures';
import type { RequestRefundCmd } from '../parse';
import { refundView } from '../views';
import { createRefund } from './create-refund';

export async function requestRefund(
  deps: RefundDeps,
  openid: string,
  cmd: RequestRefundCmd,
): Promise<RefundChange> {
  const order = await findOwnOrder(deps.db, openid, cmd.outTradeNo);
  // The ledger enforces this under concurrency too; checked first so the answer names the real reason.
  if ((order.refundHolds ?? []).length > 0) throw ledgerRefusal('open', order._id);
  const fee = cmd.refundFee ?? order.totalFee - order.refundedFee - order.reservedFee;
  if (fee <= 0) throw ledgerRefusal('exceeds', order._id);
  const refund = await createRefund(deps, {
    order,
    refundFee: fee,
    reason: cmd.reason,
    requestedBy: 'customer',
    requester: openid,
    exclusive: true,
  });
  return { changed: true, refund: refundView(refund) };
}
