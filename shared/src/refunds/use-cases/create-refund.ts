/**
 * A new refund record (customer request or merchant start): the amount is reserved on the order first
 * (ledger.ts: one conditional update checking refundedFee + reservedFee + refundFee ≤ totalFee), then the
 * record is written with its out_refund_no, minted here once and never again for this refund.
 */

import type { Order } from '../../orders/records';
import { isPaid } from '../../orders/state';
import { newOutRefundNo } from '../../wxpay/ids';
import type { RefundDeps } from '../deps';
import { REFUND_TIMING } from '../deps';
import { ledgerRefusal, refundNotAllowed } from '../failures';
import { changeLedger, REFUND_LIMITS } from '../ledger';
import { refundEntry } from '../outbox';
import type { Refund, RefundActor } from '../records';
import { REFUND_STATUS } from '../state';
import { insertRefund } from '../store';

export interface NewRefund {
  order: Order;
  refundFee: number;
  reason: string;
  requestedBy: 'customer' | 'merchant';
  requester: string;
  /** A customer's request may not open while another refund of the order is open. */
  exclusive: boolean;
}

/** Refuses what WeChat would refuse, before anything is written: unpaid, past one year. */
export function checkRefundable(order: Order, now: number): void {
  if (!isPaid(order.status)) throw refundNotAllowed(`order ${order._id} is not paid`);
  if (order.paidAt !== undefined && now - order.paidAt > REFUND_LIMITS.windowMs)
    throw refundNotAllowed(`order ${order._id} was paid more than a year ago (WeChat: TRADE_OVERDUE)`);
}

export async function createRefund(deps: RefundDeps, n: NewRefund): Promise<Refund> {
  const now = deps.clock.now();
  checkRefundable(n.order, now);
  const id = newOutRefundNo(now);
  const by: RefundActor = n.requestedBy;
  const reserved = await changeLedger(
    deps.db,
    n.order._id,
    { kind: 'reserve', id, fee: n.refundFee, counts: true, exclusive: n.exclusive },
    { at: now, by: 'customer', why: `refund ${id} reserved` },
    n.order,
  );
  if (reserved.outcome === 'refused') throw ledgerRefusal(reserved.reason, n.order._id);

  const status = n.requestedBy === 'customer' ? REFUND_STATUS.REQUESTED : REFUND_STATUS.PROCESSING;
  const refund: Refund = {
    _id: id,
    outTradeNo: n.order._id,
    openid: n.order._openid,
    totalFee: n.order.totalFee,
    refundFee: n.refundFee,
    status,
    reason: n.reason,
    requestedBy: n.requestedBy,
    requester: n.requester,
    source: 'API',
    request: {
      out_trade_no: n.order._id,
      out_refund_no: id,
      total_fee: n.order.totalFee,
      refund_fee: n.refundFee,
      refund_desc: n.reason,
      ...(deps.settings.refundNotifyUrl ? { notify_url: deps.settings.refundNotifyUrl } : {}),
    },
    sends: 0,
    checks: 0,
    outbox: [],
    history: [{ from: null, to: status, by, who: n.requester, at: now, why: n.reason }],
    createdAt: now,
    updatedAt: now,
  };
  if (status === REFUND_STATUS.REQUESTED) {
    // The merchants' "refund requested" alert rides in the creating write.
    refund.outbox = [refundEntry('REFUND_REQUESTED', refund, now, { detail: n.reason })];
    refund.alertsPending = true;
    refund.outboxSeq = 1;
  } else {
    // A crash before the send leaves it to reconcile (refundquery → REFUNDNOTEXIST → send).
    refund.processingSince = now;
    refund.nextCheckAt = now + REFUND_TIMING.recheckMs;
    refund.reviewer = n.requester;
  }
  await insertRefund(deps.db, refund);
  deps.log.info('refund_created', {
    out_refund_no: id,
    out_trade_no: n.order._id,
    refund_fee: n.refundFee,
    status,
  });
  return refund;
}
