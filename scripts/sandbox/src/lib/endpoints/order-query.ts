/**
 * POST /pay/orderquery (spec §3.2). transaction_id wins over out_trade_no. trade_state is NOTPAY,
 * SUCCESS, REFUND, CLOSED or PAYERROR; paid states carry the payment fields of a real answer.
 * An order past its time_expire still reports NOTPAY (as users observe, spec §7) until it is closed.
 */
import type { WxInput } from '@shouyin/shared';
import { fail, ok } from '../outcome';
import { findOrder } from '../refunds';
import type { OrderRecord, TradeStateName } from '../types';
import type { Endpoint } from './endpoint';

export const TRADE_STATE_DESC: Record<TradeStateName, string> = {
  NOTPAY: '订单未支付',
  SUCCESS: '支付成功',
  REFUND: '订单发生过退款，退款详情请查询退款单',
  CLOSED: '订单已关闭',
  PAYERROR: '支付失败，请重新下单支付',
};

export function orderQueryFields(o: OrderRecord): WxInput {
  const paid = o.state === 'SUCCESS' || o.state === 'REFUND';
  return {
    device_info: o.deviceInfo,
    openid: paid ? o.openid : undefined,
    is_subscribe: paid ? 'N' : undefined,
    trade_type: paid ? o.tradeType : undefined,
    bank_type: paid ? o.bankType : undefined,
    total_fee: o.totalFee,
    fee_type: 'CNY',
    transaction_id: paid ? o.transactionId : undefined,
    out_trade_no: o.outTradeNo,
    attach: o.attach,
    time_end: paid ? o.timeEnd : undefined,
    trade_state: o.state,
    cash_fee: paid ? o.totalFee : undefined,
    cash_fee_type: paid ? 'CNY' : undefined,
    trade_state_desc: TRADE_STATE_DESC[o.state],
  };
}

export const orderQuery: Endpoint = {
  name: 'orderquery',
  path: '/pay/orderquery',
  needsCert: false,
  required: [],
  oneOf: ['transaction_id', 'out_trade_no'],
  rules: { transaction_id: { max: 32 }, out_trade_no: { max: 32 } },
  handle({ core, merchant, fields }) {
    const o = findOrder(core, merchant, {
      transactionId: fields.transaction_id,
      outTradeNo: fields.out_trade_no,
    });
    if (!o) return fail('ORDERNOTEXIST', '订单不存在');
    return ok(orderQueryFields(o));
  },
};
