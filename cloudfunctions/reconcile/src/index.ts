/**
 * reconcile (timer trigger, config.json): settles or closes payments whose notification never came
 * (DESIGN.md "Reconciliation"). Internal: a call from a mini-program user is refused.
 */
import {
  answer,
  createLogger,
  deliverPendingAlerts,
  FULFILMENT_RECONCILE_DEFAULTS,
  fulfilmentDeps,
  fulfilmentSettings,
  gatewayDeps,
  invocationDeadline,
  loadConfig,
  openapiShippingPort,
  RECONCILE_REFUNDS_DEFAULTS,
  reconcileFulfilment,
  reconcilePayments,
  reconcileRefunds,
  refundClient,
  refuseUserCalls,
  withDeadline,
} from '@shouyin/shared';
import * as cloud from 'wx-server-sdk';

cloud.init({ env: cloud.DYNAMIC_CURRENT_ENV });
const config = loadConfig(process.env);
const log = createLogger({ fn: 'reconcile' });
const deps = gatewayDeps({
  db: cloud.database(),
  // Refund resends go over mutual TLS: a certificate kept in cloud storage is downloaded at the first one.
  wxpay: refundClient(config, (id) => cloud.downloadFile({ fileID: id }).then((r) => r.fileContent)),
  log,
});

const shippingSettings = fulfilmentSettings(process.env);
const fulfilment = fulfilmentDeps({
  db: cloud.database(),
  shipping: openapiShippingPort(
    {
      uploadShippingInfo: (d) => cloud.openapi({ convertCase: false }).wxa.sec.order.uploadShippingInfo(d),
      getOrder: (d) => cloud.openapi({ convertCase: false }).wxa.sec.order.getOrder(d),
    },
    shippingSettings.uploadBudgetMs,
  ),
  settings: shippingSettings,
  log,
});

/** What each later step may take: refunds', fulfilment's and the alert pass's own budgets. */
const ALERT_PASS_MS = 10_000;
const FULFILMENT_MS = FULFILMENT_RECONCILE_DEFAULTS.budgetMs;
const REFUNDS_MS = RECONCILE_REFUNDS_DEFAULTS.budgetMs;

export const main = answer(async (_event, context) => {
  refuseUserCalls(cloud.getWXContext());
  // Every step ends before the invocation's deadline less what the steps after it need: nothing is cut off.
  const deadline = invocationDeadline(context, Date.now());
  const until = (reserveMs: number) => (deadline === undefined ? undefined : deadline - reserveMs);
  // Money first.
  const payments = await reconcilePayments(
    withDeadline(deps, until(REFUNDS_MS + FULFILMENT_MS + ALERT_PASS_MS)),
  );
  await reconcileRefunds(withDeadline(deps, until(FULFILMENT_MS + ALERT_PASS_MS)), {
    stuckAfterMs: config.refundStuckHours * 3_600_000,
  });
  await reconcileFulfilment(fulfilment);
  // Whatever alerts are still due (orderAlert delivers them in its own invocation).
  await deliverPendingAlerts(cloud.callFunction, log, ALERT_PASS_MS);
  return payments;
}, log);
