/**
 * Who delivers: payNotify and refundNotify (after their commit, within their alert budget) and reconcile
 * (whatever is pending) ask `orderAlert` to `deliver`, by cloud.callFunction. orderAlert alone holds the
 * subscribeMessage.send permission and the printer/robot secrets, and a delivery it started keeps running
 * in its own invocation even after the notification handler has answered WeChat and been frozen.
 *
 *   notifyDeps({ …, deliverAlerts: alertDeliveryHook(cloud.callFunction) })   // payNotify, refundNotify
 */
import { awaitWithinBudget } from '../../budget';
import type { Logger } from '../../log';

export type CallFunction = (options: { name: string; data: object }) => Promise<{ result: unknown }>;

export const ORDER_ALERT_FUNCTION = 'orderAlert';

async function requestDelivery(callFunction: CallFunction, data: object): Promise<unknown> {
  const { result } = await callFunction({ name: ORDER_ALERT_FUNCTION, data: { action: 'deliver', ...data } });
  const r = result as { ok?: boolean; data?: unknown; error?: { code?: string } } | undefined;
  if (!r?.ok) throw new Error(`orderAlert deliver answered ${r?.error?.code ?? 'nothing'}`);
  return r.data;
}

/** NotifyDeps.deliverAlerts: deliver this order's alerts now (the caller bounds the wait). */
export function alertDeliveryHook(callFunction: CallFunction): (outTradeNo: string) => Promise<void> {
  return async (outTradeNo) => {
    await requestDelivery(callFunction, { outTradeNo });
  };
}

/** reconcile: deliver whatever is pending; a failure is logged, never fails the reconcile run. */
export async function deliverPendingAlerts(
  callFunction: CallFunction,
  log: Logger,
  budgetMs = 10_000,
): Promise<void> {
  await awaitWithinBudget(
    () => requestDelivery(callFunction, {}),
    budgetMs,
    log,
    'alert_delivery_requested',
    {},
    'still-running',
  );
}
