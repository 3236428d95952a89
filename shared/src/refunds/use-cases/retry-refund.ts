/**
 * `retry {refundId, fundSource?}` by a merchant: a FAILED refund is sent again with the SAME out_refund_no
 * and amounts (WeChat Pay v2 notes §6), from the available balance (refund_account =
 * REFUND_SOURCE_RECHARGE_FUNDS) when the merchant chooses it — the fix for NOTENOUGH. The amount is
 * reserved again first (it was released when the refund failed); FAILED → PROCESSING has one winner.
 */
import type { RefundChange } from '../../api';
import { requireMerchant } from '../../orders/merchants';
import { REFUND_TIMING, type RefundDeps } from '../deps';
import { ledgerRefusal, refundState } from '../failures';
import { changeLedger } from '../ledger';
import type { FundSource } from '../parse';
import type { RefundAccount } from '../records';
import { REFUND_STATUS } from '../state';
import { findRefund, transitionRefund } from '../store';
import { refundView } from '../views';
import { findAnyRefund } from './own-refund';
import { sendRefund } from './send-refund';

const ACCOUNT: Record<FundSource, RefundAccount> = {
  available: 'REFUND_SOURCE_RECHARGE_FUNDS',
  unsettled: 'REFUND_SOURCE_UNSETTLED_FUNDS',
};

export async function retryRefund(
  deps: RefundDeps,
  openid: string,
  cmd: { refundId: string; fundSource?: FundSource },
): Promise<RefundChange> {
  await requireMerchant(deps.db, openid);
  const refund = await findAnyRefund(deps.db, cmd.refundId);
  if (refund.status === REFUND_STATUS.PROCESSING || refund.status === REFUND_STATUS.SUCCESS)
    return { changed: false, refund: refundView(refund) };
  if (refund.status !== REFUND_STATUS.FAILED) throw refundState(refund.status, 'retried');
  const at = deps.clock.now();
  const reserved = await changeLedger(
    deps.db,
    refund.outTradeNo,
    { kind: 'reserve', id: refund._id, fee: refund.refundFee, counts: false },
    { at, by: 'customer', why: `refund ${refund._id} retried` },
  );
  if (reserved.outcome === 'refused') throw ledgerRefusal(reserved.reason, refund.outTradeNo);
  const t = await transitionRefund(deps.db, refund, {
    event: 'RETRY',
    by: 'merchant',
    who: openid,
    at,
    why: cmd.fundSource ? `retried from the ${cmd.fundSource} funds` : 'retried',
    set: {
      ...(cmd.fundSource ? { refundAccount: ACCOUNT[cmd.fundSource] } : {}),
      processingSince: at,
      nextCheckAt: at + REFUND_TIMING.recheckMs,
      stuckAlerted: false,
    },
  });
  if (!t.changed)
    return { changed: false, refund: refundView((await findRefund(deps.db, cmd.refundId)) ?? refund) };
  const sent = await sendRefund(deps, t.refund, 'merchant');
  return { changed: true, refund: refundView(sent.refund) };
}
