/**
 * orderAlert (callFunction): merchant alerts (docs/alerts.md). `deliver` is internal — payNotify,
 * refundNotify and reconcile call it; a mini-program user is refused. `subscribe`, `status`, `feed` and
 * `reprint` are for the shop's merchants only (requireMerchant on the OPENID of the call context). This
 * function alone holds the subscribeMessage.send permission (config.json) and the printer / robot secrets.
 */
import {
  alertDeps,
  alertStatus,
  answer,
  callerOpenid,
  createLogger,
  deliverAlerts,
  loadAlertConfig,
  merchantFeed,
  parseDeliver,
  parseFeed,
  parseReprint,
  parseSubscribe,
  recordSubscription,
  refuseUserCalls,
  reprintReceipt,
  routeActions,
} from '@shouyin/shared';
import * as cloud from 'wx-server-sdk';

cloud.init({ env: cloud.DYNAMIC_CURRENT_ENV });
const log = createLogger({ fn: 'orderAlert' });
const deps = alertDeps({
  db: cloud.database(),
  config: loadAlertConfig(process.env),
  subscribeSend: (data) => cloud.openapi.subscribeMessage.send(data),
  log,
});

const actions = routeActions({
  deliver: (e) => {
    refuseUserCalls(cloud.getWXContext());
    return deliverAlerts(deps, parseDeliver(e));
  },
  subscribe: (e) => recordSubscription(deps, callerOpenid(cloud.getWXContext()), parseSubscribe(e)),
  status: () => alertStatus(deps, callerOpenid(cloud.getWXContext())),
  feed: (e) => merchantFeed(deps, callerOpenid(cloud.getWXContext()), parseFeed(e)),
  reprint: (e) => reprintReceipt(deps, callerOpenid(cloud.getWXContext()), parseReprint(e)),
});

export const main = answer((event) => actions(event, undefined as never), log);
