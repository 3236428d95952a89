/**
 * The alert delivery log (`alerts` collection, DESIGN.md "Records") and the grant ledger kept on the
 * merchant. One `AlertDelivery` per event × recipient × channel, with a deterministic `_id`, so draining the
 * same outbox entry twice (a retry, two concurrent drains) can only ever create it once. Every attempt is
 * appended to `attempts`; the status moves only through delivery-state.ts, by conditional updates.
 */
import type { OutboxKind } from '../orders/records';
import type { DeliveryStatus } from './delivery-state';

/** The shop's channels: subscribe messages to its merchants, its receipt printer, its group robot. */
export type MerchantChannel = 'subscribe' | 'printer' | 'wecom';
export const MERCHANT_CHANNELS: readonly MerchantChannel[] = ['subscribe', 'printer', 'wecom'];
/**
 * `customer`: a subscribe message to the order's buyer (table.ts `customer`). Its own channel, so its
 * delivery id never meets a merchant's (a merchant may buy in their own shop), it never touches the grant
 * ledger, and the merchant's `status` counts and lists only the shop's channels.
 */
export type AlertChannel = MerchantChannel | 'customer';
export const ALERT_CHANNELS: readonly AlertChannel[] = ['subscribe', 'printer', 'wecom', 'customer'];

/** What an alert says, taken from its outbox entry (money in fen, times in epoch ms). */
export interface AlertFacts {
  kind: OutboxKind;
  /** The outbox entry's id: `<KIND>:<subject id>`. */
  eventId: string;
  at: number;
  outTradeNo: string;
  totalFee?: number;
  refundFee?: number;
  refundId?: string;
  transactionId?: string;
  detail?: string;
}

/** One attempt, as it happened. */
export interface DeliveryAttempt {
  at: number;
  /** What this attempt did: a send, or (printer) a query of the stored job. */
  op: 'send' | 'query';
  result: 'sent' | 'accepted' | 'printed' | 'not-printed' | 'no-grant' | 'error' | 'timeout';
  /** WeChat's errCode, the printer's `ret`, the robot's errcode. */
  errCode?: number;
  /** The answer's message (never a secret). */
  message?: string;
  jobId?: string;
}

export interface AlertDelivery {
  /** `<eventId>|<channel>|<recipient>` */
  _id: string;
  eventId: string;
  kind: OutboxKind;
  channel: AlertChannel;
  /** An openid (subscribe: a merchant; customer: the order's buyer), the printer SN, `robot` (wecom). */
  recipient: string;
  merchantId: string;
  /** Subscribe messages: the template this delivery uses (a merchant's: its ledger key). */
  templateId?: string;
  facts: AlertFacts;
  status: DeliveryStatus;
  /** Not before this time (backoff; epoch ms). */
  nextAttemptAt: number;
  /** Subscribe: the last send answered 43101; waits for a recorded grant (or a long backoff). */
  waitingForGrant?: boolean;
  /** Who holds the claim and until when (SENDING / CHECKING). */
  claimToken?: string;
  claimUntil?: number;
  /** Sends made (queries not counted). */
  sends: number;
  /** Printer: the job id Feie answered; a resend is never made while it is unknown whether it printed. */
  printJobId?: string;
  attempts: DeliveryAttempt[];
  failReason?: string;
  /** A receipt printed again on the merchant's request (`reprint`). */
  reprint?: boolean;
  createdAt: number;
  deliveredAt?: number;
}

/** An event as the merchant feed lists it (`alerts` document with `_id` = the outbox entry id). */
export interface AlertEvent extends AlertFacts {
  _id: string;
  /** Set on events shown in the feed (table.ts `feed`): the feed orders by it. */
  feedAt?: number;
}

/** Per merchant openid, per template: what the ledger believes is left (an estimate; 43101 is the truth). */
export interface TemplateGrants {
  grants: number;
  /** WeChat answered 43101: the merchant must tap "allow" again. */
  exhausted?: boolean;
  lastAcceptAt?: number;
}

export interface OpenidLedger {
  templates?: Record<string, TemplateGrants>;
  lastDeliveryAt?: number;
}

/** The fields the alerts module adds to a `merchants` document. */
export interface MerchantAlertFields {
  alertLedger?: Record<string, OpenidLedger>;
}

export const deliveryId = (eventId: string, channel: AlertChannel, recipient: string): string =>
  `${eventId}|${channel}|${recipient}`;
