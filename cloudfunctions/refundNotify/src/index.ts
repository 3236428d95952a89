/**
 * refundNotify (HTTP access, /wxpay/refund-notify): WeChat Pay's refund notification (WeChat Pay v2 notes §5).
 * Authenticated before any database access (req_info decrypted with the API key, WeChat Pay v2 notes §5.5), settled
 * exactly once, answered with WeChat's XML as an integration response. No OPENID here.
 */
import {
  alertDeliveryHook,
  answerXml,
  createLogger,
  handleRefundNotify,
  loadConfig,
  notifySettings,
  requestBody,
  systemClock,
} from '@shouyin/shared';
import * as cloud from 'wx-server-sdk';

cloud.init({ env: cloud.DYNAMIC_CURRENT_ENV });
const config = loadConfig(process.env);
const log = createLogger({ fn: 'refundNotify' });
const deps = {
  db: cloud.database(),
  // The merchant's identity and key(s): during a rotation window the previous key decrypts too.
  settings: notifySettings(config),
  clock: systemClock,
  log,
  // Alerts of the settled refund: orderAlert delivers them in its own invocation, awaited within a budget.
  deliverAlerts: alertDeliveryHook(cloud.callFunction),
};

export const main = answerXml((event) => handleRefundNotify(deps, requestBody(event)), log);
