/**
 * WeChat's final word on a refund (notification or refundquery), applied exactly once whichever comes
 * first: SUCCESS moves the amount from reserved to refunded on the order (PAID → PARTIALLY_REFUNDED →
 * REFUNDED) and then the refund PROCESSING → SUCCESS; CHANGE (退款异常) keeps the reservation, the merchant
 * handles it in 商户平台; REFUNDCLOSE releases it (a new refund may be started, with a new number).
 * The order is written first and idempotently (ledger.ts lists settled refunds), so a crash in between is
 * repaired by the next notification or query; the refund's transition carries the alert.
 */

import type { Logger } from '../../log';
import type { Db } from '../../orders/db-port';
import type { Clock } from '../../orders/deps';
import type { Actor, OutboxKind } from '../../orders/records';
import { changeLedger } from '../ledger';
import { refundEntry } from '../outbox';
import type { Refund, RefundActor } from '../records';
import { eventForRefundStatus, REFUND_STATUS, type RefundEvent } from '../state';
import { findRefund, transitionRefund } from '../store';

export interface RefundReport {
  status: 'SUCCESS' | 'CHANGE' | 'REFUNDCLOSE';
  /** WeChat's refund_id. */
  refundId: string;
  successTime?: string;
  recvAccount?: string;
  source: 'notification' | 'query';
}

export type RefundSettleOutcome = 'settled' | 'already-final' | 'conflict';

const ALERT: Record<'SUCCEED' | 'ABNORMAL' | 'CLOSE', OutboxKind> = {
  SUCCEED: 'REFUND_SUCCEEDED',
  ABNORMAL: 'REFUND_ABNORMAL',
  CLOSE: 'REFUND_CLOSED',
};

export async function settleRefund(
  deps: { db: Db; clock: Clock; log: Logger },
  refund: Refund,
  report: RefundReport,
  by: RefundActor & Actor,
): Promise<{ outcome: RefundSettleOutcome; refund: Refund }> {
  const event = eventForRefundStatus(report.status) as 'SUCCEED' | 'ABNORMAL' | 'CLOSE';
  const finalOf: Record<typeof event, Refund['status']> = {
    SUCCEED: 'SUCCESS',
    ABNORMAL: 'CHANGE',
    CLOSE: 'CLOSED',
  };
  for (let attempt = 0; attempt < 3; attempt++) {
    if (refund.status === finalOf[event]) return { outcome: 'already-final', refund };
    if (refund.status !== REFUND_STATUS.PROCESSING) {
      deps.log.error('refund_state_conflict', {
        out_refund_no: refund._id,
        local: refund.status,
        wechat: report.status,
        source: report.source,
      });
      return { outcome: 'conflict', refund };
    }
    const at = deps.clock.now();
    const why = `WeChat Pay ${report.source}: ${report.status} ${report.refundId}`;
    if (event === 'SUCCEED') {
      const r = await changeLedger(
        deps.db,
        refund.outTradeNo,
        {
          kind: 'settle',
          id: refund._id,
          fee: refund.refundFee,
          counts: refund.source === 'VENDOR_PLATFORM',
        },
        { at, by, why: `refund ${refund._id} succeeded (${report.source})` },
      );
      if (r.outcome === 'refused')
        throw new Error(`order ${refund.outTradeNo} refused the refund: ${r.reason}`);
    }
    const t = await transitionRefund(deps.db, refund, {
      event: event as RefundEvent,
      by,
      at,
      why,
      set: {
        refundId: report.refundId,
        successTime: report.successTime,
        recvAccount: report.recvAccount,
        nextCheckAt: 0,
        sendAfter: 0,
      },
      outbox: [refundEntry(ALERT[event], refund, at, { detail: report.recvAccount })],
    });
    if (t.changed) {
      if (event === 'CLOSE')
        await changeLedger(
          deps.db,
          refund.outTradeNo,
          { kind: 'release', id: refund._id },
          { at, by, why: `refund ${refund._id} closed` },
        );
      deps.log.info('refund_settled', {
        out_refund_no: refund._id,
        out_trade_no: refund.outTradeNo,
        status: t.refund.status,
        source: report.source,
      });
      return { outcome: 'settled', refund: t.refund };
    }
    const fresh = await findRefund(deps.db, refund._id);
    if (!fresh) throw new Error(`refund ${refund._id} disappeared`);
    refund = fresh;
  }
  throw new Error(`refund ${refund._id}: status kept changing while settling`);
}
