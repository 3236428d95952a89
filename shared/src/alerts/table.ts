/**
 * THE one table of merchant alerts: for every outbox kind (records.ts OUTBOX_KINDS), who receives it, on
 * which channels, with which subscribe-message template slot, and what it says. Template ids and the
 * template key → value mapping come from configuration (config.ts `ALERT_TEMPLATES`); a channel that is not
 * configured simply gets no deliveries. Recipients are always the shop's merchants: every openid in a
 * `merchants` document's `alertOpenids` for subscribe messages, the shop's printer, the shop's group robot.
 *
 * Three template slots, because `wx.requestSubscribeMessage` takes at most 3 templates per tap in the older
 * documentation (5 now): the merchant console asks for all three with one tap.
 */
import type { OutboxKind } from '../orders/records';
import type { AlertChannel } from './records';

export type TemplateSlot = 'order' | 'refund' | 'anomaly';
export const TEMPLATE_SLOTS: readonly TemplateSlot[] = ['order', 'refund', 'anomaly'];

export interface AlertRule {
  /** Who: the shop's merchants (the only recipients there are today). */
  to: 'merchants';
  channels: readonly AlertChannel[];
  /** Subscribe messages use this slot's template. */
  template: TemplateSlot;
  /** Short title (a `thing` value: ≤ 20 characters). */
  title: string;
  /** Status word (a `phrase` value: ≤ 5 Chinese characters). */
  status: string;
  /** Which amount the alert shows. */
  amount: 'total' | 'refund';
  /** Listed in the merchant feed (paid orders, refund requests, anomalies). */
  feed: boolean;
  /** Printer: which receipt (only kinds with 'printer' among their channels). */
  receipt?: 'order' | 'refund';
}

const all: readonly AlertChannel[] = ['subscribe', 'printer', 'wecom'];
const noPrint: readonly AlertChannel[] = ['subscribe', 'wecom'];

export const ALERT_TABLE: Readonly<Record<OutboxKind, AlertRule>> = {
  ORDER_PAID: {
    to: 'merchants',
    channels: all,
    template: 'order',
    title: '新订单已支付',
    status: '已支付',
    amount: 'total',
    feed: true,
    receipt: 'order',
  },
  ORDER_PAID_AFTER_CLOSE: {
    to: 'merchants',
    channels: all,
    template: 'anomaly',
    title: '订单关闭后收到付款',
    status: '需处理',
    amount: 'total',
    feed: true,
    receipt: 'order',
  },
  PAYMENT_MISMATCH: {
    to: 'merchants',
    channels: noPrint,
    template: 'anomaly',
    title: '支付通知与订单不符',
    status: '需核对',
    amount: 'total',
    feed: true,
  },
  REFUND_REQUESTED: {
    to: 'merchants',
    channels: all,
    template: 'refund',
    title: '顾客申请退款',
    status: '待审核',
    amount: 'refund',
    feed: true,
    receipt: 'refund',
  },
  REFUND_SUCCEEDED: {
    to: 'merchants',
    channels: all,
    template: 'refund',
    title: '退款成功',
    status: '退款成功',
    amount: 'refund',
    feed: false,
    receipt: 'refund',
  },
  REFUND_FAILED: {
    to: 'merchants',
    channels: noPrint,
    template: 'refund',
    title: '退款失败',
    status: '退款失败',
    amount: 'refund',
    feed: true,
  },
  REFUND_ABNORMAL: {
    to: 'merchants',
    channels: noPrint,
    template: 'anomaly',
    title: '退款异常请到商户平台处理',
    status: '退款异常',
    amount: 'refund',
    feed: true,
  },
  REFUND_CLOSED: {
    to: 'merchants',
    channels: noPrint,
    template: 'refund',
    title: '退款已关闭',
    status: '已关闭',
    amount: 'refund',
    feed: false,
  },
  REFUND_STUCK: {
    to: 'merchants',
    channels: noPrint,
    template: 'anomaly',
    title: '退款长时间处理中',
    status: '需处理',
    amount: 'refund',
    feed: true,
  },
  ORDER_SHIPPED: {
    to: 'merchants',
    channels: ['wecom'],
    template: 'order',
    title: '订单已发货',
    status: '已发货',
    amount: 'total',
    feed: false,
  },
  SHIPPING_UPLOAD_FAILING: {
    to: 'merchants',
    channels: noPrint,
    template: 'anomaly',
    title: '发货信息上传失败',
    status: '需处理',
    amount: 'total',
    feed: true,
  },
  ORDER_UNSHIPPED_LATE: {
    to: 'merchants',
    channels: noPrint,
    template: 'anomaly',
    title: '订单超时未发货',
    status: '待发货',
    amount: 'total',
    feed: true,
  },
};

export function alertRule(kind: OutboxKind): AlertRule {
  return ALERT_TABLE[kind];
}
