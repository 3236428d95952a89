/**
 * The callable actions of Shouyin's cloud functions, as the mini-program sees them: request and response
 * types, the answer envelope, and the one table of stable error codes (documented in docs/api.md).
 * Money is integer fen; times are epoch milliseconds. This module holds no runtime logic beyond the code
 * table, so the mini-program can import it as is.
 */
import type { FulfilmentStatus, UploadStatus } from './fulfilment/state';
import type { OrderStatus } from './orders/state';
import type { RequestPaymentParams } from './wxpay/pay-sign';

export type { OrderStatus, RequestPaymentParams };

// ------------------------------------------------------------------------------------ the envelope

export type ApiSuccess<T> = { ok: true; data: T };
export type ApiFailure = { ok: false; error: { code: ErrorCode; message: string } };
export type ApiAnswer<T> = ApiSuccess<T> | ApiFailure;

/**
 * Every code an answer can carry. `retryable`: the same call may succeed later unchanged (for `create`,
 * retry with the same requestId: it can never produce a second order).
 */
export const ERROR_CODES = {
  INVALID_INPUT: {
    retryable: false,
    meaning: 'The request is malformed (unknown action, bad ids, cart limits).',
  },
  UNAUTHENTICATED: {
    retryable: false,
    meaning: 'No mini-program user in the call context (OPENID missing).',
  },
  FORBIDDEN: {
    retryable: false,
    meaning: 'This action is internal and refuses calls from mini-program users.',
  },
  NOT_MERCHANT: {
    retryable: false,
    meaning: "The caller's openid is not listed in any `merchants` document's reviewerOpenids.",
  },
  NOT_FOUND: { retryable: false, meaning: "No such order among the caller's own orders." },
  PRODUCT_UNAVAILABLE: {
    retryable: false,
    meaning: 'A product in the cart does not exist or is not on sale.',
  },
  ORDER_TOO_LARGE: { retryable: false, meaning: 'The cart total exceeds what one order may hold.' },
  TOO_MANY_UNPAID_ORDERS: {
    retryable: false,
    meaning: 'The caller already holds the maximum of unpaid orders.',
  },
  REQUEST_ID_REUSED: { retryable: false, meaning: 'The requestId was already used for a different cart.' },
  REQUEST_IN_PROGRESS: {
    retryable: true,
    meaning: 'Another call with this requestId is still creating the order.',
  },
  ORDER_ALREADY_PAID: { retryable: false, meaning: 'The order is paid; there is nothing left to pay.' },
  ORDER_CLOSED: {
    retryable: false,
    meaning: 'The order is closed and can no longer be paid; create a new one.',
  },
  ORDER_EXPIRED: {
    retryable: false,
    meaning: 'The payable window of the order has passed; create a new one.',
  },
  PAYMENT_REFUSED: {
    retryable: false,
    meaning: 'WeChat Pay refused the order; it was closed with the reason.',
  },
  PAYMENT_PENDING: {
    retryable: true,
    meaning:
      "WeChat Pay's answer is unknown for now; the order stays unpaid. Retry (same requestId) or resume.",
  },
  INTERNAL: { retryable: true, meaning: 'Unexpected server error; details are in the function log only.' },
  ORDER_NOT_SHIPPABLE: {
    retryable: false,
    meaning: 'Only a PAID or PARTIALLY_REFUNDED order can be shipped.',
  },
  ORDER_NOT_SHIPPED: {
    retryable: false,
    meaning: 'The order is not in SHIPPED (not shipped yet, or already received).',
  },
  AMENDMENT_USED: {
    retryable: false,
    meaning: 'The shipment was already amended once (WeChat allows one modification per payment).',
  },
  REFUND_NOT_FOUND: {
    retryable: false,
    meaning: "No such refund (for a customer: among the refunds of the caller's own orders).",
  },
  REFUND_NOT_ALLOWED: {
    retryable: false,
    meaning: 'The order cannot be refunded (not paid, or past the one-year refund window).',
  },
  REFUND_EXCEEDS_PAID: {
    retryable: false,
    meaning: 'Refunded plus in-flight plus this amount would exceed what was paid.',
  },
  REFUND_LIMIT_REACHED: { retryable: false, meaning: 'The order already has 50 refunds (WeChat’s limit).' },
  REFUND_IN_PROGRESS: {
    retryable: false,
    meaning: 'The order already has an open refund (待审核 / 退款中 / 退款失败); one at a time.',
  },
  REFUND_STATE: {
    retryable: false,
    meaning: 'The refund is not in a state that allows this action (e.g. approving a rejected one).',
  },
} as const satisfies Record<string, { retryable: boolean; meaning: string }>;

export type ErrorCode = keyof typeof ERROR_CODES;

export function isErrorCode(code: unknown): code is ErrorCode {
  return typeof code === 'string' && Object.hasOwn(ERROR_CODES, code);
}

// ------------------------------------------------------------------------- createPayment (callFunction)

export interface CartItemInput {
  productId: string;
  /** Integer 1–999. */
  quantity: number;
}

/** `create`: 1–50 lines; prices come from the catalogue, the payer from the call context. */
export interface CreatePaymentInput {
  items: CartItemInput[];
  /** Up to 200 characters, shown to the merchant. */
  remark?: string;
  /** Idempotency key, 8–64 chars of [A-Za-z0-9_-]: mint it once per checkout and reuse it on every retry. */
  requestId: string;
}

export interface OrderRefInput {
  outTradeNo: string;
}

export interface ListOrdersInput {
  /** `nextCursor` of the previous page. */
  cursor?: string;
  /** 1–50, default 20. */
  limit?: number;
}

/** What `create` and `resume` return: `payment` goes to `wx.requestPayment` as is (appId is signed, not passed). */
export interface PaymentStart {
  outTradeNo: string;
  totalFee: number;
  payment: RequestPaymentParams;
}

export interface OrderLineView {
  productId: string;
  name: string;
  unitFee: number;
  quantity: number;
  lineFee: number;
}

export interface OrderView {
  outTradeNo: string;
  status: OrderStatus;
  totalFee: number;
  lines: OrderLineView[];
  remark?: string;
  createdAt: number;
  expireAt: number;
  paidAt?: number;
  transactionId?: string;
  /** WeChat reported a payment after the order had been closed: the merchant was alerted. */
  paidAfterClose?: boolean;
  closeReason?: string;
  refundedFee: number;
  /** Present once the merchant shipped (fulfilOrder `ship`). */
  shipment?: ShipmentView;
  /** The order's refunds, oldest first (absent when it has none). */
  refunds?: RefundView[];
  /** The order's refund label, derived from its refunds (待审核 / 退款中 / 退款完成 / 退款失败 / 退款异常). */
  refundLabel?: string;
}

export interface OrderPage {
  orders: OrderView[];
  nextCursor: string | null;
}

/** The actions of the `createPayment` function: request fields and answer data of each. */
export interface CreatePaymentActions {
  create: { input: CreatePaymentInput; output: PaymentStart };
  resume: { input: OrderRefInput; output: PaymentStart };
  confirm: { input: OrderRefInput; output: OrderView };
  get: { input: OrderRefInput; output: OrderView };
  list: { input: ListOrdersInput; output: OrderPage };
}
export type CreatePaymentAction = keyof CreatePaymentActions;

/** The `data` of `wx.cloud.callFunction({ name: 'createPayment', data })`. */
export type CreatePaymentRequest = {
  [A in CreatePaymentAction]: { action: A } & CreatePaymentActions[A]['input'];
}[CreatePaymentAction];

/** The answer of one createPayment action. */
export type CreatePaymentAnswer<A extends CreatePaymentAction> = ApiAnswer<CreatePaymentActions[A]['output']>;

// ----------------------------------------------------------------------------------- reconcile (timer)

/** What one reconcile run did (the timer discards it; a manual trigger shows it). */
export interface ReconcileSummary {
  scanned: number;
  paid: number;
  closed: number;
  unchanged: number;
  failed: number;
  /** The run stopped at its order or time budget; the next run continues. */
  truncated: boolean;
}

// ------------------------------------------------------------------------------- whoami (callFunction)

/** Who the caller is: the mini-program's "Me" page, and whether to show the merchant console. */
export interface WhoAmI {
  /** The caller's OPENID from the call context (register it with the admin script to become a merchant). */
  openid: string;
  /** The merchant account the caller acts for, or null for a customer. */
  merchant: { id: string; name: string } | null;
}

export interface WhoAmIActions {
  get: { input: Record<string, never>; output: WhoAmI };
}

// ---------------------------------------------------------------------------- fulfilOrder (callFunction)

export type { FulfilmentStatus };
export type ShippingUploadStatus = UploadStatus;

/** `ship` / `amend`: logisticsType 1 express (expressCompany + trackingNo; SF also receiverContact), 2 same-city, 3 virtual, 4 pickup. */
export interface ShipInput {
  outTradeNo: string;
  logisticsType: 1 | 2 | 3 | 4;
  /** A code of the express company table (SF, ZTO, YTO, YD, STO, JTSD, EMS, JD, …). */
  expressCompany?: string;
  trackingNo?: string;
  /** ≤ 120 characters; default: the order lines. */
  itemDesc?: string;
  /** The receiver's phone; stored and sent masked (last 4 digits visible). */
  receiverContact?: string;
}

/** What a customer sees of the shipment of an order. */
export interface ShipmentView {
  status: FulfilmentStatus;
  logisticsType: 1 | 2 | 3 | 4;
  expressCompany?: string;
  trackingNo?: string;
  itemDesc: string;
  shippedAt: number;
  amended: boolean;
  receivedAt?: number;
}

/** The merchant's view adds WeChat's shipping-info upload. */
export interface MerchantShipmentView extends ShipmentView {
  outTradeNo: string;
  receiverContact?: string;
  upload: {
    status: ShippingUploadStatus;
    attempts: number;
    lastError?: string;
    uploadedAt?: number;
    nextAttemptAt?: number;
  };
}

/** A lost race (another tap shipped first, receipt already confirmed) is `changed: false`, not an error. */
export interface FulfilmentChange<V> {
  changed: boolean;
  shipment: V;
}

export interface AwaitingShipment {
  outTradeNo: string;
  totalFee: number;
  paidAt: number;
  /** Hours since payment (WeChat expects shipping within 48 h). */
  ageHours: number;
  late: boolean;
}

export interface FulfilmentStatusView {
  /** isTradeManaged: the app is enrolled in WeChat's shipping-info management; null when WeChat did not answer. */
  tradeManaged: boolean | null;
  /** Oldest payment first. */
  awaitingShipment: AwaitingShipment[];
  uploadsPending: MerchantShipmentView[];
  uploadsFailed: MerchantShipmentView[];
}

export interface FulfilOrderActions {
  ship: { input: ShipInput; output: FulfilmentChange<MerchantShipmentView> };
  amend: { input: ShipInput; output: FulfilmentChange<MerchantShipmentView> };
  confirmReceipt: { input: OrderRefInput; output: FulfilmentChange<ShipmentView> };
  status: { input: Record<string, never>; output: FulfilmentStatusView };
}
export type FulfilOrderAction = keyof FulfilOrderActions;

/** What one reconcile run did for fulfilment (logged as `reconcile_fulfilment`). */
export interface FulfilmentReconcileSummary {
  uploadsTried: number;
  uploaded: number;
  uploadsDeferred: number;
  uploadsFailed: number;
  receiptsChecked: number;
  received: number;
  lateAlerts: number;
  errors: number;
  truncated: boolean;
}

// ------------------------------------------------------------------------ orderAlert (callFunction)

/** What `wx.requestSubscribeMessage` answered: templateId → accept | reject | ban | filter (errMsg ignored). */
export interface AlertSubscribeInput {
  results: Record<string, string>;
}

export interface AlertFeedInput {
  /** `nextCursor` of the previous page. */
  cursor?: number;
  /** 1–50, default 20. */
  limit?: number;
}

/**
 * The actions of `orderAlert`. `deliver` is internal (payNotify, refundNotify, reconcile: a call carrying
 * an OPENID is refused FORBIDDEN); the others are for merchants only (NOT_MERCHANT). Output shapes:
 * shared/src/alerts (SubscribeResult, AlertStatus, FeedPage, DeliverSummary, ReprintResult).
 */
export type OrderAlertAction = 'deliver' | 'subscribe' | 'status' | 'feed' | 'reprint';
// ---------------------------------------------------------------------------- applyRefund (callFunction)

/** A refund's status word (shared/src/refunds/state.ts). */
export type RefundStatusName =
  | 'REQUESTED'
  | 'CANCELLED'
  | 'REJECTED'
  | 'PROCESSING'
  | 'SUCCESS'
  | 'FAILED'
  | 'CHANGE'
  | 'CLOSED';

/** One refund as the customer (on their orders) and the merchant see it. */
export interface RefundView {
  refundId: string;
  outTradeNo: string;
  refundFee: number;
  totalFee: number;
  status: RefundStatusName;
  /** 待审核 / 退款中 / 退款完成 / 退款失败 / 退款异常 / 已拒绝 / 已取消 / 退款关闭 */
  label: string;
  reason: string;
  requestedBy: 'customer' | 'merchant' | 'vendor-platform';
  rejectReason?: string;
  /** WeChat's words for a refusal, with a plain hint (NOTENOUGH: retry from the available balance). */
  failure?: { code: string; message: string; hint?: string };
  /** Not sent yet: WeChat's one-minute rule between refunds of one order; reconcile sends it. */
  deferredUntil?: number;
  refundAccount?: string;
  wechatRefundId?: string;
  recvAccount?: string;
  createdAt: number;
  updatedAt: number;
}

/** Merchant `get`: the refund with its history. */
export interface RefundDetail extends RefundView {
  history: Array<{
    from: RefundStatusName | null;
    to: RefundStatusName;
    by: string;
    at: number;
    why: string;
  }>;
}

/** What a state-changing action answers: `changed: false` when another call got there first. */
export interface RefundChange {
  changed: boolean;
  refund: RefundView;
}

export interface RefundQueuePage {
  refunds: RefundView[];
  nextCursor: string | null;
}

/** The actions of the `applyRefund` function: request fields and answer data of each. */
export interface ApplyRefundActions {
  /** The order's owner; refundFee defaults to everything not yet refunded. */
  request: { input: { outTradeNo: string; reason: string; refundFee?: number }; output: RefundChange };
  cancel: { input: { refundId: string }; output: RefundChange };
  approve: { input: { refundId: string }; output: RefundChange };
  reject: { input: { refundId: string; reason: string }; output: RefundChange };
  start: { input: { outTradeNo: string; refundFee: number; reason: string }; output: RefundChange };
  retry: { input: { refundId: string; fundSource?: 'unsettled' | 'available' }; output: RefundChange };
  queue: {
    input: { status?: RefundStatusName; cursor?: string; limit?: number };
    output: RefundQueuePage;
  };
  get: { input: { refundId: string }; output: RefundDetail };
}
export type ApplyRefundAction = keyof ApplyRefundActions;

/** What one reconcile run did for refunds. */
export interface ReconcileRefundsSummary {
  scanned: number;
  sent: number;
  settled: number;
  unchanged: number;
  stuck: number;
  failed: number;
  /** Reservations released because no refund owns them (release-orphan-holds.ts). */
  orphansReleased: number;
  truncated: boolean;
}
