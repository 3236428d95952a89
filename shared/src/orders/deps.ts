/**
 * What the payment use cases need, injected by each function's index.ts at cold start: the database
 * port, the WeChat Pay client, the merchant settings, a clock and a logger. Nothing here knows whether it
 * runs in the cloud or in the emulator (STYLE.md smell 6).
 */
import type { ShouyinConfig } from '../config';
import { createLogger, type Logger } from '../log';
import type { WxPayClient } from '../wxpay/client-api';
import type { SignType } from '../wxpay/types';
import type { Db } from './db-port';

/** The sign type is the client's (`wxpay.merchant.signType`): one source of truth for unifiedorder and paySign. */
export interface PaymentSettings {
  appid: string;
  mchId: string;
  /** The APIv2 key, for paySign and notification verification. Never logged. */
  apiKey: string;
  /** notify_url of unifiedorder (https, no query string: WeChat Pay v2 notes §3.1). */
  payNotifyUrl: string;
  /** Payable window of a new order in minutes (default 30; never under 5). */
  orderExpireMinutes: number;
  /** How many payable unpaid orders one customer may hold (default 5). */
  maxUnpaidOrders: number;
  /** spbill_create_ip: for mini-program payments, the IP of the machine calling the API (spec §3.1). */
  spbillCreateIp: string;
}

/** The settings of createPayment/reconcile from the validated configuration (config.ts). */
export function paymentSettings(config: ShouyinConfig & { payNotifyUrl: string }): PaymentSettings {
  return {
    appid: config.appid,
    mchId: config.mchId,
    apiKey: config.apiKey,
    payNotifyUrl: config.payNotifyUrl,
    orderExpireMinutes: config.orderExpireMinutes,
    maxUnpaidOrders: config.orderMaxUnpaid,
    spbillCreateIp: config.spbillCreateIp,
  };
}

/** payNotify's settings: the merchant's identity and key(s) only. */
export function notifySettings(config: ShouyinConfig): NotifyDeps['settings'] {
  const settings: NotifyDeps['settings'] = {
    appid: config.appid,
    mchId: config.mchId,
    apiKey: config.apiKey,
    signType: config.signType,
  };
  if (config.previousApiKey !== undefined && config.previousApiKeyUntil !== undefined) {
    settings.previousApiKey = config.previousApiKey;
    settings.previousApiKeyUntil = config.previousApiKeyUntil;
  }
  return settings;
}

export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

export interface PaymentDeps {
  db: Db;
  wxpay: WxPayClient;
  settings: PaymentSettings;
  clock: Clock;
  log: Logger;
  /**
   * Epoch ms by which this invocation's calls to WeChat must be over (`invocationDeadline`, answer.ts):
   * set per invocation by the function's index.ts (`withDeadline`), so no step is killed by the function's
   * timeout halfway (issue 9.7). Unset: only the client's own timeouts apply.
   */
  deadline?: number;
}

/** What reconcile (and any use case that only queries/closes at WeChat) needs: no merchant settings. */
export type GatewayDeps = Pick<PaymentDeps, 'db' | 'wxpay' | 'clock' | 'log' | 'deadline'>;

/** The same dependencies, bounded by this invocation's deadline. */
export function withDeadline<D extends { deadline?: number }>(deps: D, deadline: number | undefined): D {
  return deadline === undefined ? deps : { ...deps, deadline };
}

/** What payNotify needs: no WeChat Pay client (it never calls WeChat), only the merchant's identity and key. */
export interface NotifyDeps {
  db: Db;
  /** `signType` is the merchant's configured sign type, which every order is created with (spec §2.3 fallback). */
  settings: Pick<PaymentSettings, 'appid' | 'mchId' | 'apiKey'> & {
    signType: SignType;
    previousApiKey?: string;
    previousApiKeyUntil?: number;
  };
  clock: Clock;
  log: Logger;
  /**
   * Delivers the alerts a settled order queued in its outbox (the alerts issue wires `orderAlert` here).
   * Awaited within a short budget after the state is committed; whatever is left, reconcile delivers.
   */
  deliverAlerts?: (outTradeNo: string) => Promise<void>;
}

export function paymentDeps(parts: {
  db: Db;
  wxpay: WxPayClient;
  settings: PaymentSettings;
  clock?: Clock;
  log?: Logger;
}): PaymentDeps {
  return { ...parts, clock: parts.clock ?? systemClock, log: parts.log ?? createLogger() };
}

export function notifyDeps(parts: {
  db: Db;
  settings: NotifyDeps['settings'];
  clock?: Clock;
  log?: Logger;
  deliverAlerts?: NotifyDeps['deliverAlerts'];
}): NotifyDeps {
  return { ...parts, clock: parts.clock ?? systemClock, log: parts.log ?? createLogger() };
}

export function gatewayDeps(parts: { db: Db; wxpay: WxPayClient; clock?: Clock; log?: Logger }): GatewayDeps {
  return { ...parts, clock: parts.clock ?? systemClock, log: parts.log ?? createLogger() };
}
