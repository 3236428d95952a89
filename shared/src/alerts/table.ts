/**
 * THE one table of merchant alerts: for every outbox kind (records.ts OUTBOX_KINDS), who receives it, on
 * which channels, with which subscribe-message template slot, and what it says. Template ids and the
 * template key → value mapping come from configuration (config.ts `ALERT_TEMPLATES`); a channel that is not
 * configured simply gets no deliveries. Recipients are always the shop's merchants: every openid in a
 * `merchants` document's `alertOpenids` for subscribe messages, the shop's printer, the shop's group robot.
 *
 * Three template slots, because `wx.requestSubscribeMessage` takes at most 3 templates per tap in the older
 * documentation (5 now): the merchant console asks for all three with one tap.
 *
 * Kinds with `to: 'both'` also tell the order's buyer (`customer`): one subscribe message (channel
 * `customer`, never the printer or the robot) with a customer template slot — payment result, shipped,
 * refund result: the three templates the checkout page offers in its one `wx.requestSubscribeMessage`.
 */
import type { OutboxKind } from '../orders/records';
import type { MerchantChannel } from './records';

export type TemplateSlot = 'order' | 'refund' | 'anomaly';
export const TEMPLATE_SLOTS: readonly TemplateSlot[] = ['order', 'refund', 'anomaly'];

/** The buyer's templates (ALERT_TEMPLATES, like the merchant slots; an unset slot = no customer message). */
export type CustomerTemplateSlot = 'customerOrder' | 'customerShipped' | 'customerRefund';
export const CUSTOMER_TEMPLATE_SLOTS: readonly CustomerTemplateSlot[] = [
  'customerOrder',
  'customerShipped',
  'customerRefund',
];

/** What the buyer's message says (customer-facing words; the amount is the merchant rule's). */
export interface CustomerRule {
  template: CustomerTemplateSlot;
  /** A `thing` value: ≤ 20 characters. */
  title: string;
  /** A `phrase` value: ≤ 5 Chinese characters. */
  status: string;
}

export type AlertRule = MerchantRule &
  (
    | { /** The shop's merchants only. */ to: 'merchants'; customer?: undefined }
    | { /** The shop's merchants and the order's buyer. */ to: 'both'; customer: CustomerRule }
  );

interface MerchantRule {
  channels: readonly MerchantChannel[];
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

const all: readonly MerchantChannel[] = ['subscribe', 'printer', 'wecom'];
const noPrint: readonly MerchantChannel[] = ['subscribe', 'wecom'];

export const ALERT_TABLE: Readonly<Record<OutboxKind, AlertRule>> = {
  ORDER_PAID: {
    to: 'both',
    channels: all,
    template: 'order',
    title: '新订单已支付',
    status: '已支付',
    amount: 'total',
    feed: true,
    receipt: 'order',
    customer: { template: 'customerOrder', title: '订单支付成功', status: '支付成功' },
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
    to: 'both',
    channels: all,
    template: 'refund',
    title: '退款成功',
    status: '退款成功',
    amount: 'refund',
    feed: false,
    receipt: 'refund',
    customer: { template: 'customerRefund', title: '退款成功，款项原路退回', status: '退款成功' },
  },
  REFUND_FAILED: {
    to: 'both',
    channels: noPrint,
    template: 'refund',
    title: '退款失败',
    status: '退款失败',
    amount: 'refund',
    feed: true,
    customer: { template: 'customerRefund', title: '退款未成功，商家处理中', status: '退款失败' },
  },
  REFUND_ABNORMAL: {
    to: 'both',
    channels: noPrint,
    template: 'anomaly',
    title: '退款异常请到商户平台处理',
    status: '退款异常',
    amount: 'refund',
    feed: true,
    customer: { template: 'customerRefund', title: '退款异常，商家处理中', status: '退款异常' },
  },
  REFUND_CLOSED: {
    to: 'both',
    channels: noPrint,
    template: 'refund',
    title: '退款已关闭',
    status: '已关闭',
    amount: 'refund',
    feed: false,
    customer: { template: 'customerRefund', title: '退款已关闭', status: '已关闭' },
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
    to: 'both',
    channels: ['wecom'],
    template: 'order',
    title: '订单已发货',
    status: '已发货',
    amount: 'total',
    feed: false,
    customer: { template: 'customerShipped', title: '您的订单已发货', status: '已发货' },
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
