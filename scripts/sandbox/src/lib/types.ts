/**
 * Public option types and the records the sandbox keeps. Amounts are integer fen; times are virtual
 * epoch milliseconds (see clock.ts) unless a field says otherwise.
 */
import type { SignType } from '@shouyin/shared';

export type ClockOptions =
  | { mode: 'real' }
  | { mode: 'scaled'; factor: number }
  | { mode: 'manual'; startMs?: number };

export type FundFlow = 'old' | 'new';

export interface Balances {
  /** 交易未结算资金: what old fund-flow refunds draw on by default (spec §6). */
  unsettled: number;
  /** 基本账户可用余额: new fund-flow refunds, and old fund-flow with REFUND_SOURCE_RECHARGE_FUNDS. */
  available: number;
}

export interface MerchantConfig {
  appid: string;
  mchId: string;
  /** 32-character APIv2 key; generated randomly at first start (and kept in the state dir) when absent. */
  apiKey?: string;
  /** The merchant's default sign type, published in sandbox.json (requests may use either). Default MD5. */
  signType?: SignType;
  /** Default 'old'. */
  fundFlow?: FundFlow;
  /** Starting balances (fen) the first time this merchant is seen; default 0 / 0. */
  balances?: Partial<Balances>;
  /** Refund notification URL "configured in 商户平台", used when a refund request has no notify_url. */
  refundNotifyUrl?: string;
  /** Shown as the certificate's OU. */
  name?: string;
}

export interface Merchant {
  appid: string;
  mchId: string;
  apiKey: string;
  signType: SignType;
  fundFlow: FundFlow;
  initialBalances: Balances;
  refundNotifyUrl?: string;
  name: string;
}

export interface NotifyOptions {
  /** Copies POSTed concurrently per attempt ("several servers", spec §4.1). Default 1. */
  parallel?: number;
  /** Real milliseconds an attempt waits for the reply (spec §4.1: 5 s). Default 5000. */
  attemptTimeoutMs?: number;
  /** Virtual intervals between attempts (ms). Default WeChat's 15s/15s/30s/3m/10m/20m/30m/30m/30m/60m/3h/3h/3h/6h/6h. */
  scheduleMs?: number[];
  /**
   * Whether a payment notification carries `sign_type`: 'md5' (default) = only for MD5 orders, so HMAC
   * orders exercise pitfall 2 and MD5 orders pitfall 3; 'never'; 'always'.
   */
  includeSignType?: 'md5' | 'never' | 'always';
  /** Extra CA (PEM) trusted when delivering to an https notify_url. */
  ca?: string | Buffer;
  /** Virtual ms a 'reorder'-faulted notification waits for another one to overtake it. Default 60 000. */
  reorderHoldMs?: number;
}

export interface SandboxOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0 (any free port). */
  port?: number;
  stateDir: string;
  /** Wipe the sandbox's files in stateDir first. */
  clean?: boolean;
  /** Keep orders/refunds/notifications in stateDir/state.json across restarts. Default true. */
  persist?: boolean;
  merchants?: MerchantConfig[];
  /** Accept http(s)://127.0.0.1:PORT/…, http(s)://localhost:PORT/… and http(s)://[::1]:PORT/… notify URLs. */
  allowLoopbackNotify?: boolean;
  clock?: ClockOptions;
  notify?: NotifyOptions;
  /** Virtual ms after which an accepted refund turns SUCCESS by itself; null = only by control. Default 10 000. */
  refundSettleDelayMs?: number | null;
  /** Receives one line per notable event (never secrets). Default: silent. */
  log?: (line: string) => void;
}

export type TradeStateName = 'NOTPAY' | 'SUCCESS' | 'REFUND' | 'CLOSED' | 'PAYERROR';

export interface OrderRecord {
  mchId: string;
  appid: string;
  outTradeNo: string;
  signType: SignType;
  /** Every request field except nonce_str and sign: what a re-entry must repeat exactly (spec §3.1). */
  params: Record<string, string>;
  totalFee: number;
  openid: string;
  notifyUrl: string;
  tradeType: string;
  attach?: string;
  deviceInfo?: string;
  createdAt: number;
  /** From time_expire; after it the order can no longer be paid. */
  timeExpireAt?: number;
  prepayId: string;
  prepayExpiresAt: number;
  /** Every prepay_id ever issued for this order, oldest first. */
  prepayIds: string[];
  state: TradeStateName;
  transactionId?: string;
  paidAt?: number;
  timeEnd?: string;
  bankType?: string;
  closedAt?: number;
  failedAt?: number;
}

export type RefundStatusName = 'PROCESSING' | 'SUCCESS' | 'CHANGE' | 'REFUNDCLOSE';
export type RefundAccount = 'REFUND_SOURCE_UNSETTLED_FUNDS' | 'REFUND_SOURCE_RECHARGE_FUNDS';

export interface RefundRecord {
  mchId: string;
  appid: string;
  outRefundNo: string;
  refundId: string;
  outTradeNo: string;
  transactionId: string;
  totalFee: number;
  refundFee: number;
  refundAccount: RefundAccount;
  source: 'API' | 'VENDOR_PLATFORM';
  status: RefundStatusName;
  createdAt: number;
  /** When it settles by itself (virtual ms), if it does. */
  settleAt?: number;
  finishedAt?: number;
  notifyUrl?: string;
  refundDesc?: string;
  recvAccount: string;
}

export type NotificationKind = 'pay' | 'refund';
export type NotificationState = 'pending' | 'held' | 'delivered' | 'failed' | 'dropped';

export interface NotificationRecord {
  id: string;
  kind: NotificationKind;
  mchId: string;
  url: string;
  /** The exact XML sent on every attempt (retries and duplicates are byte-identical). */
  body: string;
  outTradeNo: string;
  outRefundNo?: string;
  createdAt: number;
  state: NotificationState;
  attempts: number;
  nextAt?: number;
  holdUntil?: number;
  /** Fault kinds applied to it (drop, duplicate, delay, reorder). */
  faults: string[];
  duplicateOf?: string;
}

export interface DeliveryRecord {
  seq: number;
  notificationId: string;
  kind: NotificationKind;
  mchId: string;
  outTradeNo: string;
  outRefundNo?: string;
  url: string;
  /** 1-based attempt number; 0 for a dropped notification. */
  attempt: number;
  /** Index of the parallel copy within the attempt. */
  copy: number;
  /** Virtual time of the attempt (ms) and the same as ISO text. */
  at: number;
  time: string;
  /** Real milliseconds until the reply (or the failure). */
  latencyMs: number;
  outcome: 'success' | 'fail' | 'timeout' | 'error' | 'dropped';
  httpStatus?: number;
  /** The reply body, cut to 256 characters. */
  reply?: string;
  error?: string;
}

/** What sandbox.json holds (and `Sandbox.info`). */
export interface SandboxInfo {
  baseUrl: string;
  caFile: string;
  controlUrl: string;
  merchants: Array<{
    appid: string;
    mchId: string;
    apiKey: string;
    signType: SignType;
    certFile: string;
    keyFile: string;
    p12File: string;
  }>;
}
