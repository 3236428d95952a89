/**
 * The app's own settings. ENV_ID: your CloudBase environment id (DevTools → 云开发 → 设置); empty = the
 * default (first) environment. Template ids: the customer's subscribe-message templates (订阅消息 in
 * mp.weixin.qq.com), offered right after payment: payment result, shipped, refund result (at most 3).
 *
 * CUSTOMER_TEMPLATE_IDS below are the local stack's demo templates (orderAlert's ALERT_TEMPLATES slots
 * customerOrder, customerShipped, customerRefund, as `npm start` wires them). A shop puts its own template
 * ids here AND in orderAlert's ALERT_TEMPLATES (same ids, same order: payment result, shipped, refund
 * result); WeChat refuses unknown ids, which only means the checkout offers no subscription.
 */
export const ENV_ID = '';

export const CUSTOMER_TEMPLATE_IDS: readonly string[] = [
  'demo-tmpl-customer-paid',
  'demo-tmpl-customer-shipped',
  'demo-tmpl-customer-refund',
];
