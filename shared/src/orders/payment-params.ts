/**
 * The unifiedorder parameters of a new order (WeChat Pay v2 notes §3.1), computed once and stored with the
 * order so that every re-entry sends them again unchanged (§9.12).
 */
import { beijingTime, cleanText } from '../wxpay/ids';
import type { SignType } from '../wxpay/types';
import type { Order, OrderLine, StoredUnifiedOrder } from './records';

/** WeChat refuses JSAPI orders that expire sooner than 5 minutes (spec §3.1 time_expire, §7). */
export const MIN_EXPIRE_MINUTES = 5;
/**
 * Added to `time_expire` beyond the configured window. WeChat measures the window from when *it* reads the
 * request, and refuses a JSAPI order whose time_expire is under 5 minutes away ("time_expire时间过短"): the
 * start is rounded down to the second, and the request spends time in the function, on the wire and in
 * WeChat's retries. One minute covers all of that, so the documented minimum (5) always works.
 */
export const TIME_EXPIRE_MARGIN_MS = 60_000;
/** A prepay_id lives 2 h from when WeChat issued it (spec §2.4, §7). */
export const PREPAY_TTL_MS = 2 * 3600_000;
/** We stop handing a prepay_id out 10 minutes before WeChat's 2 h are over. */
export const PREPAY_LIFETIME_MS = PREPAY_TTL_MS - 10 * 60_000;
/** body is String(127); whether bytes or characters is unconfirmed (spec §3.1), so both are capped. */
export const BODY_MAX = 127;

export interface PaymentWindow {
  /** yyyyMMddHHmmss, Beijing time (functions run in UTC: CloudBase notes §1.5). */
  timeStart: string;
  timeExpire: string;
  expireAt: number;
}

/** The order's payable window: now → now + max(expireMinutes, 5) minutes + TIME_EXPIRE_MARGIN_MS. */
export function paymentWindow(nowMs: number, expireMinutes: number): PaymentWindow {
  const minutes = Number.isFinite(expireMinutes)
    ? Math.max(MIN_EXPIRE_MINUTES, Math.floor(expireMinutes))
    : MIN_EXPIRE_MINUTES;
  // WeChat's fields have whole seconds; expireAt matches time_expire exactly.
  const start = Math.floor(nowMs / 1000) * 1000;
  const expireAt = start + minutes * 60_000 + TIME_EXPIRE_MARGIN_MS;
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
  /** The algorithm the request is signed with: stored, so every re-entry repeats it (issue 9.5). */
  signType: SignType;
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
      sign_type: p.signType,
    },
  };
}

/** The algorithm an order's unifiedorder was signed with (orders stored before issue 9.5 lack `sign_type`). */
export function orderSignType(order: Pick<Order, 'signType' | 'unifiedOrder'>): SignType {
  return order.unifiedOrder.sign_type ?? order.signType;
}

/** The parameters a re-entry sends: exactly what was signed the first time, algorithm included (§9.12). */
export function reentryRequest(order: Pick<Order, 'signType' | 'unifiedOrder'>): StoredUnifiedOrder {
  return { ...order.unifiedOrder, sign_type: orderSignType(order) };
}

/**
 * Until when the prepay_id WeChat just returned may be handed out. WeChat keeps one prepay for 2 h from
 * when *it* issued it, and a re-entry inside that time returns the same id (spec §3.1, §7) — so a returned
 * id is not a fresh one. We never learn the issue time, so we take the earliest it can have been: the id we
 * already hold keeps the expiry we gave it; a new id was issued no earlier than the previous one expired
 * (our recorded expiry, itself early), or for the first one, than the order was created (the order is
 * written before its first unifiedorder). Early is safe: past it, the next payment re-enters again and
 * WeChat hands out whichever prepay is live.
 */
export function prepayExpiry(
  order: Pick<Order, 'createdAt' | 'prepayId' | 'prepayExpiresAt'>,
  prepayId: string,
): number {
  if (prepayId === order.prepayId && order.prepayExpiresAt !== undefined) return order.prepayExpiresAt;
  return (order.prepayExpiresAt ?? order.createdAt) + PREPAY_LIFETIME_MS;
}
