/**
 * reconcile (timer), payment side (DESIGN.md "Reconciliation"): notifications can be lost, so orders still
 * NOTPAY a few minutes after creation are queried (orderquery) and settled through the same transition as
 * the notification; expired ones are closed at WeChat (closeorder, never before its 5-minute rule, spec
 * WeChat Pay v2 notes §3.3) and then locally. Every change is one conditional update, so two runs at once, or a run
 * racing a notification, end in the same state with one alert.
 *
 * Bounded: pages of `pageSize` by `_id` cursor, at most `maxOrders` per run and nothing new started after
 * `budgetMs`; the next run continues where the filter still matches.
 */
import type { ReconcileSummary } from '../../api';
import { WxPayBusinessError } from '../../errors';
import { errorFields } from '../../log';
import type { GatewayDeps } from '../deps';
import type { Order } from '../records';
import { findUnpaidCreatedBefore } from '../store';
import { closeLocally } from './close-order';
import { queryAndSettle } from './query-payment';

export interface ReconcileOptions {
  /** Orders younger than this are left to their notification (default 2 min; spec §4.5 suggests ~1 min). */
  queryAfterMs: number;
  pageSize: number;
  maxOrders: number;
  budgetMs: number;
  /** WeChat calls in flight at once. */
  concurrency: number;
}

export const RECONCILE_DEFAULTS: ReconcileOptions = {
  queryAfterMs: 2 * 60_000,
  pageSize: 100,
  maxOrders: 500,
  budgetMs: 10_000,
  concurrency: 4,
};

/** closeorder is refused until 5 minutes after the order was created (spec §3.3). */
export const CLOSE_NOT_BEFORE_MS = 5 * 60_000;

type Result = 'paid' | 'closed' | 'unchanged';

export async function reconcilePayments(
  deps: GatewayDeps,
  options: Partial<ReconcileOptions> = {},
): Promise<ReconcileSummary> {
  const opts = { ...RECONCILE_DEFAULTS, ...options };
  const started = deps.clock.now();
  const summary: ReconcileSummary = {
    scanned: 0,
    paid: 0,
    closed: 0,
    unchanged: 0,
    failed: 0,
    truncated: false,
  };
  let after: string | undefined;
  for (;;) {
    const room = opts.maxOrders - summary.scanned;
    if (room <= 0 || deps.clock.now() - started >= opts.budgetMs) {
      summary.truncated = true;
      break;
    }
    const page = await findUnpaidCreatedBefore(deps.db, {
      createdBefore: started - opts.queryAfterMs,
      after,
      limit: Math.min(opts.pageSize, room),
    });
    if (page.length === 0) break;
    after = page[page.length - 1]!._id;
    await forEach(page, opts.concurrency, async (order) => {
      // The budget is checked before every order, not only between pages, so one slow page cannot run
      // the function into its timeout; what is left waits for the next run.
      if (deps.clock.now() - started >= opts.budgetMs) {
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
    });
    if (summary.truncated || page.length < Math.min(opts.pageSize, room)) break;
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
  if (!isExpired(queried.order, deps.clock.now())) return 'unchanged';

  if (queried.outcome === 'unknown-to-wechat') {
    // WeChat never saw it (unifiedorder never succeeded) and it can no longer be paid: close locally.
    return (await closeLocally(deps, queried.order, 'reconcile', 'expired; unknown to WeChat')).closed
      ? 'closed'
      : 'unchanged';
  }
  try {
    await deps.wxpay.closeOrder({ out_trade_no: order._id });
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

function isExpired(order: Order, now: number): boolean {
  return now >= order.expireAt && now - order.createdAt >= CLOSE_NOT_BEFORE_MS;
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
