/** Statuses as the customer and the merchant read them, and times in Beijing time. */
import type { OrderView, RefundStatusName, RefundView } from '../services/api-types';

export const REFUND_WORDS: { readonly [S in RefundStatusName]: string } = {
  REQUESTED: '待审核',
  CANCELLED: '已取消',
  PROCESSING: '退款中',
  SUCCESS: '退款完成',
  FAILED: '退款失败',
  CHANGE: '退款异常',
  REJECTED: '已拒绝',
  CLOSED: '退款关闭',
};

/**
 * A refund still open (待审核, 退款中, or 退款失败 waiting for the merchant's retry): the server refuses the
 * customer another one meanwhile (REFUND_IN_PROGRESS).
 */
export function isOpenRefund(r: RefundView): boolean {
  return r.status === 'REQUESTED' || r.status === 'PROCESSING' || r.status === 'FAILED';
}

export function openRefundOf(o: OrderView): RefundView | undefined {
  return (o.refunds ?? []).find(isOpenRefund);
}

/** 待支付 / 已支付 / 已发货 / 已收货 / 退款中 / 已退款 / 已关闭. */
export function orderWord(o: OrderView): string {
  switch (o.status) {
    case 'NOTPAY':
      return '待支付';
    case 'CLOSED':
      return '已关闭';
    case 'REFUNDED':
      return '已退款';
    default:
      if (openRefundOf(o)) return '退款中';
      if (o.shipment?.status === 'RECEIVED') return '已收货';
      if (o.shipment?.status === 'SHIPPED') return '已发货';
      return '已支付';
  }
}

/** An order a payment can still be started for. */
export function isPayable(o: OrderView, now: number): boolean {
  return o.status === 'NOTPAY' && o.expireAt > now;
}

/** An order the customer may ask a refund of (paid, something left, no refund on its way). */
export function isRefundable(o: OrderView): boolean {
  return (
    (o.status === 'PAID' || o.status === 'PARTIALLY_REFUNDED') &&
    o.totalFee - o.refundedFee > 0 &&
    !openRefundOf(o)
  );
}

export const LOGISTICS_WORDS: Record<number, string> = {
  1: '快递',
  2: '同城配送',
  3: '虚拟发货',
  4: '到店自提',
};

const BEIJING_MS = 8 * 3600_000;
const two = (n: number) => String(n).padStart(2, '0');

/** Epoch ms → "12-05 18:07" in Beijing time, whatever the phone's time zone. */
export function beijingTime(ms: number): string {
  const d = new Date(ms + BEIJING_MS);
  return `${two(d.getUTCMonth() + 1)}-${two(d.getUTCDate())} ${two(d.getUTCHours())}:${two(d.getUTCMinutes())}`;
}

/** A waiting time: "5 分钟", "3 小时 5 分", "2 天 1 小时". */
export function ageText(ms: number): string {
  const minutes = Math.max(0, Math.floor(ms / 60_000));
  if (minutes < 60) return `${minutes} 分钟`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return `${hours} 小时 ${minutes % 60} 分`;
  return `${Math.floor(hours / 24)} 天 ${hours % 24} 小时`;
}

/** "拿铁咖啡 ×2，黄油可颂 ×1". */
export function linesSummary(lines: readonly { name: string; quantity: number }[]): string {
  return lines.map((l) => `${l.name} ×${l.quantity}`).join('，');
}

/**
 * The express companies of fulfilOrder's built-in table (shared/src/fulfilment/express.ts; WeChat's
 * delivery ids): the merchant's picker. A code added by SHIPPING_EXPRESS_COMPANIES shows as its code.
 */
export const EXPRESS_NAMES: Record<string, string> = {
  SF: '顺丰速运',
  ZTO: '中通快递',
  YTO: '圆通速递',
  YD: '韵达速递',
  STO: '申通快递',
  JTSD: '极兔速递',
  EMS: 'EMS',
  JD: '京东物流',
  DBL: '德邦快递',
  YZPY: '邮政快递包裹',
};

/** The picker's list, in the table's order. */
export const EXPRESS_COMPANIES: readonly { code: string; name: string }[] = Object.entries(EXPRESS_NAMES).map(
  ([code, name]) => ({ code, name }),
);

export const UPLOAD_WORDS: Record<string, string> = {
  PENDING: '发货信息同步中',
  UPLOADED: '已同步微信',
  FAILED: '同步微信失败',
};
