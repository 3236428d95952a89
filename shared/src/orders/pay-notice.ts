/**
 * Pure decisions about a payment notification (WeChat Pay v2 notes §4.3), in the order the spec requires:
 * return_code → signature → appid/mch_id → result_code → the fields we act on. Everything here runs before
 * the database is touched; `paymentMismatch` then compares a verified report with the stored order.
 */

import { OUT_TRADE_NO } from '../wxpay/ids';
import { verify } from '../wxpay/sign';
import type { SignType, WxFields } from '../wxpay/types';
import { parseFen } from './money';
import type { Order } from './records';

/** A verified report that an order was paid (from a notification or an orderquery). */
export interface PaymentReport {
  outTradeNo: string;
  transactionId: string;
  /** undefined when absent or not a decimal integer: then the amount cannot be checked. */
  totalFee: number | undefined;
  openid: string | undefined;
  /** yyyyMMddHHmmss Beijing time. */
  timeEnd: string | undefined;
}

export type NoticeVerdict =
  | { verdict: 'settle'; report: PaymentReport }
  /** Nothing to do, and nothing WeChat should resend: reply SUCCESS. */
  | { verdict: 'ignore'; reason: 'result-not-success' }
  /** Refused before the database: reply FAIL, change nothing. */
  | { verdict: 'reject'; reason: 'return-code' | 'signature' | 'merchant' | 'fields' };

export interface NoticeMerchant {
  appid: string;
  mchId: string;
  apiKey: string;
  /** The merchant's configured sign type: every order is created with it (the spec's "order's own sign type"). */
  signType: SignType;
}

/**
 * The signature is checked over every received field but `sign` (§2.1: never a whitelist). The algorithm
 * is the notification's own `sign_type` when present, else the order's sign type — which is the merchant's
 * configured one, so no database read is needed and nothing unverified reaches the database (§2.3,
 * pitfall 2: WeChat may omit `sign_type` for HMAC orders). Orders created before the merchant switched its
 * configured sign type are still verified by the signature-length rule (32 hex = MD5, 64 = HMAC-SHA256);
 * a wrong guess can only fail to verify, since both algorithms are keyed with the secret API key.
 */
export function verifyPayNotice(
  fields: WxFields,
  merchant: Pick<NoticeMerchant, 'apiKey' | 'signType'>,
): boolean {
  if (verify(fields, merchant.apiKey, merchant.signType)) return true;
  return !fields.sign_type && verify(fields, merchant.apiKey);
}

export function checkPayNotice(fields: WxFields, merchant: NoticeMerchant): NoticeVerdict {
  if (fields.return_code !== 'SUCCESS') return { verdict: 'reject', reason: 'return-code' };
  if (!verifyPayNotice(fields, merchant)) return { verdict: 'reject', reason: 'signature' };
  if (fields.appid !== merchant.appid || fields.mch_id !== merchant.mchId)
    return { verdict: 'reject', reason: 'merchant' };
  if (fields.result_code !== 'SUCCESS') return { verdict: 'ignore', reason: 'result-not-success' };
  const outTradeNo = fields.out_trade_no;
  const transactionId = fields.transaction_id;
  if (!outTradeNo || !OUT_TRADE_NO.test(outTradeNo) || !transactionId)
    return { verdict: 'reject', reason: 'fields' };
  return {
    verdict: 'settle',
    report: {
      outTradeNo,
      transactionId,
      totalFee: parseFen(fields.total_fee),
      openid: fields.openid || undefined,
      timeEnd: fields.time_end || undefined,
    },
  };
}

export type Mismatch = 'amount' | 'payer';

/**
 * How a verified report disagrees with the order: `total_fee` (not cash_fee, which coupons lower
 * legitimately, §4.3.5) must equal the order's total, and the payer must be the order's owner. A report
 * without a payer (orderquery may omit it) is not held against the order; one without an amount is.
 */
export function paymentMismatch(
  order: Pick<Order, 'totalFee' | '_openid'>,
  report: Pick<PaymentReport, 'totalFee' | 'openid'>,
): Mismatch[] {
  const out: Mismatch[] = [];
  if (report.totalFee !== order.totalFee) out.push('amount');
  if (report.openid !== undefined && report.openid !== order._openid) out.push('payer');
  return out;
}
