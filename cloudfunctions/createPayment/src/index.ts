/**
 * createPayment (callFunction from the mini-program): create / resume / confirm / get / list, each its own
 * use case. The payer is the OPENID of the call context, never anything in the request (the CloudBase notes
 * §2.2); the answer is `{ok, data}` or `{ok: false, error: {code, message}}` (shared/src/api.ts).
 */
import {
  answer,
  callerOpenid,
  clientOptionsFromConfig,
  confirmPayment,
  createLogger,
  createPayment,
  createWxPayClient,
  getOrder,
  invocationDeadline,
  listOrders,
  loadConfig,
  type PaymentDeps,
  parseConfirmPayment,
  parseCreatePayment,
  parseGetOrder,
  parseListOrders,
  parseResumePayment,
  paymentDeps,
  paymentSettings,
  resumePayment,
  routeActions,
  withDeadline,
} from '@shouyin/shared';
import * as cloud from 'wx-server-sdk';

cloud.init({ env: cloud.DYNAMIC_CURRENT_ENV });
const config = loadConfig(process.env, { require: ['payNotifyUrl'] });
const log = createLogger({ fn: 'createPayment' });
const deps = paymentDeps({
  db: cloud.database(),
  wxpay: createWxPayClient(clientOptionsFromConfig(config)),
  settings: paymentSettings(config),
  log,
});

/** Who is calling, and the dependencies bounded by this invocation's deadline. */
type Call = { openid: string; deps: PaymentDeps };

const actions = routeActions({
  create: (e, c: Call) => createPayment(c.deps, c.openid, parseCreatePayment(e)),
  resume: (e, c: Call) => resumePayment(c.deps, c.openid, parseResumePayment(e)),
  confirm: (e, c: Call) => confirmPayment(c.deps, c.openid, parseConfirmPayment(e)),
  get: (e, c: Call) => getOrder(c.deps, c.openid, parseGetOrder(e)),
  list: (e, c: Call) => listOrders(c.deps, c.openid, parseListOrders(e)),
});

export const main = answer(
  (event, context) =>
    actions(event, {
      openid: callerOpenid(cloud.getWXContext()),
      deps: withDeadline(deps, invocationDeadline(context, Date.now())),
    }),
  log,
);
