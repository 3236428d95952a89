/**
 * The one transition that records a payment: NOTPAY → PAID, or CLOSED → PAID flagged "paid after close"
 * (DESIGN.md "Order states"). The notification, `confirm` and reconcile all come through here, so whichever
 * arrives first wins the conditional update and the others find the order paid: one transition, one outbox
 * entry, whatever the interleaving.
 */

import { TransitionError } from '../../errors';
import type { Logger } from '../../log';
import { parseBeijingTime } from '../../wxpay/ids';
import type { Db } from '../db-port';
import type { Clock } from '../deps';
import { type Mismatch, type PaymentReport, paymentMismatch } from '../pay-notice';
import type { Actor, Order, OutboxEntry } from '../records';
import { isPaid, nextState } from '../state';
import { findOrder, recordAnomaly, transitionOrder } from '../store';

export type SettleOutcome = 'paid' | 'paid-after-close' | 'already-paid' | 'mismatch';

export interface SettleResult {
  outcome: SettleOutcome;
  /** The order as it now stands (as written by this call, or as last read). */
  order: Order;
  mismatch?: Mismatch[];
}

type SettleDeps = { db: Db; clock: Clock; log: Logger };

/** Bounded: each retry follows a real concurrent change of status, of which there are at most two. */
const MAX_ATTEMPTS = 3;

export async function settlePayment(
  deps: SettleDeps,
  order: Order,
  report: PaymentReport & { source: 'notification' | 'query' },
  by: Actor,
): Promise<SettleResult> {
  const mismatch = paymentMismatch(order, report);
  if (mismatch.length > 0) {
    await recordMismatch(deps, order, report, mismatch);
    return { outcome: 'mismatch', order, mismatch };
  }
  let current = order;
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    if (isPaid(current.status)) return { outcome: 'already-paid', order: current };
    const step = nextState(current.status, 'PAY');
    if (step instanceof TransitionError) throw step;
    const afterClose = step.flag === 'PAID_AFTER_CLOSE';
    const at = deps.clock.now();
    const entry: OutboxEntry = {
      id: `${afterClose ? 'ORDER_PAID_AFTER_CLOSE' : 'ORDER_PAID'}:${current._id}`,
      kind: afterClose ? 'ORDER_PAID_AFTER_CLOSE' : 'ORDER_PAID',
      at,
      outTradeNo: current._id,
      totalFee: current.totalFee,
      transactionId: report.transactionId,
    };
    const r = await transitionOrder(deps.db, current, {
      event: 'PAY',
      by,
      at,
      why: `WeChat Pay ${report.source} ${report.transactionId}`,
      set: {
        transactionId: report.transactionId,
        paidAt: (report.timeEnd && parseBeijingTime(report.timeEnd)) || at,
        paidAfterClose: afterClose ? true : undefined,
      },
      outbox: [entry],
    });
    if (r.changed) {
      deps.log[afterClose ? 'warn' : 'info']('order_paid', {
        out_trade_no: current._id,
        transaction_id: report.transactionId,
        outcome: afterClose ? 'paid-after-close' : 'paid',
        source: report.source,
      });
      return { outcome: afterClose ? 'paid-after-close' : 'paid', order: r.order };
    }
    // Lost the race: someone else moved the order. Read what they wrote and decide again.
    const fresh = await findOrder(deps.db, current._id);
    if (!fresh) throw new Error(`order ${current._id} disappeared`);
    current = fresh;
  }
  throw new Error(`order ${order._id}: status kept changing while settling`);
}

async function recordMismatch(
  deps: SettleDeps,
  order: Order,
  report: PaymentReport & { source: 'notification' | 'query' },
  mismatch: Mismatch[],
): Promise<void> {
  const { recorded } = await recordAnomaly(deps.db, {
    _id: `PAYMENT_MISMATCH:${order._id}:${report.transactionId}`,
    kind: 'PAYMENT_MISMATCH',
    outTradeNo: order._id,
    transactionId: report.transactionId,
    mismatch,
    expectedFee: order.totalFee,
    reportedFee: report.totalFee ?? null,
    source: report.source,
    at: deps.clock.now(),
  });
  deps.log.error('payment_mismatch', {
    out_trade_no: order._id,
    transaction_id: report.transactionId,
    mismatch,
    outcome: recorded ? 'anomaly-recorded' : 'anomaly-already-recorded',
  });
}
