/**
 * Pure decisions about a payment notification (WeChat Pay v2 notes §4.3), in the order the spec requires:
 * return_code → signature → appid/mch_id → result_code → the fields we act on. Everything here runs before
 * the database is touched; `paymentMismatch` then compares a verified report with the stored order.
 */

import { notificationKeys } from '../config';
import { OUT_TRADE_NO, parseBeijingTime } from '../wxpay/ids';
import { verify } from '../wxpay/sign';
import { isSignType, type SignType, type WxFields } from '../wxpay/types';
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
  /**
   * Refused before the database: reply FAIL, change nothing. `fields` names what a verified notification
   * lacked or carried malformed (names only, never values).
   */
  | { verdict: 'reject'; reason: 'return-code' | 'signature' | 'merchant' }
  | { verdict: 'reject'; reason: 'fields'; fields: string[] };

export interface NoticeMerchant {
  appid: string;
  mchId: string;
  apiKey: string;
  /** Key rotation (config.ts): the previous key still verifies notifications until `previousApiKeyUntil`. */
  previousApiKey?: string;
  previousApiKeyUntil?: number;
  /** The merchant's configured sign type: every order is created with it (the spec's "order's own sign type"). */
  signType: SignType;
}

/**
 * The signature is checked over every received field but `sign` (§2.1: never a whitelist), with one
 * algorithm, never a guess: the notification's own `sign_type` when present (only MD5 or HMAC-SHA256),
 * else the merchant's configured sign type — the type every order is created with (§2.3, pitfall 2:
 * WeChat may omit `sign_type` for HMAC orders). No database read is needed, so nothing unverified reaches
 * the database. A notification of an order created before the merchant switched its sign type, without
 * `sign_type`, does not verify: it is refused, and `orderquery` (reconcile, `confirm`) settles that order.
 * While a key rotation is configured (`WXPAY_API_KEY_PREVIOUS_UNTIL`), the previous key verifies as well.
 */
export function verifyPayNotice(
  fields: WxFields,
  merchant: Pick<NoticeMerchant, 'apiKey' | 'signType' | 'previousApiKey' | 'previousApiKeyUntil'>,
  now: number = Date.now(),
): boolean {
  const declared = fields.sign_type;
  const algorithm = declared !== undefined && declared !== '' ? declared : merchant.signType;
  if (!isSignType(algorithm)) return false;
  // During a key rotation window the previous key verifies too (config.ts notificationKeys).
  return notificationKeys(merchant, now).some((key) => verify(fields, key, algorithm));
}

/**
 * What a successful payment notification always carries (spec §4.2, "R" fields), and the shape each must
 * have. One that lacks any of them is not proof of payment, however well signed: it is refused and the
 * order is left to `orderquery`.
 */
const REQUIRED_ON_SUCCESS: Record<string, (v: string) => boolean> = {
  nonce_str: nonEmpty,
  openid: nonEmpty,
  trade_type: nonEmpty,
  bank_type: nonEmpty,
  total_fee: (v) => parseFen(v) !== undefined,
  cash_fee: (v) => parseFen(v) !== undefined,
  transaction_id: nonEmpty,
  out_trade_no: (v) => OUT_TRADE_NO.test(v),
  time_end: (v) => parseBeijingTime(v) !== undefined,
};

function nonEmpty(v: string): boolean {
  return v.trim() !== '';
}

/** Names of the required fields that are missing or malformed, plus an amount in another currency. */
function badFields(fields: WxFields): string[] {
  const bad = Object.entries(REQUIRED_ON_SUCCESS)
    .filter(([name, ok]) => {
      const v = fields[name];
      return v === undefined || !ok(v);
    })
    .map(([name]) => name);
  // fee_type is optional and CNY is the only currency a mini-program order is created in.
  if (fields.fee_type !== undefined && fields.fee_type !== 'CNY') bad.push('fee_type');
  return bad;
}

export function checkPayNotice(
  fields: WxFields,
  merchant: NoticeMerchant,
  now: number = Date.now(),
): NoticeVerdict {
  if (fields.return_code !== 'SUCCESS') return { verdict: 'reject', reason: 'return-code' };
  if (!verifyPayNotice(fields, merchant, now)) return { verdict: 'reject', reason: 'signature' };
  if (fields.appid !== merchant.appid || fields.mch_id !== merchant.mchId)
    return { verdict: 'reject', reason: 'merchant' };
  if (fields.result_code === 'FAIL') return { verdict: 'ignore', reason: 'result-not-success' };
  if (fields.result_code !== 'SUCCESS')
    return { verdict: 'reject', reason: 'fields', fields: ['result_code'] };
  const bad = badFields(fields);
  if (bad.length > 0) return { verdict: 'reject', reason: 'fields', fields: bad };
  return {
    verdict: 'settle',
    report: {
      outTradeNo: fields.out_trade_no!,
      transactionId: fields.transaction_id!,
      totalFee: parseFen(fields.total_fee),
      openid: fields.openid,
      timeEnd: fields.time_end,
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
