/** `reject {refundId, reason}` by a merchant: REQUESTED → REJECTED with the reason, reservation released. */
import type { RefundChange } from '../../api';
import { requireMerchant } from '../../orders/merchants';
import type { RefundDeps } from '../deps';
import { refundState } from '../failures';
import { changeLedger } from '../ledger';
import { REFUND_STATUS } from '../state';
import { findRefund, transitionRefund } from '../store';
import { refundView } from '../views';
import { findAnyRefund } from './own-refund';

export async function rejectRefund(
  deps: RefundDeps,
  openid: string,
  cmd: { refundId: string; reason: string },
): Promise<RefundChange> {
  await requireMerchant(deps.db, openid);
  const refund = await findAnyRefund(deps.db, cmd.refundId);
  if (refund.status === REFUND_STATUS.REJECTED) return { changed: false, refund: refundView(refund) };
  if (refund.status !== REFUND_STATUS.REQUESTED) throw refundState(refund.status, 'rejected');
  const at = deps.clock.now();
  const t = await transitionRefund(deps.db, refund, {
    event: 'REJECT',
    by: 'merchant',
    who: openid,
    at,
    why: cmd.reason,
    set: { reviewer: openid, rejectReason: cmd.reason },
  });
  if (!t.changed)
    return { changed: false, refund: refundView((await findRefund(deps.db, cmd.refundId)) ?? refund) };
  await changeLedger(
    deps.db,
    refund.outTradeNo,
    { kind: 'release', id: refund._id },
    { at, by: 'customer', why: `refund ${refund._id} rejected` },
  );
  return { changed: true, refund: refundView(t.refund) };
}
