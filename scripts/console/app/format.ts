// Display helpers: money is integer fen on the wire and ¥ yuan on screen; times in Beijing time, as the shop sees them.

export const yuan = (fen: unknown): string =>
  typeof fen === 'number' && Number.isFinite(fen) ? `¥${(fen / 100).toFixed(2)}` : '—';

const pad = (n: number) => String(n).padStart(2, '0');

/** Beijing time (UTC+8) of epoch ms or an ISO string. */
export function beijing(t: unknown): string {
  const ms = typeof t === 'number' ? t : typeof t === 'string' ? Date.parse(t) : Number.NaN;
  if (!Number.isFinite(ms)) return '—';
  const d = new Date(ms + 8 * 3600_000);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
}

export const STATUS_LABELS: Record<string, string> = {
  NOTPAY: '待支付',
  PAID: '已支付',
  CLOSED: '已关闭',
  PARTIALLY_REFUNDED: '部分退款',
  REFUNDED: '已退款',
};
export const statusLabel = (s: string): string => STATUS_LABELS[s] ?? s;

export const ACTOR_LABELS: Record<string, string> = {
  customer: '顾客',
  'wechat-notification': '微信通知',
  confirm: '主动查单',
  reconcile: '对账',
  'create-payment': '下单',
  merchant: '商家',
};

/** Refund states as the customer and the merchant read them (shared/src/refunds/state.ts REFUND_LABELS). */
export const REFUND_LABELS: Record<string, string> = {
  REQUESTED: '待审核',
  CANCELLED: '已取消',
  REJECTED: '已拒绝',
  PROCESSING: '退款中',
  SUCCESS: '退款完成',
  FAILED: '退款失败',
  CHANGE: '退款异常',
  CLOSED: '退款关闭',
};

/** Fulfilment states (shared/src/fulfilment/state.ts). */
export const FULFILMENT_LABELS: Record<string, string> = {
  UNSHIPPED: '待发货',
  SHIPPED: '已发货',
  RECEIVED: '已收货',
};
