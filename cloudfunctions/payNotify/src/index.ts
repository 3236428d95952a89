/**
 * payNotify (HTTP access, /wxpay/pay-notify): WeChat Pay's payment notification (WeChat Pay v2 notes §4).
 * Verified before any database access, settled exactly once, answered with WeChat's XML as an
 * integration response (CloudBase notes §5.1). No OPENID here: the signature is the authentication.
 */
import {
  alertDeliveryHook,
  answerXml,
  createLogger,
  handlePayNotify,
  loadConfig,
  notifyDeps,
  notifySettings,
  requestBody,
} from '@shouyin/shared';
import * as cloud from 'wx-server-sdk';

cloud.init({ env: cloud.DYNAMIC_CURRENT_ENV });
const config = loadConfig(process.env);
const log = createLogger({ fn: 'payNotify' });
const deps = notifyDeps({
  db: cloud.database(),
  settings: notifySettings(config),
  log,
  deliverAlerts: alertDeliveryHook(cloud.callFunction),
});

export const main = answerXml((event) => handlePayNotify(deps, requestBody(event)), log);
