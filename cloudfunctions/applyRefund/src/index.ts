/**
 * applyRefund (callFunction from the mini-program): request / cancel by the order's owner; approve / reject
 * / start / retry and the queue / get reads by a merchant (requireMerchant on the call context's OPENID,
 * never anything in the request). Each action is its own use case (shared/src/refunds); refunds go to
 * WeChat over mutual TLS with the merchant certificate, validated at cold start.
 */
import {
  answer,
  approveRefund,
  callerOpenid,
  cancelRefund,
  createLogger,
  getRefund,
  loadConfig,
  parseQueue,
  parseRefundId,
  parseRejectRefund,
  parseRequestRefund,
  parseRetryRefund,
  parseStartRefund,
  refundClient,
  refundQueue,
  rejectRefund,
  requestRefund,
  retryRefund,
  routeActions,
  startRefund,
  systemClock,
} from '@shouyin/shared';
import * as cloud from 'wx-server-sdk';

cloud.init({ env: cloud.DYNAMIC_CURRENT_ENV });
const config = loadConfig(process.env, { require: ['certificate', 'refundNotifyUrl'] });
const log = createLogger({ fn: 'applyRefund' });
const deps = {
  db: cloud.database(),
  wxpay: refundClient(config, (id) => cloud.downloadFile({ fileID: id }).then((r) => r.fileContent)),
  clock: systemClock,
  log,
  settings: { refundNotifyUrl: config.refundNotifyUrl },
};

const actions = routeActions({
  request: (e, openid: string) => requestRefund(deps, openid, parseRequestRefund(e)),
  cancel: (e, openid: string) => cancelRefund(deps, openid, parseRefundId(e)),
  approve: (e, openid: string) => approveRefund(deps, openid, parseRefundId(e)),
  reject: (e, openid: string) => rejectRefund(deps, openid, parseRejectRefund(e)),
  start: (e, openid: string) => startRefund(deps, openid, parseStartRefund(e)),
  retry: (e, openid: string) => retryRefund(deps, openid, parseRetryRefund(e)),
  queue: (e, openid: string) => refundQueue(deps, openid, parseQueue(e)),
  get: (e, openid: string) => getRefund(deps, openid, parseRefundId(e)),
});

export const main = answer((event) => actions(event, callerOpenid(cloud.getWXContext())), log);
