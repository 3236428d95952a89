/**
 * payNotify: a payment notification from WeChat (WeChat Pay v2 notes §4). Raw body → safe XML parse →
 * return_code → signature → appid/mch_id (all before any database access) → the order exists → amount and
 * payer match → settle exactly once → the exact SUCCESS reply (§4.4), well inside WeChat's 5 s.
 *
 * Replies: SUCCESS for a settled or duplicate notification; FAIL (WeChat retries) for anything that does
 * not verify, an unknown order, a verified report that does not match the order (the anomaly is recorded
 * once for the merchant), or a failure of our own (the database is down: the retry will find it up).
 * Database requests: one read and one write for a first delivery, one read for a duplicate.
 */

import { awaitWithinBudget } from '../../budget';
import { XmlError } from '../../errors';
import { OUT_TRADE_NO } from '../../wxpay/ids';
import { NOTIFY_SUCCESS_XML, notifyReplyXml } from '../../wxpay/notify';
import { parseXml } from '../../wxpay/xml';
import type { NotifyDeps } from '../deps';
import { checkPayNotice } from '../pay-notice';
import { findOrder } from '../store';
import { settlePayment } from './settle-payment';

/** How long payNotify waits for alert delivery after committing (the function freezes once it answers). */
export const ALERT_BUDGET_MS = 1500;

export async function handlePayNotify(deps: NotifyDeps, body: Uint8Array | string): Promise<string> {
  const log = deps.log;
  let fields: Record<string, string>;
  try {
    fields = parseXml(body);
  } catch (err) {
    log.warn('pay_notify', { outcome: 'rejected', reason: err instanceof XmlError ? err.code : 'xml' });
    return notifyReplyXml('FAIL', 'invalid XML');
  }
  const verdict = checkPayNotice(fields, deps.settings, deps.clock.now());
  const claimedNo = OUT_TRADE_NO.test(fields.out_trade_no ?? '') ? fields.out_trade_no : undefined;
  if (verdict.verdict === 'reject') {
    log.warn('pay_notify', {
      outcome: 'rejected',
      reason: verdict.reason,
      out_trade_no: claimedNo,
      ...(verdict.reason === 'fields' ? { fields: verdict.fields } : {}),
    });
    return notifyReplyXml('FAIL', verdict.reason === 'signature' ? 'invalid signature' : 'rejected');
  }
  if (verdict.verdict === 'ignore') {
    log.info('pay_notify', { outcome: 'ignored', reason: verdict.reason, out_trade_no: claimedNo });
    return NOTIFY_SUCCESS_XML;
  }

  const { report } = verdict;
  const order = await findOrder(deps.db, report.outTradeNo);
  if (!order) {
    log.warn('pay_notify', {
      outcome: 'unknown-order',
      out_trade_no: report.outTradeNo,
      transaction_id: report.transactionId,
    });
    return notifyReplyXml('FAIL', 'unknown order');
  }
  const settled = await settlePayment(
    deps,
    order,
    { ...report, source: 'notification' },
    'wechat-notification',
  );
  log.info('pay_notify', {
    outcome: settled.outcome,
    out_trade_no: report.outTradeNo,
    transaction_id: report.transactionId,
  });
  if (settled.outcome === 'mismatch') return notifyReplyXml('FAIL', 'order mismatch');
  if (settled.outcome === 'paid' || settled.outcome === 'paid-after-close')
    await deliverWithinBudget(deps, report.outTradeNo);
  return NOTIFY_SUCCESS_XML;
}

/** The alerts of the order just settled, awaited within ALERT_BUDGET_MS; never changes the answer. */
async function deliverWithinBudget(deps: NotifyDeps, outTradeNo: string): Promise<void> {
  const deliver = deps.deliverAlerts;
  if (!deliver) return;
  await awaitWithinBudget(() => deliver(outTradeNo), ALERT_BUDGET_MS, deps.log, 'alert_delivery', {
    out_trade_no: outTradeNo,
  });
}
