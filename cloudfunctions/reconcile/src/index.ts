/**
 * reconcile (timer trigger, config.json): settles or closes payments whose notification never came
 * (DESIGN.md "Reconciliation"). Internal: a call from a mini-program user is refused.
 */
import {
  answer,
  clientOptionsFromConfig,
  createLogger,
  createWxPayClient,
  gatewayDeps,
  loadConfig,
  reconcilePayments,
  reconcileRefunds,
  refuseUserCalls,
} from '@shouyin/shared';
import * as cloud from 'wx-server-sdk';

cloud.init({ env: cloud.DYNAMIC_CURRENT_ENV });
const config = loadConfig(process.env);
const log = createLogger({ fn: 'reconcile' });
const deps = gatewayDeps({
  db: cloud.database(),
  wxpay: createWxPayClient(clientOptionsFromConfig(config)),
  log,
});

export const main = answer(async () => {
  refuseUserCalls(cloud.getWXContext());
  await reconcileRefunds(deps, { stuckAfterMs: config.refundStuckHours * 3_600_000 });
  return reconcilePayments(deps);
}, log);
