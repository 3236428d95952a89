/**
 * POST /pay/unifiedorder (spec §3.1, §7). JSAPI only (the mini-program product). Re-entry with the same
 * out_trade_no and identical parameters returns the same prepay_id while it is valid (2 h), then a new one;
 * different parameters → INVALID_REQUEST (the spec's other candidate is OUT_TRADE_NO_USED); a paid order
 * → ORDERPAID; a closed (or past time_expire) order → ORDERCLOSED.
 */
import { OUT_TRADE_NO, parseBeijingTime, type WxFields } from '@shouyin/shared';
import { PREPAY_TTL_MS, TIME_EXPIRE_MIN_MS } from '../core';
import { newPrepayId } from '../ids';
import { fail, ok } from '../outcome';
import type { OrderRecord } from '../types';
import type { Endpoint } from './endpoint';

/** What a re-entry must repeat: every non-empty field but nonce_str and sign. */
export function reentryParams(fields: WxFields): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of Object.keys(fields).sort()) {
    if (k === 'nonce_str' || k === 'sign' || fields[k] === '') continue;
    out[k] = fields[k]!;
  }
  return out;
}

function sameParams(a: Record<string, string>, b: Record<string, string>): boolean {
  const ka = Object.keys(a);
  return ka.length === Object.keys(b).length && ka.every((k) => b[k] === a[k]);
}

export const unifiedOrder: Endpoint = {
  name: 'unifiedorder',
  path: '/pay/unifiedorder',
  needsCert: false,
  required: ['body', 'out_trade_no', 'total_fee', 'spbill_create_ip', 'notify_url', 'trade_type'],
  rules: {
    device_info: { max: 32 },
    body: { max: 127, bytes: true },
    detail: { max: 6000 },
    attach: { max: 127, bytes: true },
    out_trade_no: { max: 32, pattern: OUT_TRADE_NO },
    fee_type: { oneOf: ['CNY'] },
    total_fee: { positiveInt: true },
    spbill_create_ip: { max: 64, ip: true },
    time_start: { time: true },
    time_expire: { time: true },
    goods_tag: { max: 32 },
    notify_url: { notifyUrl: true },
    trade_type: { oneOf: ['JSAPI', 'NATIVE', 'APP', 'MWEB'] },
    product_id: { max: 32 },
    limit_pay: { oneOf: ['no_credit'] },
    openid: { max: 128 },
    receipt: { oneOf: ['Y'] },
    profit_sharing: { oneOf: ['Y', 'N'] },
    scene_info: { max: 256 },
  },
  handle({ core, merchant, fields, signType }) {
    const now = core.clock.now();
    if (fields.trade_type !== 'JSAPI')
      return fail('NOAUTH', '商户未开通此接口权限（沙箱只模拟小程序JSAPI支付）');
    if (!fields.openid) return fail('LACK_PARAMS', 'JSAPI支付必须传openid');
    const outTradeNo = fields.out_trade_no!;
    const params = reentryParams(fields);
    const existing = core.store.order(merchant.mchId, outTradeNo);
    if (existing) {
      if (existing.state === 'SUCCESS' || existing.state === 'REFUND')
        return fail('ORDERPAID', '该订单已支付');
      if (existing.state === 'CLOSED') return fail('ORDERCLOSED', '该订单已关闭');
      if (!sameParams(existing.params, params))
        return fail('INVALID_REQUEST', '订单重入时，要求参数值与原请求一致');
      if (existing.timeExpireAt !== undefined && now >= existing.timeExpireAt)
        return fail('ORDERCLOSED', '订单已过期');
      if (now >= existing.prepayExpiresAt) {
        existing.prepayId = newPrepayId(now);
        existing.prepayExpiresAt = now + PREPAY_TTL_MS;
        existing.prepayIds.push(existing.prepayId);
        core.store.touch();
      }
      return ok({
        device_info: existing.deviceInfo,
        trade_type: existing.tradeType,
        prepay_id: existing.prepayId,
      });
    }
    let timeExpireAt: number | undefined;
    if (fields.time_expire) {
      timeExpireAt = parseBeijingTime(fields.time_expire)!;
      if (timeExpireAt - now < TIME_EXPIRE_MIN_MS)
        return fail('INVALID_REQUEST', 'time_expire时间过短，刷卡至少1分钟，其他5分钟');
    }
    const prepayId = newPrepayId(now);
    const order: OrderRecord = {
      mchId: merchant.mchId,
      appid: fields.appid!,
      outTradeNo,
      signType,
      params,
      totalFee: Number(fields.total_fee),
      openid: fields.openid,
      notifyUrl: fields.notify_url!,
      tradeType: fields.trade_type,
      ...(fields.attach ? { attach: fields.attach } : {}),
      ...(fields.device_info ? { deviceInfo: fields.device_info } : {}),
      createdAt: now,
      ...(timeExpireAt !== undefined ? { timeExpireAt } : {}),
      prepayId,
      prepayExpiresAt: now + PREPAY_TTL_MS,
      prepayIds: [prepayId],
      state: 'NOTPAY',
    };
    core.store.putOrder(order);
    core.log(`unifiedorder ${outTradeNo}: ${order.totalFee} fen, ${signType}`);
    return ok({ device_info: order.deviceInfo, trade_type: order.tradeType, prepay_id: prepayId });
  },
};
