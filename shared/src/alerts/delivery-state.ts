/**
 * The delivery state machine, as one table (like orders/state.ts). A delivery is claimed before anything
 * is sent (PENDING → SENDING by a conditional update: one claimer wins), and only the claimer records the
 * outcome. A printer job that Feie accepted waits in CONFIRMING until a query of the job (Open_queryOrderState)
 * says it printed; the query is claimed the same way (CONFIRMING → CHECKING). SENT and FAILED are final: a
 * confirmed delivery is never sent again (a reprint is a new delivery).
 */
import { TransitionError } from '../errors';

export const DELIVERY_STATUSES = ['PENDING', 'SENDING', 'CONFIRMING', 'CHECKING', 'SENT', 'FAILED'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

export const DELIVERY_EVENTS = [
  /** Take the delivery (or the job query) for this run. */
  'CLAIM',
  /** Delivered (message sent, robot posted, job printed). */
  'DELIVERED',
  /** Printer: Feie accepted the job; whether it printed is checked by query. */
  'ACCEPTED',
  /** Try again after a delay (retryable error, subscribe/robot timeout, 43101, job not printed yet). */
  'RETRY',
  /** Give up, with a reason (non-retryable error, too many attempts, print outcome unknown). */
  'FAIL',
] as const;
export type DeliveryEvent = (typeof DELIVERY_EVENTS)[number];

const TABLE: Readonly<Record<DeliveryStatus, Partial<Record<DeliveryEvent, DeliveryStatus>>>> = {
  PENDING: { CLAIM: 'SENDING' },
  SENDING: { DELIVERED: 'SENT', ACCEPTED: 'CONFIRMING', RETRY: 'PENDING', FAIL: 'FAILED' },
  CONFIRMING: { CLAIM: 'CHECKING' },
  CHECKING: { DELIVERED: 'SENT', RETRY: 'CONFIRMING', FAIL: 'FAILED' },
  SENT: {},
  FAILED: {},
};

export function nextDeliveryStatus(from: DeliveryStatus, event: DeliveryEvent): DeliveryStatus {
  const to = TABLE[from][event];
  if (!to) throw new TransitionError(from, event);
  return to;
}

/** States a run may claim, and what a claim holds while it lasts. */
export const CLAIMABLE: readonly DeliveryStatus[] = ['PENDING', 'CONFIRMING'];
export const CLAIMED: readonly DeliveryStatus[] = ['SENDING', 'CHECKING'];
