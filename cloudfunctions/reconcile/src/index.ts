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

/** What the steps after the payment side need of the invocation (refunds', fulfilment's budgets, then alerts). */
const LATER_STEPS_MS = RECONCILE_REFUNDS_DEFAULTS.budgetMs + FULFILMENT_RECONCILE_DEFAULTS.budgetMs + 1000;

export const main = answer(async (_event, context) => {
  refuseUserCalls(cloud.getWXContext());
  const deadline = invocationDeadline(context, Date.now());
  // Money first, within the invocation's time less what the later steps need.
  const payments = await reconcilePayments(
    withDeadline(deps, deadline === undefined ? undefined : deadline - LATER_STEPS_MS),
  );
  await reconcileRefunds(withDeadline(deps, deadline), {
    stuckAfterMs: config.refundStuckHours * 3_600_000,
  });
  await reconcileFulfilment(fulfilment);
  // Whatever alerts are still due (orderAlert delivers them in its own invocation).
  await deliverPendingAlerts(cloud.callFunction, log);
  return payments;
}, log);
