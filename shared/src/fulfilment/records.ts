/**
 * The `fulfilment` sub-document of an order (docs/fulfilment.md). It appears when the order is shipped (or
 * when reconcile first flags it as unshipped too long) and is only ever written by conditional updates in
 * fulfilment/store.ts. Times are epoch milliseconds; contacts are stored masked only.
 */
import type { FulfilmentStatus, UploadStatus } from './state';

/** WeChat's `logistics_type`: 1 express, 2 same-city delivery, 3 virtual goods, 4 pickup by the buyer. */
export const LOGISTICS_TYPES = [1, 2, 3, 4] as const;
export type LogisticsType = (typeof LOGISTICS_TYPES)[number];

/** What the merchant shipped: the fields of one WeChat `shipping_list` entry, in our words. */
export interface Shipment {
  logisticsType: LogisticsType;
  /** Express company code from WeChat's delivery list (express; optional for same-city). */
  expressCompany?: string;
  trackingNo?: string;
  /** ≤ 120 characters; defaults to the order lines. */
  itemDesc: string;
  /** The receiver's phone, masked with the last 4 digits visible (required for SF Express). */
  receiverContact?: string;
}

/**
 * The `upload_shipping_info` request body exactly as first sent (snake_case, as on the wire): a retry sends
 * it again unchanged, upload_time included, so WeChat sees the same shipment (10060023 "not updated") and
 * never a modification.
 */
export interface ShippingUploadPayload {
  order_key:
    | { order_number_type: 1; mchid: string; out_trade_no: string }
    | { order_number_type: 2; transaction_id: string };
  logistics_type: LogisticsType;
  delivery_mode: 1;
  shipping_list: Array<{
    tracking_no?: string;
    express_company?: string;
    item_desc: string;
    contact?: { receiver_contact: string };
  }>;
  upload_time: string;
  payer: { openid: string };
}

export interface ShippingUpload {
  status: UploadStatus;
  /** 1 for the shipment, 2 after the amendment: an outcome is written only for the version it belongs to. */
  version: number;
  /** Attempts of this version so far (each is claimed by a conditional update before WeChat is called). */
  attempts: number;
  /** Not before this time may the next attempt start (also the lease of an attempt in flight). */
  nextAttemptAt: number;
  lastAttemptAt?: number;
  /** WeChat's errcode and message of the last failed attempt ("timeout" when the answer was lost). */
  lastError?: string;
  uploadedAt?: number;
  payload: ShippingUploadPayload;
  /** SHIPPING_UPLOAD_FAILING was raised for this order (once). */
  failingAlerted?: boolean;
}

export interface Fulfilment extends Partial<Shipment> {
  status: FulfilmentStatus;
  /** The merchant openid that shipped, and when. */
  shippedBy?: string;
  shippedAt?: number;
  /** 0 or 1: WeChat allows one modification per payment, and so do we. */
  amendments?: number;
  amendedAt?: number;
  receivedAt?: number;
  receivedBy?: 'customer' | 'wechat';
  /** Reconcile asks WeChat (getOrder) about a shipped order not before this time. */
  checkAt?: number;
  /** ORDER_UNSHIPPED_LATE was raised (once). */
  lateAlertedAt?: number;
  upload?: ShippingUpload;
}
