/**
 * The one door to the server's types: shared/src/api.ts and the alert outputs in shared/src/alerts, read
 * through the declarations `npm run build` writes to shared/dist (type-only: DevTools erases these imports,
 * nothing of shared reaches the app; the declarations, unlike the sources, do not drag Node's types into the
 * mini-program's type check).
 */

import type { AlertStatus } from '../../shared/dist/alerts/use-cases/alert-status';
import type { FeedPage } from '../../shared/dist/alerts/use-cases/merchant-feed';
import type { SubscribeResult } from '../../shared/dist/alerts/use-cases/record-subscription';
import type { ReprintInput, ReprintResult } from '../../shared/dist/alerts/use-cases/reprint-receipt';
import type {
  AlertFeedInput,
  AlertSubscribeInput,
  ApplyRefundActions,
  ShipInput,
} from '../../shared/dist/api';

export type { TemplateSlot } from '../../shared/dist/alerts/table';
export type { AlertStatus } from '../../shared/dist/alerts/use-cases/alert-status';
export type { FeedItem, FeedPage } from '../../shared/dist/alerts/use-cases/merchant-feed';
export type { SubscribeResult } from '../../shared/dist/alerts/use-cases/record-subscription';
export type { ReprintInput, ReprintResult } from '../../shared/dist/alerts/use-cases/reprint-receipt';
export type {
  AlertFeedInput,
  AlertSubscribeInput,
  ApiAnswer,
  ApplyRefundActions,
  AwaitingShipment,
  CartItemInput,
  CreatePaymentActions,
  ErrorCode,
  FulfilmentStatusView,
  FulfilOrderActions,
  MerchantShipmentView,
  OrderRefInput,
  OrderStatus,
  OrderView,
  PaymentStart,
  RefundChange,
  RefundDetail,
  RefundQueuePage,
  RefundStatusName,
  RefundView,
  RequestPaymentParams,
  ShipInput,
  ShipmentView,
  WhoAmI,
  WhoAmIActions,
} from '../../shared/dist/api';

/**
 * orderAlert's merchant actions as an action map (shared/src/api.ts names the actions, `OrderAlertAction`,
 * and docs/api.md their data; the outputs are the alert use cases' own types). `deliver` is internal.
 */
export interface OrderAlertActions {
  subscribe: { input: AlertSubscribeInput; output: SubscribeResult };
  status: { input: Record<string, never>; output: AlertStatus };
  feed: { input: AlertFeedInput; output: FeedPage };
  reprint: { input: ReprintInput; output: ReprintResult };
}

/** 1 express, 2 same-city, 3 virtual, 4 pickup (WeChat's logistics_type). */
export type LogisticsType = ShipInput['logisticsType'];

/** Where a retried refund takes the money from: `available` sends refund_account=REFUND_SOURCE_RECHARGE_FUNDS. */
export type RefundFundSource = NonNullable<ApplyRefundActions['retry']['input']['fundSource']>;
