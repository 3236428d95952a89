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
  listOrders,
  loadConfig,
  parseConfirmPayment,
  parseCreatePayment,
  parseGetOrder,
  parseListOrders,
  parseResumePayment,
  paymentDeps,
  paymentSettings,
  resumePayment,
  routeActions,
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

const actions = routeActions({
  create: (e, openid: string) => createPayment(deps, openid, parseCreatePayment(e)),
  resume: (e, openid: string) => resumePayment(deps, openid, parseResumePayment(e)),
  confirm: (e, openid: string) => confirmPayment(deps, openid, parseConfirmPayment(e)),
  get: (e, openid: string) => getOrder(deps, openid, parseGetOrder(e)),
  list: (e, openid: string) => listOrders(deps, openid, parseListOrders(e)),
});

export const main = answer((event) => actions(event, callerOpenid(cloud.getWXContext())), log);
