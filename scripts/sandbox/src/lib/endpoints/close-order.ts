/**
 * POST /pay/closeorder (spec §3.3). Refused in the first 5 minutes after the order was created
 * (TRADE_STATE_ERROR — the spec gives no code for this, see docs/sandbox.md); a paid order → ORDERPAID;
 * an already closed order → ORDERCLOSED (idempotent for the caller).
 */
import { CLOSE_MIN_AGE_MS } from '../core';
import { fail, ok } from '../outcome';
import type { Endpoint } from './endpoint';

export const closeOrder: Endpoint = {
  name: 'closeorder',
  path: '/pay/closeorder',
  needsCert: false,
  required: ['out_trade_no'],
  rules: { out_trade_no: { max: 32 } },
  handle({ core, merchant, fields }) {
    const now = core.clock.now();
    const o = core.store.order(merchant.mchId, fields.out_trade_no!);
    if (!o) return fail('ORDERNOTEXIST', '订单不存在');
    if (o.state === 'SUCCESS' || o.state === 'REFUND') return fail('ORDERPAID', '订单已支付，不能发起关单');
    if (o.state === 'CLOSED') return fail('ORDERCLOSED', '订单已关闭，无法重复关闭');
    if (now - o.createdAt < CLOSE_MIN_AGE_MS) {
      return fail('TRADE_STATE_ERROR', '订单生成后不能马上调用关单接口，最短调用时间间隔为5分钟');
    }
    o.state = 'CLOSED';
    o.closedAt = now;
    core.store.touch();
    core.log(`closeorder ${o.outTradeNo}: closed`);
    return ok({ result_msg: 'OK' });
  },
};
