/**
 * `status` (merchant): whether the app is enrolled in WeChat's shipping-info management (isTradeManaged,
 * cached per instance), the paid orders awaiting shipment oldest first with their age (WeChat expects
 * shipping within 48 h), and the uploads still pending or failed.
 */
import type { AwaitingShipment, FulfilmentStatusView, MerchantShipmentView } from '../../api';
import { errorFields } from '../../log';
import { requireMerchant } from '../../orders/merchants';
import type { Order } from '../../orders/records';
import type { FulfilmentDeps } from '../deps';
import { findAwaitingShipment, findFailedUploads, findPendingUploads } from '../store';
import { merchantShipmentView } from '../views';

const LIST_LIMIT = 50;

/** One instance's memory of the last isTradeManaged answer. */
export interface TradeManagedCache {
  value?: boolean;
  at?: number;
}

export function createTradeManagedCache(): TradeManagedCache {
  return {};
}

async function tradeManaged(deps: FulfilmentDeps, cache: TradeManagedCache): Promise<boolean | null> {
  const now = deps.clock.now();
  if (
    cache.value !== undefined &&
    cache.at !== undefined &&
    now - cache.at < deps.settings.tradeManagedCacheMs
  )
    return cache.value;
  try {
    cache.value = await deps.shipping.isTradeManaged(deps.settings.appid);
    cache.at = now;
    return cache.value;
  } catch (err) {
    deps.log.warn('is_trade_managed_failed', errorFields(err));
    return cache.value ?? null;
  }
}

const views = (orders: Order[]): MerchantShipmentView[] =>
  orders.map((o) => merchantShipmentView(o)).filter((v): v is MerchantShipmentView => v !== undefined);

export async function fulfilmentStatus(
  deps: FulfilmentDeps,
  openid: string,
  cache: TradeManagedCache,
): Promise<FulfilmentStatusView> {
  await requireMerchant(deps.db, openid);
  const [managed, awaiting, pending, failed] = await Promise.all([
    tradeManaged(deps, cache),
    findAwaitingShipment(deps.db, LIST_LIMIT),
    findPendingUploads(deps.db, LIST_LIMIT),
    findFailedUploads(deps.db, LIST_LIMIT),
  ]);
  const now = deps.clock.now();
  const awaitingShipment: AwaitingShipment[] = awaiting.map((o) => {
    const paidAt = o.paidAt ?? o.createdAt;
    return {
      outTradeNo: o._id,
      totalFee: o.totalFee,
      paidAt,
      // paidAt is WeChat's time_end: a clock a little ahead of ours must not make a negative age.
      ageHours: Math.max(0, Math.floor((now - paidAt) / 3600_000)),
      late: now - paidAt > deps.settings.lateAfterMs,
    };
  });
  return {
    tradeManaged: managed,
    awaitingShipment,
    uploadsPending: views(pending),
    uploadsFailed: views(failed),
  };
}
