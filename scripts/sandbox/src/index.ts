/**
 * @shouyin/sandbox — a local simulator of the WeChat Pay v2 merchant API (api.mch.weixin.qq.com) for
 * mini-program payment and refund. See docs/sandbox.md.
 */
export type {
  ListFilter,
  NotificationView,
  OrderView,
  PayArgs,
  SandboxControl,
  SetBalanceArgs,
  SettleRefundArgs,
  VendorRefundArgs,
} from './lib/control';
export type { ApiEndpointName, ApiFaultKind, Fault, FaultSpec, NotifyFaultKind } from './lib/faults';
export { DEMO_MERCHANT } from './lib/merchants';
export {
  type PaymentNotificationInput,
  paymentNotificationFields,
  paymentNotificationXml,
  refundNotificationPlaintext,
  refundNotificationXml,
} from './lib/notifications';
export { WECHAT_RETRY_SCHEDULE_MS } from './lib/notifier';
export type { PayOutcome } from './lib/payer';
export { type Sandbox, startSandbox } from './lib/sandbox';
export type {
  Balances,
  ClockOptions,
  DeliveryRecord,
  FundFlow,
  MerchantConfig,
  NotificationRecord,
  NotifyOptions,
  OrderRecord,
  RefundRecord,
  SandboxInfo,
  SandboxOptions,
} from './lib/types';
