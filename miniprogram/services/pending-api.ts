/**
 * PROVISIONAL request/response types of the three functions built in parallel with the mini-program
 * (issues 10 refunds `applyRefund`, 11 alerts `orderAlert`, 12 fulfilment `fulfilOrder`), and the fields
 * they add to createPayment's order views. Action names and inputs follow the issue texts; outputs are our
 * best reading. When those functions land, this file becomes re-exports of their shared/src/api.ts types
 * (one-file change): nothing else in the mini-program names these shapes' origin.
 */
import type { CreatePaymentActions, OrderRefInput, OrderView } from './api-types';

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

// ------------------------------------------------------------------------------- applyRefund (issue 10)

/** DESIGN.md "Refund states". */
export type RefundStatus =
  | 'REQUESTED'
  | 'REJECTED'
  | 'PROCESSING'
  | 'SUCCESS'
  | 'FAILED'
  | 'CHANGE'
  | 'CLOSED';

/** Where a retried refund takes the money from: `available` sends refund_account=REFUND_SOURCE_RECHARGE_FUNDS. */
export type RefundFundSource = 'unsettled' | 'available';

export interface RefundView {
  /** = out_refund_no, minted once and reused by every retry. */
  refundId: string;
  outTradeNo: string;
  status: RefundStatus;
  refundFee: number;
  totalFee: number;
  reason: string;
  requestedBy: 'customer' | 'merchant';
  createdAt: number;
  updatedAt: number;
  /** WeChat's words for a FAILED refund (err_code_des), and a plain hint (e.g. for NOTENOUGH). */
  failure?: { code: string; message: string; hint?: string };
  rejectReason?: string;
  fundSource?: RefundFundSource;
}

export interface RefundHistoryEntry {
  from: RefundStatus | null;
  to: RefundStatus;
  by: string;
  at: number;
  why?: string;
}

export interface ApplyRefundActions {
  request: { input: { outTradeNo: string; reason: string; refundFee?: number }; output: RefundView };
  cancel: { input: { refundId: string }; output: RefundView };
  approve: { input: { refundId: string }; output: RefundView };
  reject: { input: { refundId: string; reason: string }; output: RefundView };
  start: { input: { outTradeNo: string; refundFee: number; reason: string }; output: RefundView };
  retry: { input: { refundId: string; fundSource?: RefundFundSource }; output: RefundView };
  queue: {
    input: { status?: RefundStatus; cursor?: string; limit?: number };
    output: Page<RefundView & { orderTotalFee?: number }>;
  };
  get: { input: { refundId: string }; output: RefundView & { history: RefundHistoryEntry[] } };
}

// ------------------------------------------------------------------------------- orderAlert (issue 11)

/** What `wx.requestSubscribeMessage` answers per template id. */
export type SubscribeDecision = 'accept' | 'reject' | 'ban' | 'filter';

export interface TemplateGrants {
  templateId: string;
  /** What the template announces (e.g. 新订单提醒). */
  title: string;
  /** Estimated sends left (one accept = one send). */
  grants: number;
}

export interface AlertStatus {
  templates: TemplateGrants[];
  /** WeChat answered 43101 (no grant left): the merchant must subscribe again. */
  needsResubscribe: boolean;
  pending: number;
  failed: number;
  lastDeliveredAt?: number;
  printer: { configured: boolean; state: 'ONLINE' | 'OFFLINE' | 'UNKNOWN' | 'NONE'; lastError?: string };
}

export interface FeedItem {
  /** The outbox entry id: `<KIND>:<subject id>`. */
  id: string;
  kind: string;
  at: number;
  outTradeNo: string;
  totalFee?: number;
  refundId?: string;
  refundFee?: number;
  detail?: string;
}

export interface OrderAlertActions {
  subscribe: {
    input: { results: Record<string, SubscribeDecision> };
    output: { templates: TemplateGrants[] };
  };
  status: { input: Record<string, never>; output: AlertStatus };
  feed: { input: { cursor?: string }; output: Page<FeedItem> };
  reprint: { input: OrderRefInput; output: { queued: boolean } };
}

// ------------------------------------------------------------------------------ fulfilOrder (issue 12)

/** 1 express, 2 same-city, 3 virtual, 4 pickup (WeChat's logistics_type). */
export type LogisticsType = 1 | 2 | 3 | 4;
export type FulfilmentState = 'UNSHIPPED' | 'SHIPPED' | 'RECEIVED';
export type UploadStatus = 'PENDING' | 'UPLOADED' | 'FAILED';

export interface ShipInput {
  outTradeNo: string;
  logisticsType: LogisticsType;
  expressCompany?: string;
  trackingNo?: string;
  itemDesc?: string;
  /** Masked, last 4 digits visible (SF Express requires it). */
  receiverContact?: string;
}

export interface FulfilmentView {
  outTradeNo: string;
  state: FulfilmentState;
  logisticsType?: LogisticsType;
  expressCompany?: string;
  trackingNo?: string;
  shippedAt?: number;
  receivedAt?: number;
  amended?: boolean;
  upload?: { status: UploadStatus; attempts: number; lastError?: string };
}

export interface AwaitingShipment {
  outTradeNo: string;
  paidAt: number;
  totalFee: number;
  summary: string;
}

export interface FulfilmentStatus {
  /** isTradeManaged (cached); null when unknown. */
  managed: boolean | null;
  /** Oldest first. */
  awaiting: AwaitingShipment[];
  uploadsPending: number;
  uploadsFailed: number;
  expressCompanies: { code: string; name: string }[];
}

export interface FulfilOrderActions {
  ship: { input: ShipInput; output: FulfilmentView };
  amend: { input: ShipInput; output: FulfilmentView };
  confirmReceipt: { input: OrderRefInput; output: FulfilmentView };
  status: { input: Record<string, never>; output: FulfilmentStatus };
}

// ------------------------------------------------------- what the three add to createPayment's views

/** An order as get/list show it once refunds and fulfilment landed (issue 10: "refunds appear on get/list"). */
export type OrderDetail = OrderView & { refunds?: RefundView[]; fulfilment?: FulfilmentView };

/** createPayment's actions with the extended views. */
export type CreatePaymentClientActions = Omit<CreatePaymentActions, 'get' | 'list' | 'confirm'> & {
  confirm: { input: OrderRefInput; output: OrderDetail };
  get: { input: OrderRefInput; output: OrderDetail };
  list: {
    input: CreatePaymentActions['list']['input'];
    output: { orders: OrderDetail[]; nextCursor: string | null };
  };
};
