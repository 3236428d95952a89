// @shouyin/emulator: a local CloudBase emulator that runs the deployable cloud function folders unchanged.
// See docs/emulator.md.

export type { Doc } from './db/values';
export type { PrintJob } from './lib/alerts/feie-printer';
export {
  type AlertAccounts,
  AlertStandIns,
  DEMO_ALERT_TEMPLATES,
  DEMO_SUBSCRIBE_TEMPLATES,
  PRINTER_PATH,
  ROBOT_PATH,
} from './lib/alerts/stand-ins';
export type { RobotPost } from './lib/alerts/wecom-robot';
export {
  type CallFunctionResponse,
  type CollectionHelper,
  DATA_FILES,
  DEFAULT_APPID,
  type Emulator,
  type EmulatorOptions,
  type EmulatorUrls,
  type HttpResponse,
  reviveDates,
  startEmulator,
} from './lib/emulator';
export type { InvocationOutcome, InvocationRecord } from './lib/host/function-host';
export type { ContextKeysMode, Identity, InvocationSource } from './lib/host/invocation-env';
export type { IntegrationEvent } from './lib/http/integration';
export type { EmulatorInfo, FunctionInfo } from './lib/info';
export {
  type LocalStack,
  type LocalStackOptions,
  NOTIFY_ROUTES,
  type SandboxInfoLike,
  type SandboxLike,
  type SandboxModuleLike,
  sandboxEnv,
  startLocalStack,
} from './lib/local-stack';
export {
  DEFAULT_SHIPPING_INDEX_DELAY_MS,
  type ShippingOptions,
  ShippingOrders,
  type ShippingOrderView,
  type ShippingPayment,
} from './lib/openapi/shipping';
export type { SubscribeMessage } from './lib/openapi/subscribe-message';
export { type LocalEnvFile, loadProject, type Project } from './lib/project';
export { nextFire, parseCron } from './lib/timers/cron';
export type { Clock } from './lib/timers/scheduler';
