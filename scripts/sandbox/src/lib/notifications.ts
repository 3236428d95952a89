/**
 * The two notification documents, built with the shared codec.
 * - Payment (spec §4.2): fields in ASCII order like the official sample, `total_fee` as a bare number and
 *   `cash_fee` in CDATA (both occur in real ones), signed with the order's sign type; `sign_type` present
 *   or not per the includeSignType option (pitfalls 2 and 3).
 * - Refund (spec §5.2–5.4): outer return_code/appid/mch_id/nonce_str/req_info and no sign; req_info is
 *   the `<root>` document encrypted with AES-256-ECB under md5(API key).
 */
import { buildXml, encryptReqInfo, newNonce, sign, type WxInput } from '@shouyin/shared';
import { beijingDateTime } from './ids';
import type { Merchant, OrderRecord, RefundRecord } from './types';

function sorted(fields: WxInput): WxInput {
  const out: WxInput = {};
  for (const k of Object.keys(fields).sort()) out[k] = fields[k];
  return out;
}

export function payNotificationXml(
  m: Merchant,
  o: OrderRecord,
  includeSignType: 'md5' | 'never' | 'always',
): string {
  const withType = includeSignType === 'always' || (includeSignType === 'md5' && o.signType === 'MD5');
  const fields: WxInput = {
    appid: o.appid,
    attach: o.attach,
    bank_type: o.bankType ?? 'OTHERS',
    cash_fee: String(o.totalFee),
    device_info: o.deviceInfo,
    fee_type: 'CNY',
    is_subscribe: 'N',
    mch_id: o.mchId,
    nonce_str: newNonce(),
    openid: o.openid,
    out_trade_no: o.outTradeNo,
    result_code: 'SUCCESS',
    return_code: 'SUCCESS',
    sign_type: withType ? o.signType : undefined,
    time_end: o.timeEnd,
    total_fee: o.totalFee,
    trade_type: o.tradeType,
    transaction_id: o.transactionId,
  };
  fields.sign = sign(fields, m.apiKey, o.signType);
  return buildXml(sorted(fields));
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
