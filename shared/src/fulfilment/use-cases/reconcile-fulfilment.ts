/**
 * reconcile (timer), fulfilment side (docs/fulfilment.md "Reconciliation"): retries the uploads whose next
 * attempt is due (each attempt claimed first, so two runs never upload the same shipment twice), asks WeChat
 * (getOrder) about shipped orders to learn that the buyer confirmed receipt there (order_state 3/4 →
 * RECEIVED), and raises ORDER_UNSHIPPED_LATE once per order paid longer than 48 h ago and still unshipped.
 * Bounded by a page size per part and a time budget; never throws (reconcile's alert pass runs after it).
 */
import type { FulfilmentReconcileSummary } from '../../api';
import { errorFields } from '../../log';
import type { Order } from '../../orders/records';
import type { FulfilmentDeps } from '../deps';
import { receivedAtWeChat } from '../state';
import {
  claimUploadAttempt,
  deferReceiptCheck,
  findAwaitingShipment,
  findDueUploads,
  findReceiptChecksDue,
  recordReceipt,
  recordUnshippedLate,
} from '../store';
import { attemptUpload } from './attempt-upload';

export interface FulfilmentReconcileOptions {
  pageSize: number;
  budgetMs: number;
}

export const FULFILMENT_RECONCILE_DEFAULTS: FulfilmentReconcileOptions = { pageSize: 50, budgetMs: 5000 };

export async function reconcileFulfilment(
  deps: FulfilmentDeps,
  options: Partial<FulfilmentReconcileOptions> = {},
): Promise<FulfilmentReconcileSummary> {
  const opts = { ...FULFILMENT_RECONCILE_DEFAULTS, ...options };
  const { db, clock, log, settings } = deps;
  const started = clock.now();
  const summary: FulfilmentReconcileSummary = {
    uploadsTried: 0,
    uploaded: 0,
    uploadsDeferred: 0,
    uploadsFailed: 0,
    receiptsChecked: 0,
    received: 0,
    lateAlerts: 0,
    errors: 0,
    truncated: false,
  };
  const outOfTime = () => {
    if (clock.now() - started < opts.budgetMs) return false;
    summary.truncated = true;
    return true;
  };
  const each = async (orders: Order[], work: (o: Order) => Promise<void>) => {
    for (const o of orders) {
      if (outOfTime()) return;
      try {
        await work(o);
      } catch (err) {
        summary.errors++;
        log.error('reconcile_fulfilment_order_failed', { outTradeNo: o._id, ...errorFields(err) });
      }
    }
  };
  try {
    await each(await findDueUploads(db, clock.now(), opts.pageSize), async (o) => {
      const upload = o.fulfilment?.upload;
      if (!upload) return;
      const now = clock.now();
      if (!(await claimUploadAttempt(db, o._id, upload, now, settings.attemptLeaseMs))) return;
      summary.uploadsTried++;
      const claimed = { ...upload, attempts: upload.attempts + 1, lastAttemptAt: now };
      const { result } = await attemptUpload(deps, o, claimed);
      if (result === 'uploaded') summary.uploaded++;
      else if (result === 'deferred') summary.uploadsDeferred++;
      else if (result === 'failed') summary.uploadsFailed++;
    });
    if (!outOfTime())
      await each(await findReceiptChecksDue(db, clock.now(), opts.pageSize), async (o) => {
        if (!o.transactionId) return;
        summary.receiptsChecked++;
        const seen = o.fulfilment?.checkAt;
        let state: number | undefined;
        try {
          state = (await deps.shipping.getOrder(o.transactionId)).orderState;
        } finally {
          if (state === undefined || !receivedAtWeChat(state))
            await deferReceiptCheck(db, o._id, clock.now() + settings.receiptCheckMs, seen);
        }
        if (receivedAtWeChat(state) && (await recordReceipt(db, o._id, clock.now(), 'wechat'))) {
          summary.received++;
          log.info('receipt_confirmed', { outTradeNo: o._id, by: 'wechat', orderState: state });
        }
      });
    if (!outOfTime()) {
      const late = await findAwaitingShipment(db, opts.pageSize, clock.now() - settings.lateAfterMs);
      await each(late, async (o) => {
        const now = clock.now();
        const alert = {
          id: `ORDER_UNSHIPPED_LATE:${o._id}`,
          kind: 'ORDER_UNSHIPPED_LATE' as const,
          at: now,
          outTradeNo: o._id,
          totalFee: o.totalFee,
          ...(o.transactionId ? { transactionId: o.transactionId } : {}),
          detail: `paid ${Math.floor((now - (o.paidAt ?? o.createdAt)) / 3600_000)} h ago, not shipped`,
        };
        if (await recordUnshippedLate(db, o._id, now, alert)) summary.lateAlerts++;
      });
    }
  } catch (err) {
    summary.errors++;
    log.error('reconcile_fulfilment_failed', errorFields(err));
  }
  log.info('reconcile_fulfilment', { ...summary });
  return summary;
}
