/**
 * Pure decisions about a refund notification (WeChat Pay v2 notes §5), all before the database is touched.
 * There is no signature (§5.2), so a notification is believed only as §5.5 recommends: return_code
 * SUCCESS, the outer appid/mch_id are ours, `req_info` decrypts with our key and valid padding, the
 * plaintext parses as the flat `<root>` document with every field WeChat always sends, and — checked
 * against the database afterwards — it matches a refund we requested (or, for a 商户平台 refund, an order).
 * A payment notification posted to the refund URL (signed, no req_info) is told apart for the log.
 */
import { notificationKeys } from '../config';
import { ShouyinError } from '../errors';
import { parseFen } from '../orders/money';
import { decryptReqInfo } from '../wxpay/crypto';
import { OUT_REFUND_NO, OUT_TRADE_NO } from '../wxpay/ids';
import type { WxFields } from '../wxpay/types';
import { parseXml } from '../wxpay/xml';

export interface RefundNotice {
  outRefundNo: string;
  outTradeNo: string;
  transactionId: string;
  refundId: string;
  totalFee: number;
  refundFee: number;
  status: 'SUCCESS' | 'CHANGE' | 'REFUNDCLOSE';
  source: 'API' | 'VENDOR_PLATFORM';
  refundAccount: string;
  recvAccount: string;
  successTime?: string;
}

export type RefundNoticeReject =
  | 'return-code'
  | 'payment-notification'
  | 'merchant'
  | 'req-info-missing'
  | 'req-info-decrypt'
  | 'req-info-document'
  | 'req-info-fields';

export type RefundNoticeVerdict =
  | { verdict: 'settle'; notice: RefundNotice }
  | { verdict: 'reject'; reason: RefundNoticeReject };

const STATUSES = new Set(['SUCCESS', 'CHANGE', 'REFUNDCLOSE']);
const SOURCES = new Set(['API', 'VENDOR_PLATFORM']);
const WX_ID = /^[0-9A-Za-z]{1,32}$/;

export function checkRefundNotice(
  fields: WxFields,
  merchant: {
    appid: string;
    mchId: string;
    apiKey: string;
    previousApiKey?: string;
    previousApiKeyUntil?: number;
  },
  now: number = Date.now(),
): RefundNoticeVerdict {
  if (fields.return_code !== 'SUCCESS') return { verdict: 'reject', reason: 'return-code' };
  if (fields.req_info === undefined && (fields.sign !== undefined || fields.transaction_id !== undefined))
    return { verdict: 'reject', reason: 'payment-notification' };
  if (fields.appid !== merchant.appid || fields.mch_id !== merchant.mchId)
    return { verdict: 'reject', reason: 'merchant' };
  if (!fields.req_info) return { verdict: 'reject', reason: 'req-info-missing' };
  // During a key rotation window the previous key may be the one WeChat encrypted with: the first key
  // that decrypts with valid padding and yields the flat <root> document is the one.
  let f: WxFields | undefined;
  let reason: RefundNoticeReject = 'req-info-decrypt';
  for (const key of notificationKeys(merchant, now)) {
    let plain: string;
    try {
      plain = decryptReqInfo(fields.req_info, key);
    } catch {
      continue;
    }
    try {
      f = parseXml(plain, { roots: ['root'] });
      break;
    } catch (err) {
      if (!(err instanceof ShouyinError)) throw err;
      reason = 'req-info-document';
    }
  }
  if (f === undefined) return { verdict: 'reject', reason };
  const totalFee = parseFen(f.total_fee);
  const refundFee = parseFen(f.refund_fee);
  const ok =
    OUT_REFUND_NO.test(f.out_refund_no ?? '') &&
    OUT_TRADE_NO.test(f.out_trade_no ?? '') &&
    WX_ID.test(f.transaction_id ?? '') &&
    WX_ID.test(f.refund_id ?? '') &&
    totalFee !== undefined &&
    totalFee > 0 &&
    refundFee !== undefined &&
    refundFee > 0 &&
    parseFen(f.settlement_refund_fee) !== undefined &&
    STATUSES.has(f.refund_status ?? '') &&
    SOURCES.has(f.refund_request_source ?? '') &&
    !!f.refund_account &&
    !!f.refund_recv_accout;
  if (!ok) return { verdict: 'reject', reason: 'req-info-fields' };
  const notice: RefundNotice = {
    outRefundNo: f.out_refund_no!,
    outTradeNo: f.out_trade_no!,
    transactionId: f.transaction_id!,
    refundId: f.refund_id!,
    totalFee: totalFee!,
    refundFee: refundFee!,
    status: f.refund_status as RefundNotice['status'],
    source: f.refund_request_source as RefundNotice['source'],
    refundAccount: f.refund_account!,
    recvAccount: f.refund_recv_accout!,
  };
  if (f.success_time) notice.successTime = f.success_time;
  return { verdict: 'settle', notice };
}

/** How a believed notice disagrees with the refund we hold (empty = it is ours). */
export function refundMismatch(
  refund: { outTradeNo: string; refundFee: number; totalFee: number; refundId?: string },
  n: RefundNotice,
): string[] {
  const out: string[] = [];
  if (refund.outTradeNo !== n.outTradeNo) out.push('out_trade_no');
  if (refund.refundFee !== n.refundFee) out.push('refund_fee');
  if (refund.totalFee !== n.totalFee) out.push('total_fee');
  if (refund.refundId !== undefined && refund.refundId !== n.refundId) out.push('refund_id');
  return out;
}
