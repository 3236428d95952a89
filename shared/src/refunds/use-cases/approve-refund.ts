/**
 * `approve {refundId}` by a merchant: REQUESTED → PROCESSING in one conditional update, and only the call
 * that won it sends the refund to WeChat — clicked twice, or by two merchants at once, one WeChat refund.
 * The others answer `{changed: false}` with the refund as it stands.
 */
import type { RefundChange } from '../../api';
import { requireMerchant } from '../../orders/merchants';
import { REFUND_TIMING, type RefundDeps } from '../deps';
import { refundState } from '../failures';
import { REFUND_STATUS } from '../state';
import { findRefund, transitionRefund } from '../store';
import { refundView } from '../views';
import { findAnyRefund } from './own-refund';
import { sendRefund } from './send-refund';

export async function approveRefund(
  deps: RefundDeps,
  openid: string,
  refundId: string,
): Promise<RefundChange> {
  await requireMerchant(deps.db, openid);
  const refund = await findAnyRefund(deps.db, refundId);
  if (refund.status === REFUND_STATUS.REJECTED || refund.status === REFUND_STATUS.CANCELLED)
    throw refundState(refund.status, 'approved');
  if (refund.status !== REFUND_STATUS.REQUESTED) return { changed: false, refund: refundView(refund) };
  const at = deps.clock.now();
  const t = await transitionRefund(deps.db, refund, {
    event: 'APPROVE',
    by: 'merchant',
    who: openid,
    at,
    why: 'approved',
    // Should this call die before sending, reconcile finds it due and sends it (REFUNDNOTEXIST → send).
    set: { reviewer: openid, processingSince: at, nextCheckAt: at + REFUND_TIMING.recheckMs },
  });
  if (!t.changed)
    return { changed: false, refund: refundView((await findRefund(deps.db, refundId)) ?? refund) };
  const sent = await sendRefund(deps, t.refund, 'merchant');
  return { changed: true, refund: refundView(sent.refund) };
}
