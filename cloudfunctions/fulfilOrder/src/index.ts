/**
 * fulfilOrder (callFunction from the mini-program): ship / amend / status for merchants, confirmReceipt for
 * the order's owner, each its own use case (docs/fulfilment.md). The caller is the OPENID of the call
 * context; WeChat's shipping-info service is reached through the SDK's cloud call (config.json lists the
 * wxa.sec.order.* permissions).
 */
import {
  amendShipment,
  answer,
  callerOpenid,
  confirmReceipt,
  createLogger,
  createTradeManagedCache,
  fulfilmentDeps,
  fulfilmentSettings,
  fulfilmentStatus,
  openapiShippingPort,
  parseAmend,
  parseConfirmReceipt,
  parseShip,
  routeActions,
  shipOrder,
} from '@shouyin/shared';
import * as cloud from 'wx-server-sdk';

cloud.init({ env: cloud.DYNAMIC_CURRENT_ENV });
const settings = fulfilmentSettings(process.env);
const log = createLogger({ fn: 'fulfilOrder' });
const deps = fulfilmentDeps({
  db: cloud.database(),
  shipping: openapiShippingPort(
    {
      uploadShippingInfo: (d) => cloud.openapi({ convertCase: false }).wxa.sec.order.uploadShippingInfo(d),
      isTradeManaged: (d) => cloud.openapi({ convertCase: false }).wxa.sec.order.isTradeManaged(d),
    },
    settings.uploadBudgetMs,
  ),
  settings,
  log,
});
const tradeManaged = createTradeManagedCache();

const actions = routeActions({
  ship: (e, openid: string) => shipOrder(deps, openid, parseShip(e)),
  amend: (e, openid: string) => amendShipment(deps, openid, parseAmend(e)),
  confirmReceipt: (e, openid: string) => confirmReceipt(deps, openid, parseConfirmReceipt(e)),
  status: (_e, openid: string) => fulfilmentStatus(deps, openid, tradeManaged),
});

export const main = answer((event) => actions(event, callerOpenid(cloud.getWXContext())), log);
