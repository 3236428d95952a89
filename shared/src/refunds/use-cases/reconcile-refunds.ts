/**
 * reconcile (timer), refund side (DESIGN.md "Reconciliation"): refunds still PROCESSING whose
 * `nextCheckAt` is due, the longest-waiting first.
 * - deferred (WeChat's one-minute rule, never accepted) → sent now;
 * - otherwise refundquery first: SUCCESS / CHANGE / REFUNDCLOSE → the same settlement as the notification
 *   (settle-refund.ts: whichever comes first, one final state, one alert); PROCESSING → asked again later,
 *   doubling up to 6 h (bank cards take days); REFUNDNOTEXIST (an approval WeChat never received) → the
 *   identical request resent with the same out_refund_no.
 * - PROCESSING longer than `stuckAfterMs` → one REFUND_STUCK alert.
 * Then reservations no refund owns (a writer died between its two writes) are released.
 * Every refund looked at gets a later `nextCheckAt` (or leaves PROCESSING), also when its check failed, so
 * the query moves on: every due refund is reached within ⌈backlog / maxRefunds⌉ runs, none starves.
 */
import type { ReconcileRefundsSummary } from '../../api';
import { WxPayBusinessError } from '../../errors';
import { errorFields } from '../../log';
import { checkDelay, REFUND_TIMING, type RefundGatewayDeps } from '../deps';
import { refundEntry } from '../outbox';
import type { Refund } from '../records';
import { findDueRefunds, patchRefund } from '../store';
import { releaseOrphanHolds } from './release-orphan-holds';
import { sendRefund } from './send-refund';
import { settleRefund } from './settle-refund';

export interface ReconcileRefundsOptions {
  pageSize: number;
  maxRefunds: number;
  budgetMs: number;
  concurrency: number;
  /** A refund PROCESSING for longer raises REFUND_STUCK (default 72 h: bank cards take ~3 working days). */
  stuckAfterMs: number;
}

export const RECONCILE_REFUNDS_DEFAULTS: ReconcileRefundsOptions = {
  pageSize: 50,
  maxRefunds: 200,
  budgetMs: 3_000,
  concurrency: 4,
  stuckAfterMs: 72 * 3600_000,
};

type Result = 'sent' | 'settled' | 'unchanged';

export async function reconcileRefunds(
  deps: RefundGatewayDeps,
  options: Partial<ReconcileRefundsOptions> = {},
): Promise<ReconcileRefundsSummary> {
  const opts = { ...RECONCILE_REFUNDS_DEFAULTS, ...options };
  const started = deps.clock.now();
  // The run's budget, never past the invocation's deadline (issue 9.7).
  const budgetMs = Math.min(opts.budgetMs, (deps.deadline ?? Number.POSITIVE_INFINITY) - started);
  const s: ReconcileRefundsSummary = {
    scanned: 0,
    sent: 0,
    settled: 0,
    unchanged: 0,
    stuck: 0,
    failed: 0,
    orphansReleased: 0,
    truncated: false,
  };
  for (;;) {
    const room = opts.maxRefunds - s.scanned;
    if (room <= 0 || deps.clock.now() - started >= budgetMs) {
      s.truncated = true;
      break;
    }
    const limit = Math.min(opts.pageSize, room);
    const page = await findDueRefunds(deps.db, started, limit);
    if (page.length === 0) break;
    let next = 0;
    const worker = async () => {
      while (next < page.length) {
        const refund = page[next++]!;
        if (deps.clock.now() - started >= budgetMs) {
          s.truncated = true;
          return;
        }
        s.scanned++;
        try {
          if (await raiseStuck(deps, refund, opts.stuckAfterMs)) s.stuck++;
          s[await reconcileRefund(deps, refund)]++;
        } catch (err) {
          s.failed++;
          deps.log.warn('reconcile_refund_failed', { out_refund_no: refund._id, ...errorFields(err) });
          await patchRefund(deps.db, refund, {
            nextCheckAt: deps.clock.now() + REFUND_TIMING.recheckMs,
          }).catch(() => undefined);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, Math.min(opts.concurrency, page.length)) }, worker));
    if (s.truncated || page.length < limit) break;
  }
  try {
    s.orphansReleased = await releaseOrphanHolds(deps);
  } catch (err) {
    deps.log.warn('refund_orphan_holds_failed', errorFields(err));
  }
  deps.log.info('reconcile_refunds', { ...s });
  return s;
}

async function reconcileRefund(deps: RefundGatewayDeps, refund: Refund): Promise<Result> {
  if (refund.sendAfter)
    return (await sendRefund(deps, refund, 'reconcile')).outcome === 'accepted' ? 'sent' : 'unchanged';
  let answer: Awaited<ReturnType<RefundGatewayDeps['wxpay']['refundQuery']>>;
  try {
    answer = await deps.wxpay.refundQuery({ out_refund_no: refund._id }, { deadline: deps.deadline });
  } catch (err) {
    if (err instanceof WxPayBusinessError && err.errCode === 'REFUNDNOTEXIST') {
      // WeChat never received (or refused unprocessed) this approval: the identical request again.
      const sent = await sendRefund(deps, refund, 'reconcile');
      return sent.outcome === 'accepted' ? 'sent' : 'unchanged';
    }
    throw err;
  }
  const item = answer.refunds.find((r) => r.out_refund_no === refund._id);
  if (!item) throw new Error(`refundquery did not report ${refund._id}`);
  if (item.refund_status === 'PROCESSING') {
    const checks = refund.checks + 1;
    await patchRefund(deps.db, refund, {
      checks,
      nextCheckAt: deps.clock.now() + checkDelay(checks),
      refundId: item.refund_id,
    });
    return 'unchanged';
  }
  if (item.refund_fee !== refund.refundFee)
    throw new Error(`refundquery reports another amount for ${refund._id}`);
  const r = await settleRefund(
    deps,
    refund,
    {
      status: item.refund_status,
      refundId: item.refund_id,
      successTime: item.refund_success_time,
      recvAccount: item.refund_recv_accout,
      source: 'query',
    },
    'reconcile',
  );
  return r.outcome === 'settled' ? 'settled' : 'unchanged';
}

/** One REFUND_STUCK alert for a refund PROCESSING past the configured age. */
async function raiseStuck(deps: RefundGatewayDeps, refund: Refund, stuckAfterMs: number): Promise<boolean> {
  const now = deps.clock.now();
  if (
    refund.stuckAlerted ||
    refund.processingSince === undefined ||
    now - refund.processingSince < stuckAfterMs
  )
    return false;
  const _ = deps.db.command;
  const hours = Math.floor((now - refund.processingSince) / 3600_000);
  const raised = await patchRefund(
    deps.db,
    refund,
    { stuckAlerted: true },
    {
      outbox: [
        refundEntry('REFUND_STUCK', refund, now, {
          occurrence: refund.sends,
          detail: `退款处理中已超过 ${hours} 小时`,
        }),
      ],
      extraWhere: { stuckAlerted: _.neq(true) },
    },
  );
  if (raised) deps.log.warn('refund_stuck', { out_refund_no: refund._id, hours });
  return raised;
}
