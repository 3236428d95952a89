/**
 * What each channel sends for one delivery: the subscribe message (template data cut to its rules), the
 * receipt (order or refund, from the stored order), the robot's markdown. Pure, given the order read.
 */
import type { Order } from '../orders/records';
import type { TemplateConfig } from './config';
import { beijingMinute, templateData, yuan } from './format';
import { renderOrderReceipt, renderRefundReceipt } from './receipt';
import type { AlertFacts } from './records';
import type { SubscribeMessageData } from './subscribe-sender';
import { alertRule } from './table';

export function subscribeMessage(
  facts: AlertFacts,
  touser: string,
  template: TemplateConfig,
  settings: { page: string; miniprogramState: SubscribeMessageData['miniprogramState'] },
): SubscribeMessageData {
  return {
    touser,
    templateId: template.id,
    page: `${settings.page}?outTradeNo=${encodeURIComponent(facts.outTradeNo)}`,
    data: templateData(template.fields, alertRule(facts.kind), facts),
    miniprogramState: settings.miniprogramState,
    lang: 'zh_CN',
  };
}

/** The buyer's page when ALERT_CUSTOMER_PAGE is not set: the order detail of the mini-program. */
export const DEFAULT_CUSTOMER_PAGE = 'pages/order/order';

/**
 * The buyer's subscribe message: the customer words of the kind's rule (table.ts `customer`), the merchant
 * rule's amount, the customer template's keys; `page` opens the buyer's own order.
 */
export function customerMessage(
  facts: AlertFacts,
  touser: string,
  template: TemplateConfig,
  settings: { customerPage?: string; miniprogramState: SubscribeMessageData['miniprogramState'] },
): SubscribeMessageData {
  const rule = alertRule(facts.kind);
  if (!rule.customer) throw new Error(`${facts.kind} has no customer message`);
  const words = { title: rule.customer.title, status: rule.customer.status, amount: rule.amount };
  const page = settings.customerPage ?? DEFAULT_CUSTOMER_PAGE;
  return {
    touser,
    templateId: template.id,
    page: `${page}?outTradeNo=${encodeURIComponent(facts.outTradeNo)}`,
    data: templateData(template.fields, words, facts),
    miniprogramState: settings.miniprogramState,
    lang: 'zh_CN',
  };
}

export function receiptFor(
  facts: AlertFacts,
  shopName: string,
  order: Order | undefined,
  reprint = false,
): string {
  const rule = { ...alertRule(facts.kind) };
  if (reprint) rule.title = `${rule.title}（补打）`;
  if (rule.receipt === 'refund')
    return renderRefundReceipt({
      shopName,
      title: rule.title,
      outTradeNo: facts.outTradeNo,
      outRefundNo: facts.refundId,
      at: facts.at,
      refundFee: facts.refundFee ?? 0,
      totalFee: order?.totalFee ?? facts.totalFee,
      reason: facts.detail,
    });
  return renderOrderReceipt({
    shopName,
    title: rule.title,
    outTradeNo: facts.outTradeNo,
    at: order?.paidAt ?? facts.at,
    lines: order?.lines ?? [],
    totalFee: order?.totalFee ?? facts.totalFee ?? 0,
    remark: order?.remark,
  });
}

const md = (s: string) => s.replace(/[<>*_`[\]]/g, ' ');

export function robotMarkdown(facts: AlertFacts, shopName: string): string {
  const rule = alertRule(facts.kind);
  const fee = rule.amount === 'refund' ? facts.refundFee : facts.totalFee;
  return [
    `**${md(shopName)}：${rule.title}** <font color="warning">${rule.status}</font>`,
    `> 订单号：${facts.outTradeNo}`,
    ...(facts.refundId ? [`> 退款单号：${facts.refundId}`] : []),
    ...(fee !== undefined ? [`> 金额：${yuan(fee)}`] : []),
    `> 时间：${beijingMinute(facts.at)}`,
    ...(facts.detail ? [`> 说明：${md(facts.detail).slice(0, 200)}`] : []),
  ].join('\n');
}
