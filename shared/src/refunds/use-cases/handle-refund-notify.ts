/**
 * refundNotify: a refund notification from WeChat (WeChat Pay v2 notes §5). Raw body → safe XML parse →
 * checkRefundNotice (return_code, outer appid/mch_id, req_info decrypted and parsed as `<root>`, every
 * always-sent field) — all before any database access — → the refund it names, matched on out_trade_no,
 * refund_fee, total_fee (and refund_id once known) → settled exactly once → SUCCESS.
 *
 * A genuine notification of a refund made by hand in 商户平台 (refund_request_source = VENDOR_PLATFORM) for
 * one of our paid orders is recorded as a refund (its `_id` = the out_refund_no WeChat reports) and settled
 * like ours, so the order's amounts stay true and WeChat is not answered FAIL for a day.
 *
 * Replies: SUCCESS for a settled or duplicate notification; FAIL (WeChat retries) for anything that does not
 * authenticate, an unknown refund, a mismatch, or a failure of our own. The log carries the reason and the
 * refund numbers only: never req_info, its plaintext or the key.
 * Database requests: first delivery 4 (refund read, order read, order write, refund write); duplicate 1.
 */

import { awaitWithinBudget } from '../../budget';
import { XmlError } from '../../errors';
import { isPaid } from '../../orders/state';
import { findOrder } from '../../orders/store';
import { NOTIFY_SUCCESS_XML, notifyReplyXml } from '../../wxpay/notify';
import { parseXml } from '../../wxpay/xml';
import type { RefundNotifyDeps } from '../deps';
import { checkRefundNotice, type RefundNotice, refundMismatch } from '../notice';
import type { Refund } from '../records';
import { REFUND_STATUS } from '../state';
import { findRefund, insertRefund } from '../store';
import { settleRefund } from './settle-refund';

/** How long refundNotify waits for alert delivery after committing. */
export const REFUND_ALERT_BUDGET_MS = 1500;

export async function handleRefundNotify(deps: RefundNotifyDeps, body: Uint8Array | string): Promise<string> {
  const log = deps.log;
  let fields: Record<string, string>;
  try {
    fields = parseXml(body);
  } catch (err) {
    log.warn('refund_notify', { outcome: 'rejected', reason: err instanceof XmlError ? err.code : 'xml' });
    return notifyReplyXml('FAIL', 'invalid XML');
  }
  const verdict = checkRefundNotice(fields, deps.settings, deps.clock.now());
  if (verdict.verdict === 'reject') {
    if (verdict.reason === 'payment-notification')
      log.error('refund_notify', {
        outcome: 'rejected',
        reason: 'payment-notification',
        detail: 'a payment notification was sent to the refund URL: check the notify URLs in 商户平台',
      });
    else log.warn('refund_notify', { outcome: 'rejected', reason: verdict.reason });
    return notifyReplyXml('FAIL', 'rejected');
  }
  const { notice } = verdict;
  const ids = { out_refund_no: notice.outRefundNo, out_trade_no: notice.outTradeNo };

  let refund = await findRefund(deps.db, notice.outRefundNo);
  if (!refund && notice.source === 'VENDOR_PLATFORM') refund = await recordVendorRefund(deps, notice);
  if (!refund) {
    log.warn('refund_notify', { outcome: 'unknown-refund', ...ids, source: notice.source });
    return notifyReplyXml('FAIL', 'unknown refund');
  }
  const mismatch = refundMismatch(refund, notice);
  if (mismatch.length > 0) {
    log.error('refund_notify', { outcome: 'mismatch', ...ids, mismatch });
    return notifyReplyXml('FAIL', 'refund mismatch');
  }
  const settled = await settleRefund(
    deps,
    refund,
    {
      status: notice.status,
      refundId: notice.refundId,
      successTime: notice.successTime,
      recvAccount: notice.recvAccount,
      source: 'notification',
    },
    'wechat-notification',
  );
  log.info('refund_notify', { outcome: settled.outcome, ...ids, status: notice.status });
  if (settled.outcome === 'conflict') return notifyReplyXml('FAIL', 'refund state conflict');
  if (settled.outcome === 'settled') await deliverWithinBudget(deps, refund);
  return NOTIFY_SUCCESS_XML;
}

/** A 商户平台 refund of one of our paid orders, recorded PROCESSING so the settlement applies to it. */
async function recordVendorRefund(deps: RefundNotifyDeps, n: RefundNotice): Promise<Refund | undefined> {
  const order = await findOrder(deps.db, n.outTradeNo);
  if (!order || !isPaid(order.status) || order.totalFee !== n.totalFee) return undefined;
  const now = deps.clock.now();
  const refund: Refund = {
    _id: n.outRefundNo,
    outTradeNo: n.outTradeNo,
    openid: order._openid,
    totalFee: n.totalFee,
    refundFee: n.refundFee,
    status: REFUND_STATUS.PROCESSING,
    reason: '商户平台退款',
    requestedBy: 'vendor-platform',
    source: 'VENDOR_PLATFORM',
    request: {
      out_trade_no: n.outTradeNo,
      out_refund_no: n.outRefundNo,
      total_fee: n.totalFee,
      refund_fee: n.refundFee,
    },
    refundId: n.refundId,
    sends: 0,
    checks: 0,
    processingSince: now,
    outbox: [],
    history: [
      {
        from: null,
        to: REFUND_STATUS.PROCESSING,
        by: 'wechat-notification',
        at: now,
        why: 'refund made in 商户平台',
      },
    ],
    createdAt: now,
    updatedAt: now,
  };
  const r = await insertRefund(deps.db, refund);
  deps.log.warn('vendor_refund_recorded', { out_refund_no: n.outRefundNo, out_trade_no: n.outTradeNo });
  return r.inserted ? refund : r.existing;
}

/** The alerts of the refunded order, awaited within REFUND_ALERT_BUDGET_MS; never changes the answer. */
async function deliverWithinBudget(
  deps: RefundNotifyDeps,
  refund: { _id: string; outTradeNo: string },
): Promise<void> {
  const deliver = deps.deliverAlerts;
  if (!deliver) return;
  await awaitWithinBudget(
    () => deliver(refund.outTradeNo),
    REFUND_ALERT_BUDGET_MS,
    deps.log,
    'alert_delivery',
    {
      out_refund_no: refund._id,
    },
  );
}
