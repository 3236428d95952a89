/**
 * Asks WeChat where an order stands (orderquery, WeChat Pay v2 notes §3.2) and applies the answer through
 * the same transitions as everyone else: paid → settlePayment; CLOSED/REVOKED → closed locally; anything
 * else changes nothing yet.
 */
import { WxPayBusinessError } from '../../errors';
import type { GatewayDeps } from '../deps';
import type { Actor, Order } from '../records';
import { eventForTradeState } from '../state';
import { closeLocally } from './close-order';
import { type SettleOutcome, settlePayment } from './settle-payment';

export type QueryOutcome = SettleOutcome | 'closed' | 'unchanged' | 'unknown-to-wechat';

export async function queryAndSettle(
  deps: GatewayDeps,
  order: Order,
  by: Actor,
): Promise<{ outcome: QueryOutcome; order: Order }> {
  let answer: Awaited<ReturnType<GatewayDeps['wxpay']['orderQuery']>>;
  try {
    answer = await deps.wxpay.orderQuery({ out_trade_no: order._id }, { deadline: deps.deadline });
  } catch (err) {
    // Only orders whose unifiedorder succeeded are known to WeChat (§3.2).
    if (err instanceof WxPayBusinessError && err.errCode === 'ORDERNOTEXIST')
      return { outcome: 'unknown-to-wechat', order };
    throw err;
  }
  const event = eventForTradeState(answer.trade_state);
  if (event === 'PAY') {
    if (!answer.transaction_id)
      throw new Error(`orderquery reported ${answer.trade_state} without transaction_id`);
    return settlePayment(
      deps,
      order,
      {
        source: 'query',
        outTradeNo: order._id,
        transactionId: answer.transaction_id,
        totalFee: answer.total_fee,
        openid: answer.openid,
        timeEnd: answer.time_end,
      },
      by,
    );
  }
  if (event === 'CLOSE') {
    const r = await closeLocally(deps, order, by, `WeChat reports ${answer.trade_state}`);
    return { outcome: r.closed ? 'closed' : 'unchanged', order: r.order };
  }
  return { outcome: 'unchanged', order };
}
