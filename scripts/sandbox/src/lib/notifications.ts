/**
 * The two notification documents, built with the shared codec.
 * - Payment (spec §4.2): fields in ASCII order like the official sample, `total_fee` as a bare number and
 *   `cash_fee` in CDATA (both occur in real ones), signed with the order's sign type; `sign_type` present
 *   or not per the includeSignType option (pitfalls 2 and 3). `paymentNotificationXml` is public: the
 *   demo, the bench and the end-to-end tests build their notifications (genuine or forged) with it.
 * - Refund (spec §5.2–5.4): outer return_code/appid/mch_id/nonce_str/req_info and no sign; req_info is
 *   the `<root>` document encrypted with AES-256-ECB under md5(API key).
 */
import { buildXml, encryptReqInfo, newNonce, type SignType, sign, type WxInput } from '@shouyin/shared';
import { beijingDateTime } from './ids';
import type { Merchant, OrderRecord, RefundRecord } from './types';

function sorted(fields: WxInput): WxInput {
  const out: WxInput = {};
  for (const k of Object.keys(fields).sort()) out[k] = fields[k];
  return out;
}

/**
 * What a payment notification says (spec §4.2). The defaults are what the sandbox sends for a JSAPI
 * payment: bank_type OTHERS, a fresh nonce_str.
 */
export interface PaymentNotificationInput {
  appid: string;
  mchId: string;
  /** The key it is signed with: the merchant's API key (any other key makes a forgery). */
  apiKey: string;
  /** The signing algorithm; also the value of `sign_type` when that is included. */
  signType: SignType;
  outTradeNo: string;
  /** Integer fen; `total_fee` and `cash_fee` (no coupons). */
  totalFee: number;
  openid: string;
  transactionId: string;
  /** `yyyyMMddHHmmss`, Beijing time. */
  timeEnd: string;
  /** Whether `sign_type` is in the document: WeChat may omit it, even for HMAC-SHA256 (pitfalls 2 and 3). */
  includeSignType: boolean;
  attach?: string;
  deviceInfo?: string;
  /** Default `OTHERS`. */
  bankType?: string;
  /** Default `JSAPI`. */
  tradeType?: string;
  /** Default a fresh one. */
  nonceStr?: string;
  /**
   * Called with the unsigned field map before signing, to change it in place (tests: a field set, removed,
   * or relabelled, still correctly signed). An undefined value is left out of the document and the signature.
   */
  edit?: (fields: WxInput) => void;
}

/**
 * The signed fields of a payment notification, `sign` included, in ASCII order like the official sample:
 * `total_fee` a number (written bare), `cash_fee` a string (written in CDATA) — both occur in real ones.
 */
export function paymentNotificationFields(input: PaymentNotificationInput): WxInput {
  const fields: WxInput = {
    appid: input.appid,
    attach: input.attach,
    bank_type: input.bankType ?? 'OTHERS',
    cash_fee: String(input.totalFee),
    device_info: input.deviceInfo,
    fee_type: 'CNY',
    is_subscribe: 'N',
    mch_id: input.mchId,
    nonce_str: input.nonceStr ?? newNonce(),
    openid: input.openid,
    out_trade_no: input.outTradeNo,
    result_code: 'SUCCESS',
    return_code: 'SUCCESS',
    sign_type: input.includeSignType ? input.signType : undefined,
    time_end: input.timeEnd,
    total_fee: input.totalFee,
    trade_type: input.tradeType ?? 'JSAPI',
    transaction_id: input.transactionId,
  };
  input.edit?.(fields);
  fields.sign = sign(fields, input.apiKey, input.signType);
  return sorted(fields);
}

/** The `<xml>` document of a payment notification (spec §4.2): `paymentNotificationFields`, in that order. */
export function paymentNotificationXml(input: PaymentNotificationInput): string {
  return buildXml(paymentNotificationFields(input));
}

/**
 * The sandbox's own notification for a paid order; `sign_type` present or not per the includeSignType
 * option: 'md5' (only for MD5 orders), 'never', 'always'.
 */
export function payNotificationXml(
  m: Merchant,
  o: OrderRecord,
  includeSignType: 'md5' | 'never' | 'always',
): string {
  return paymentNotificationXml({
    appid: o.appid,
    mchId: o.mchId,
    apiKey: m.apiKey,
    signType: o.signType,
    outTradeNo: o.outTradeNo,
    totalFee: o.totalFee,
    openid: o.openid,
    transactionId: o.transactionId!,
    timeEnd: o.timeEnd!,
    includeSignType: includeSignType === 'always' || (includeSignType === 'md5' && o.signType === 'MD5'),
    attach: o.attach,
    deviceInfo: o.deviceInfo,
    bankType: o.bankType,
    tradeType: o.tradeType,
  });
}

/** The decrypted `<root>` document of a refund notification (spec §5.4). */
export function refundNotificationPlaintext(r: RefundRecord): string {
  return buildXml(
    sorted({
      out_refund_no: r.outRefundNo,
      out_trade_no: r.outTradeNo,
      refund_account: r.refundAccount,
      refund_fee: String(r.refundFee),
      refund_id: r.refundId,
      refund_recv_accout: r.recvAccount,
      refund_request_source: r.source,
      refund_status: r.status,
      settlement_refund_fee: String(r.refundFee),
      settlement_total_fee: String(r.totalFee),
      success_time:
        r.status === 'SUCCESS' && r.finishedAt !== undefined ? beijingDateTime(r.finishedAt) : undefined,
      total_fee: String(r.totalFee),
      transaction_id: r.transactionId,
    }),
    'root',
  );
}

export function refundNotificationXml(m: Merchant, r: RefundRecord): string {
  return buildXml({
    return_code: 'SUCCESS',
    appid: r.appid,
    mch_id: r.mchId,
    nonce_str: newNonce(),
    req_info: encryptReqInfo(refundNotificationPlaintext(r), m.apiKey),
  });
}
