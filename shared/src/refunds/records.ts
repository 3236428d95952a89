/**
 * The `refunds` collection (DESIGN.md "Records"): one document per refund, `_id` = out_refund_no, minted
 * once when the record is created and reused, with the identical request, for every send of that refund
 * (WeChat Pay v2 notes §6, §9 item 11). Money is integer fen; times are epoch milliseconds.
 */
import type { OutboxCarrier } from '../orders/records';
import type { RefundState } from './state';

/** Who moved a refund, as written into its history. */
export type RefundActor = 'customer' | 'merchant' | 'wechat-notification' | 'reconcile' | 'apply-refund';

export interface RefundHistoryEntry {
  /** null for the creation entry. */
  from: RefundState | null;
  to: RefundState;
  by: RefundActor;
  /** The merchant's or customer's openid when a person acted. */
  who?: string;
  at: number;
  why: string;
}

/** The source of funds a send asks for (spec §3.4 `refund_account`; old fund flow only). */
export type RefundAccount = 'REFUND_SOURCE_RECHARGE_FUNDS' | 'REFUND_SOURCE_UNSETTLED_FUNDS';

/**
 * The request as first built: every send (approval, retry, reconcile's resend) sends exactly these
 * values, plus the `refund_account` the merchant chose last (spec §6: same number, identical amounts).
 */
export interface StoredRefundRequest {
  out_trade_no: string;
  out_refund_no: string;
  total_fee: number;
  refund_fee: number;
  refund_desc?: string;
  notify_url?: string;
}

export interface RefundFailure {
  /** WeChat's err_code (NOTENOUGH, …), or WXPAY_CERTIFICATE / WXPAY_PROTOCOL for a refusal before it. */
  code: string;
  /** WeChat's own words (err_code_des / return_msg). */
  message: string;
  /** A plain next step for the merchant (NOTENOUGH: retry from the available balance). */
  hint?: string;
  at: number;
}

export interface Refund extends OutboxCarrier {
  /** = out_refund_no */
  _id: string;
  outTradeNo: string;
  /** The order's payer (the customer who sees this refund). */
  openid: string;
  totalFee: number;
  refundFee: number;
  status: RefundState;
  reason: string;
  /** Who asked for it: the customer (request), a merchant (start), or 商户平台 (seen in a notification). */
  requestedBy: 'customer' | 'merchant' | 'vendor-platform';
  requester?: string;
  reviewer?: string;
  rejectReason?: string;
  source: 'API' | 'VENDOR_PLATFORM';
  request: StoredRefundRequest;
  refundAccount?: RefundAccount;
  /** WeChat's refund_id, once it accepted or reported the refund. */
  refundId?: string;
  failure?: RefundFailure;
  /** How many times the request was handed to the client (each may include the client's own retries). */
  sends: number;
  lastSentAt?: number;
  /** Not to be sent before this time (WeChat's one-minute rule between refunds of one order). */
  sendAfter?: number;
  /** When reconcile looks at this PROCESSING refund next (the query orders by it). */
  nextCheckAt?: number;
  /** refundquery answers of PROCESSING so far (drives the back-off). */
  checks: number;
  processingSince?: number;
  /** REFUND_STUCK was raised for this refund (once). */
  stuckAlerted?: boolean;
  successTime?: string;
  recvAccount?: string;
  history: RefundHistoryEntry[];
  createdAt: number;
  updatedAt: number;
}
