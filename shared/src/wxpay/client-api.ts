/**
 * Typed request/response objects of the WeChat Pay v2 client (WeChat Pay v2 notes §3). Domain code depends on
 * these types and on the WxPayClient interface only; `client.ts` implements them over `transport.ts`.
 * Amounts are integer fen. Field names stay WeChat's snake_case inside wxpay/ (STYLE.md naming).
 */
import type { SignType, WxFields } from './types';

export interface MerchantCredentials {
  appid: string;
  mchId: string;
  /** The 32-character APIv2 key (spec §2.1.5). Never logged. */
  apiKey: string;
  signType: SignType;
}

/** The merchant API certificate for /secapi/ (mutual TLS, spec §3.4). PEM pair preferred; .p12 with password = mch_id. */
export type ClientCertificate =
  | { kind: 'pem'; cert: string | Buffer; key: string | Buffer }
  | { kind: 'p12'; pfx: Buffer; passphrase?: string };

export interface WxPayClientOptions extends MerchantCredentials {
  /** Default https://api.mch.weixin.qq.com */
  baseUrl?: string;
  /** Default https://api2.mch.weixin.qq.com (used once on connect/DNS failure). Set null to disable. */
  backupBaseUrl?: string | null;
  /** Extra CA (PEM) to trust, only for a local sandbox. */
  ca?: string | Buffer;
  certificate?: ClientCertificate;
  /** Per-request timeout in ms (default 10 000). */
  timeoutMs?: number;
  /** Retries of retryable answers (SYSTEMERROR, BIZERR_NEED_RETRY, unknown-outcome network errors). Default 1. */
  maxRetries?: number;
  /** Delay before a retry in ms (default 200). */
  retryDelayMs?: number;
}

export interface UnifiedOrderRequest {
  body: string;
  out_trade_no: string;
  total_fee: number;
  spbill_create_ip: string;
  notify_url: string;
  openid: string;
  trade_type?: 'JSAPI';
  attach?: string;
  detail?: string;
  time_start?: string;
  time_expire?: string;
  goods_tag?: string;
  limit_pay?: 'no_credit';
  device_info?: string;
  /** The exact nonce to send: a re-entry must be byte-identical apart from the nonce/sign (spec §9.12). */
  nonce_str?: string;
  /**
   * The algorithm this request is signed with (and its answer verified with); default the merchant's. A
   * re-entry must repeat the original's, even after the merchant switched its configured sign type.
   */
  sign_type?: SignType;
}
export interface UnifiedOrderResult {
  prepay_id: string;
  trade_type: string;
  /** All response fields, verified. */
  raw: WxFields;
}

export type OrderQueryRequest = { out_trade_no: string } | { transaction_id: string };
export type TradeState =
  | 'SUCCESS'
  | 'REFUND'
  | 'NOTPAY'
  | 'CLOSED'
  | 'REVOKED'
  | 'USERPAYING'
  | 'PAYERROR'
  | 'ACCEPT';
export interface OrderQueryResult {
  trade_state: TradeState;
  trade_state_desc?: string;
  out_trade_no: string;
  transaction_id?: string;
  openid?: string;
  total_fee?: number;
  cash_fee?: number;
  time_end?: string;
  raw: WxFields;
}

export interface CloseOrderRequest {
  out_trade_no: string;
}
/** ORDERCLOSED is reported as `alreadyClosed: true` (idempotent success, spec §3.3). */
export interface CloseOrderResult {
  alreadyClosed: boolean;
  raw: WxFields;
}

export interface RefundRequest {
  out_trade_no?: string;
  transaction_id?: string;
  out_refund_no: string;
  total_fee: number;
  refund_fee: number;
  refund_desc?: string;
  refund_account?: 'REFUND_SOURCE_RECHARGE_FUNDS' | 'REFUND_SOURCE_UNSETTLED_FUNDS';
  notify_url?: string;
  nonce_str?: string;
}
export interface RefundResult {
  refund_id: string;
  out_refund_no: string;
  out_trade_no: string;
  transaction_id: string;
  refund_fee: number;
  total_fee: number;
  raw: WxFields;
}

export type RefundQueryRequest =
  | { refund_id: string }
  | { out_refund_no: string }
  | { transaction_id: string; offset?: number }
  | { out_trade_no: string; offset?: number };
export type RefundStatus = 'SUCCESS' | 'REFUNDCLOSE' | 'PROCESSING' | 'CHANGE';
export interface RefundQueryItem {
  out_refund_no: string;
  refund_id: string;
  refund_fee: number;
  /** refund_fee minus the non-recharge coupon part, when WeChat sends it. */
  settlement_refund_fee?: number;
  refund_status: RefundStatus;
  refund_channel?: string;
  refund_recv_accout?: string;
  refund_success_time?: string;
  refund_account?: string;
}
export interface RefundQueryResult {
  out_trade_no: string;
  transaction_id: string;
  total_fee: number;
  refund_count: number;
  total_refund_count?: number;
  refunds: RefundQueryItem[];
  raw: WxFields;
}

/**
 * The one gateway to WeChat Pay. Throws WxPayProtocolError (return_code=FAIL), WxPayBusinessError
 * (result_code=FAIL; `retryable` per spec §3.6), SignatureError (response signature or appid/mch_id echo
 * wrong), WxPayTransportError (outcome unknown, or certainly not delivered), WxPayCertificateError.
 */
export interface WxPayClient {
  readonly merchant: Readonly<Omit<MerchantCredentials, 'apiKey'>>;
  unifiedOrder(req: UnifiedOrderRequest, opts?: CallOptions): Promise<UnifiedOrderResult>;
  orderQuery(req: OrderQueryRequest, opts?: CallOptions): Promise<OrderQueryResult>;
  closeOrder(req: CloseOrderRequest, opts?: CallOptions): Promise<CloseOrderResult>;
  refund(req: RefundRequest, opts?: CallOptions): Promise<RefundResult>;
  refundQuery(req: RefundQueryRequest, opts?: CallOptions): Promise<RefundQueryResult>;
}

/** Per-call limits on top of the client's own (issue 9.7). */
export interface CallOptions {
  /**
   * Epoch ms by which the call must be over, retries included (the invocation's deadline, less what the
   * caller needs after it). Each attempt's timeout is cut to the time left; no attempt or retry starts
   * without `MIN_ATTEMPT_MS` left — a call that cannot start fails with WXPAY_NO_TIME, delivered 'no'.
   */
  deadline?: number;
}
