/**
 * refundNotify (HTTP access, /wxpay/refund-notify): WeChat Pay's refund notification (spec wxpay-v2.md §5).
 * Authenticated before any database access (req_info decrypted with the API key, spec §5.5), settled
 * exactly once, answered with WeChat's XML as an integration response. No OPENID here.
 */
import {
  answerXml,
  createLogger,
  handleRefundNotify,
  loadConfig,
  requestBody,
  systemClock,
} from '@shouyin/shared';
import * as cloud from 'wx-server-sdk';

cloud.init({ env: cloud.DYNAMIC_CURRENT_ENV });
const config = loadConfig(process.env);
const log = createLogger({ fn: 'refundNotify' });
const deps = {
  db: cloud.database(),
  settings: { appid: config.appid, mchId: config.mchId, apiKey: config.apiKey },
  clock: systemClock,
  log,
};

export const main = answerXml((event) => handleRefundNotify(deps, requestBody(event)), log);
