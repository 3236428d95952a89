/**
 * The documents Shouyin keeps in the cloud database (DESIGN.md "Records"). Money is integer fen
 * (fields ending in `Fee`); times are epoch milliseconds from the function's clock, so they compare,
 * serialise and page the same way everywhere (no Date/serverDate round trips through JSON).
 */

import type { Fulfilment } from '../fulfilment/records';
import type { UnifiedOrderRequest } from '../wxpay/client-api';
import type { SignType } from '../wxpay/types';
import type { OrderStatus } from './state';

export const COLLECTIONS = {
  orders: 'orders',
  refunds: 'refunds',
  requests: 'requests',
  unpaidSlots: 'unpaid_slots',
  alerts: 'alerts',
  products: 'products',
  merchants: 'merchants',
} as const;

/** One priced cart line: the name and unit price come from `products`, never from the client. */
export interface OrderLine {
  productId: string;
  name: string;
  unitFee: number;
  quantity: number;
  lineFee: number;
}

/** Who moved an order, as written into its history. */
export type Actor = 'customer' | 'wechat-notification' | 'confirm' | 'reconcile' | 'create-payment';

export interface HistoryEntry {
  /** null for the creation entry. */
  from: OrderStatus | null;
  to: OrderStatus;
  by: Actor;
  at: number;
  why: string;
}

/**
 * Events waiting for `orderAlert` (DESIGN.md "Every transition is one conditional update"). An entry rides
 * in the same conditional update as the transition that caused it, on the document that changed (an order's
 * or a refund's `outbox`), written through `outboxData` (store.ts) so the document is also marked
 * `alertsPending` and its `outboxSeq` counts the entries. The alerts module owns the one table mapping each
 * kind to its recipients, channels and templates; this list is the contract between the writers and it.
 */
export const OUTBOX_KINDS = [
  // payments
  'ORDER_PAID',
  'ORDER_PAID_AFTER_CLOSE',
  'PAYMENT_MISMATCH',
  // refunds
  'REFUND_REQUESTED',
  'REFUND_SUCCEEDED',
  'REFUND_FAILED',
  'REFUND_ABNORMAL',
  'REFUND_CLOSED',
  'REFUND_STUCK',
  // fulfilment
  'ORDER_SHIPPED',
  'SHIPPING_UPLOAD_FAILING',
  'ORDER_UNSHIPPED_LATE',
] as const;
export type OutboxKind = (typeof OUTBOX_KINDS)[number];

export interface OutboxEntry {
  /** Deterministic (`<kind>:<subject id>`), so a delivery can be recorded once per entry. */
  id: string;
  kind: OutboxKind;
  at: number;
  outTradeNo: string;
  totalFee?: number;
  transactionId?: string;
  /** Refund events: the refund's `_id` (= out_refund_no) and amount. */
  refundId?: string;
  refundFee?: number;
  /** Human-readable context (a refusal's words, a refund reason); never a secret. */
  detail?: string;
}

/** Fields every document carrying an outbox has (orders, refunds). */
export interface OutboxCarrier {
  outbox: OutboxEntry[];
  /** True while some outbox entry has not been copied into the `alerts` delivery log. */
  alertsPending?: boolean;
  /** How many entries were ever pushed: the drain clears `alertsPending` only if this did not move. */
  outboxSeq?: number;
}

/**
 * The unifiedorder parameters exactly as first sent, minus `nonce_str` and `sign` (which the client mints
 * per attempt): a re-entry sends these again byte for byte (WeChat Pay v2 notes §3.1 re-entry rule, §9.12).
 */
export type StoredUnifiedOrder = Omit<UnifiedOrderRequest, 'nonce_str'>;

export interface Order extends OutboxCarrier {
  /** = out_trade_no */
  _id: string;
  /** The payer's openid, stored explicitly: the server SDK does not add `_openid` (CloudBase notes §4.7). */
  _openid: string;
  lines: OrderLine[];
  totalFee: number;
  remark?: string;
  status: OrderStatus;
  signType: SignType;
  unifiedOrder: StoredUnifiedOrder;
  /** Valid until `prepayExpiresAt` (2 h at WeChat, less a safety margin). */
  prepayId?: string;
  prepayExpiresAt?: number;
  transactionId?: string;
  paidAt?: number;
  /** Set when WeChat reported a payment for an order already CLOSED locally: money taken, merchant alerted. */
  paidAfterClose?: boolean;
  closeReason?: string;
  closedAt?: number;
  /** Sum of successful refunds, and of refunds in flight (the refund issue maintains both). */
  refundedFee: number;
  reservedFee: number;
  /**
   * The refund ledger (shared/src/refunds/ledger.ts): bumped by every refund write of the order, which is
   * conditional on the exact refundedFee/reservedFee/refundVersion read, so reservations never interleave.
   */
  refundVersion?: number;
  /** Refunds (out_refund_no) holding a reservation in reservedFee, with the amount each holds. */
  refundHolds?: Array<{ id: string; fee: number }>;
  /** Refunds whose success was added to refundedFee (each exactly once). */
  refundsSettled?: string[];
  /** Refunds ever created for this order (WeChat allows 50). */
  refundCount?: number;
  history: HistoryEntry[];
  createdAt: number;
  /** = time_expire: WeChat refuses payment after it; reconcile closes the order. */
  expireAt: number;
  /**
   * While NOTPAY: when reconcile should next ask WeChat about it (check-schedule.ts). Reconcile reads the
   * orders due soonest first (index `status, nextCheckAt`) and moves each one it checked into the future.
   */
  nextCheckAt?: number;
  /** When a customer's `confirm` last asked WeChat (orderquery): at most one per CONFIRM_INTERVAL_MS. */
  lastConfirmAt?: number;
  /** Shipping and WeChat's shipping-info upload (fulfilment/records.ts); absent until shipped or flagged late. */
  fulfilment?: Fulfilment;
}

export interface Product {
  _id: string;
  name: string;
  /** Unit price in fen. */
  priceFee: number;
  onSale: boolean;
}

/** A merchant account: who may review refunds and who receives alerts (the alerts issue adds its grant ledger). */
export interface Merchant {
  _id: string;
  name: string;
  reviewerOpenids: string[];
  alertOpenids: string[];
}

/**
 * An idempotency record of `create`: `_id` = requestRecordId(openid, requestId). The database's unique
 * `_id` turns a retried or concurrent `create` into a read of the first order (DESIGN.md "Records").
 */
export interface RequestRecord {
  _id: string;
  openid: string;
  orderId: string;
  /** Fingerprint of the cart, so the same requestId with another cart is refused rather than misread. */
  cartKey: string;
  createdAt: number;
  /** The order was refused (unpaid-order limit) and never written: a retry may take the claim over. */
  refused?: boolean;
}

/**
 * A correctly signed payment report that does not match the order (amount or payer): nothing is settled,
 * the anomaly is recorded once (deterministic `_id`) for `orderAlert` to deliver to the merchant.
 */
export interface PaymentAnomaly {
  _id: string;
  kind: 'PAYMENT_MISMATCH';
  outTradeNo: string;
  transactionId: string;
  mismatch: Array<'amount' | 'payer'>;
  expectedFee: number;
  reportedFee: number | null;
  source: 'notification' | 'query';
  at: number;
  /** True until the alert drain has queued its deliveries (alerts module). */
  alertsPending?: boolean;
}
