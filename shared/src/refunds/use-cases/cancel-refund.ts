/** `cancel {refundId}` by the customer who asked, while still REQUESTED: CANCELLED, reservation released. */
import type { RefundChange } from '../../api';
import type { RefundDeps } from '../deps';
import { refundState } from '../failures';
import { changeLedger } from '../ledger';
import { REFUND_STATUS } from '../state';
import { findRefund, transitionRefund } from '../store';
import { refundView } from '../views';
import { findOwnRefund } from './own-refund';

export async function cancelRefund(
  deps: RefundDeps,
  openid: string,
  refundId: string,
): Promise<RefundChange> {
  const refund = await findOwnRefund(deps.db, openid, refundId);
  if (refund.status === REFUND_STATUS.CANCELLED) return { changed: false, refund: refundView(refund) };
  if (refund.status !== REFUND_STATUS.REQUESTED) throw refundState(refund.status, 'cancelled');
  const at = deps.clock.now();
  const t = await transitionRefund(deps.db, refund, {
    event: 'CANCEL',
    by: 'customer',
    who: openid,
    at,
    why: 'cancelled by the customer',
  });
  if (!t.changed)
    return { changed: false, refund: refundView((await findRefund(deps.db, refundId)) ?? refund) };
  await changeLedger(
    deps.db,
    refund.outTradeNo,
    { kind: 'release', id: refund._id },
    { at, by: 'customer', why: `refund ${refund._id} cancelled` },
  );
  return { changed: true, refund: refundView(t.refund) };
}
