/**
 * The app's own settings. ENV_ID: your CloudBase environment id (DevTools → 云开发 → 设置); empty = the
 * default (first) environment. Template ids: the customer's subscribe-message templates (订阅消息 in
 * mp.weixin.qq.com), offered right after payment: payment result, shipped, refund result (at most 3).
 */
export const ENV_ID = '';

export const CUSTOMER_TEMPLATE_IDS: readonly string[] = [];
