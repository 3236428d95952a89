/**
 * The unifiedorder parameters of a new order (WeChat Pay v2 notes §3.1), computed once and stored with the
 * order so that every re-entry sends them again unchanged (§9.12).
 */
import { beijingTime, cleanText } from '../wxpay/ids';
import type { OrderLine, StoredUnifiedOrder } from './records';

/** WeChat refuses JSAPI orders that expire sooner than 5 minutes (spec §3.1 time_expire, §7). */
export const MIN_EXPIRE_MINUTES = 5;
/** A prepay_id lives 2 h (spec §2.4, §7); we stop handing it out 10 minutes earlier. */
export const PREPAY_LIFETIME_MS = 2 * 3600_000 - 10 * 60_000;
/** body is String(127); whether bytes or characters is unconfirmed (spec §3.1), so both are capped. */
export const BODY_MAX = 127;

export interface PaymentWindow {
  /** yyyyMMddHHmmss, Beijing time (functions run in UTC: CloudBase notes §1.5). */
  timeStart: string;
  timeExpire: string;
  expireAt: number;
}

/** The order's payable window: now → now + max(expireMinutes, 5) minutes. */
export function paymentWindow(nowMs: number, expireMinutes: number): PaymentWindow {
  const minutes = Number.isFinite(expireMinutes)
    ? Math.max(MIN_EXPIRE_MINUTES, Math.floor(expireMinutes))
    : MIN_EXPIRE_MINUTES;
  // WeChat's fields have whole seconds; expireAt matches time_expire exactly.
  const start = Math.floor(nowMs / 1000) * 1000;
  const expireAt = start + minutes * 60_000;
  return { timeStart: beijingTime(start), timeExpire: beijingTime(expireAt), expireAt };
}

/**
 * The product names as WeChat shows them on the receipt: the first name, plus how many items when there
 * are several; no 4-byte characters, within 127 bytes (spec §3.1, pitfall 6).
 */
export function orderBody(lines: readonly Pick<OrderLine, 'name' | 'quantity'>[]): string {
  const count = lines.reduce((n, l) => n + l.quantity, 0);
  const first = cleanText(lines[0]?.name ?? '', BODY_MAX).trim() || '商品';
  const suffix = lines.length > 1 || count > 1 ? ` 等${count}件` : '';
  const room = BODY_MAX - Buffer.byteLength(suffix, 'utf8');
  return cleanText(first, BODY_MAX, room) + suffix;
}

export interface NewOrderParams {
  outTradeNo: string;
  totalFee: number;
  openid: string;
  lines: readonly OrderLine[];
  nowMs: number;
  expireMinutes: number;
  notifyUrl: string;
  spbillCreateIp: string;
}

export function unifiedOrderFor(p: NewOrderParams): { params: StoredUnifiedOrder; expireAt: number } {
  const w = paymentWindow(p.nowMs, p.expireMinutes);
  return {
    expireAt: w.expireAt,
    params: {
      body: orderBody(p.lines),
      out_trade_no: p.outTradeNo,
      total_fee: p.totalFee,
      spbill_create_ip: p.spbillCreateIp,
      notify_url: p.notifyUrl,
      openid: p.openid,
      trade_type: 'JSAPI',
      time_start: w.timeStart,
      time_expire: w.timeExpire,
    },
  };
}
