/**
 * What the refund use cases need, injected by each function's index.ts at cold start. The refund request
 * is stored on the record at creation (notify_url included), so sending and resending needs no settings.
 */

import type { Logger } from '../log';
import type { Db } from '../orders/db-port';
import type { Clock } from '../orders/deps';
import type { WxPayClient } from '../wxpay/client-api';

export interface RefundDeps {
  db: Db;
  wxpay: WxPayClient;
  clock: Clock;
  log: Logger;
  /** notify_url of every new refund request (WXPAY_REFUND_NOTIFY_URL). */
  settings: { refundNotifyUrl?: string };
  /** Epoch ms by which this invocation's WeChat calls must be over (orders/deps.ts `withDeadline`). */
  deadline?: number;
}

/** What a resend needs (reconcile): no settings, the stored request says everything. */
export type RefundGatewayDeps = Pick<RefundDeps, 'db' | 'wxpay' | 'clock' | 'log' | 'deadline'>;

/** refundNotify: no WeChat Pay client, the merchant's identity and the key that decrypts req_info. */
export interface RefundNotifyDeps {
  db: Db;
  /** `previousApiKey` until `previousApiKeyUntil`: a key rotation window (config.ts notificationKeys). */
  settings: {
    appid: string;
    mchId: string;
    apiKey: string;
    previousApiKey?: string;
    previousApiKeyUntil?: number;
  };
  clock: Clock;
  log: Logger;
  /**
   * Delivers the alerts of the refunded order, including those the settled refund queued in its outbox
   * (orderAlert `deliver {outTradeNo}`, as payNotify's NotifyDeps.deliverAlerts). Awaited within a short
   * budget after the state is committed.
   */
  deliverAlerts?: (outTradeNo: string) => Promise<void>;
}

/** When WeChat is asked again (WeChat Pay v2 notes §3.5, §6: ~20 min to 零钱, days to a bank card). */
export const REFUND_TIMING = {
  /** WeChat's rule: refunds of one order at least one minute apart (spec §3.4); a little margin. */
  sendGapMs: 61_000,
  /** First refundquery after an accepted send. */
  firstCheckMs: 60_000,
  /** Back-off of refundquery while WeChat says PROCESSING: doubling, up to this. */
  maxCheckGapMs: 6 * 3600_000,
  /** After an unknown outcome (timeout, SYSTEMERROR) or a failure of our own. */
  recheckMs: 30_000,
} as const;

/** The delay before the next refundquery after `checks` PROCESSING answers. */
export function checkDelay(checks: number): number {
  return Math.min(REFUND_TIMING.maxCheckGapMs, REFUND_TIMING.firstCheckMs * 2 ** Math.min(checks, 20));
}
