/**
 * reconcile (timer), payment side (DESIGN.md "Reconciliation"): notifications can be lost, so orders still
 * NOTPAY after their first check time are queried (orderquery) and settled through the same transition as
 * the notification; expired ones are closed at WeChat (closeorder, never before its 5-minute rule, spec
 * WeChat Pay v2 notes §3.3) and then locally. Every change is one conditional update, so two runs at once, or a run
 * racing a notification, end in the same state with one alert.
 *
 * Fair and bounded (issue 9.2): each run takes the orders whose `nextCheckAt` is due, soonest first, and
 * moves every order it checked — still unpaid, or failed — to a later check (check-schedule.ts). So a
 * backlog larger than one run rotates, and any due order is reached within ⌈due / maxOrders⌉ runs, never
 * starved by older ones. At most `maxOrders` per run and nothing new started after `budgetMs`.
 */
import type { ReconcileSummary } from '../../api';
import { WxPayBusinessError } from '../../errors';
import { errorFields } from '../../log';
import { isClosable, nextCheckAt } from '../check-schedule';
import type { GatewayDeps } from '../deps';
import type { Order } from '../records';
import { backfillCheckSchedule, findDueUnpaid, scheduleCheck } from '../store';
import { closeLocally } from './close-order';
import { queryAndSettle } from './query-payment';

export interface ReconcileOptions {
  pageSize: number;
  maxOrders: number;
  budgetMs: number;
  /** WeChat calls in flight at once. */
  concurrency: number;
}

export const RECONCILE_DEFAULTS: ReconcileOptions = {
  pageSize: 100,
  maxOrders: 500,
  budgetMs: 10_000,
  concurrency: 4,
};

type Result = 'paid' | 'closed' | 'unchanged';

export async function reconcilePayments(
  deps: GatewayDeps,
  options: Partial<ReconcileOptions> = {},
): Promise<ReconcileSummary> {
  const opts = { ...RECONCILE_DEFAULTS, ...options };
  const started = deps.clock.now();
  // The run's budget, never past the invocation's deadline: nothing new starts that could not finish.
  const stopAt = Math.min(started + opts.budgetMs, deps.deadline ?? Number.POSITIVE_INFINITY);
  const summary: ReconcileSummary = {
    scanned: 0,
    paid: 0,
    closed: 0,
    unchanged: 0,
    failed: 0,
    truncated: false,
  };
  await backfillCheckSchedule(deps.db, started);
  const seen = new Set<string>();
  for (;;) {
    const room = opts.maxOrders - summary.scanned;
    if (room <= 0 || deps.clock.now() >= stopAt) {
      summary.truncated = true;
      break;
    }
    const limit = Math.min(opts.pageSize, room);
    const fetched = await findDueUnpaid(deps.db, { now: started, limit });
    // An order whose reschedule did not stick would come back: each order at most once per run.
    const page = fetched.filter((o) => !seen.has(o._id));
    if (page.length === 0) break;
    for (const o of page) seen.add(o._id);
    await forEach(page, opts.concurrency, async (order) => {
      // The budget is checked before every order, not only between pages, so one slow page cannot run
      // the function into its timeout; what is left waits for the next run.
      if (deps.clock.now() >= stopAt) {
        summary.truncated = true;
        return;
      }
      summary.scanned++;
      try {
        summary[await reconcileOrder(deps, order)]++;
      } catch (err) {
        summary.failed++;
        deps.log.warn('reconcile_order_failed', { out_trade_no: order._id, ...errorFields(err) });
      }
      // Still unpaid (or the check failed): next time, later — after the others that are due.
      await scheduleCheck(deps.db, order._id, nextCheckAt(order, deps.clock.now())).catch((err: unknown) =>
        deps.log.warn('reconcile_schedule_failed', { out_trade_no: order._id, ...errorFields(err) }),
      );
    });
    if (summary.truncated || fetched.length < limit) break;
  }
  deps.log.info('reconcile_payments', { ...summary });
  return summary;
}

/** One unpaid order: ask WeChat; settle if paid; close once expired. */
async function reconcileOrder(deps: GatewayDeps, order: Order): Promise<Result> {
  const queried = await queryAndSettle(deps, order, 'reconcile');
  if (queried.outcome === 'paid' || queried.outcome === 'paid-after-close') return 'paid';
  if (queried.outcome === 'closed') return 'closed';
  if (queried.outcome !== 'unchanged' && queried.outcome !== 'unknown-to-wechat') return 'unchanged';
  if (!isClosable(queried.order, deps.clock.now())) return 'unchanged';

  if (queried.outcome === 'unknown-to-wechat') {
    // WeChat never saw it (unifiedorder never succeeded) and it can no longer be paid: close locally.
    return (await closeLocally(deps, queried.order, 'reconcile', 'expired; unknown to WeChat')).closed
      ? 'closed'
      : 'unchanged';
  }
  try {
    await deps.wxpay.closeOrder({ out_trade_no: order._id }, { deadline: deps.deadline });
  } catch (err) {
    if (!(err instanceof WxPayBusinessError)) throw err;
    if (err.errCode === 'ORDERPAID') {
      // Paid between the query and the close: settle it.
      const again = await queryAndSettle(deps, queried.order, 'reconcile');
      return again.outcome === 'paid' || again.outcome === 'paid-after-close' ? 'paid' : 'unchanged';
    }
    if (err.errCode !== 'ORDERNOTEXIST' && err.errCode !== 'ORDERCLOSED') throw err;
  }
  return (await closeLocally(deps, queried.order, 'reconcile', 'expired; closed at WeChat')).closed
    ? 'closed'
    : 'unchanged';
}

async function forEach<T>(
  items: readonly T[],
  concurrency: number,
  fn: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, items.length)) }, worker));
}
