/**
 * One payment attempt for an order we already have parameters for: `wx.requestPayment` → in the same tap
 * chain, offer the customer's subscribe templates → `confirm` (the server asks WeChat and settles at once;
 * requestPayment succeeding is not proof of payment). Used by checkout and by "pay again" on an order.
 */
import type { OrderView, PaymentStart } from '../services/api-types';
import type { Api } from '../services/client';
import { errMsgOf, type WxPort } from '../services/wx-port';

export type PayOutcome =
  | { kind: 'paid'; order: OrderView }
  /** WeChat has not confirmed yet: the order shows up as paid once the notification arrives. */
  | { kind: 'pending'; order: OrderView }
  /** The customer closed WeChat's payment sheet: the order stays payable. */
  | { kind: 'cancelled' }
  /** WeChat refused; `reason` is WeChat's own message. */
  | { kind: 'failed'; reason: string };

export interface PayDeps {
  api: Api;
  wx: Pick<WxPort, 'requestPayment' | 'requestSubscribeMessage'>;
  /** The customer's templates (payment result, shipped, refund result); at most 3 per request. */
  templates: readonly string[];
}

const CANCEL = /^requestPayment:fail[ :]*cancel/;

/** WeChat's words from a requestPayment errMsg ("requestPayment:fail 余额不足" → "余额不足"). */
export function wechatReason(errMsg: string): string {
  return errMsg.replace(/^requestPayment:fail[ :]*/, '').trim() || errMsg;
}

export async function payOnce(deps: PayDeps, start: PaymentStart): Promise<PayOutcome> {
  try {
    await deps.wx.requestPayment(start.payment);
  } catch (e) {
    const msg = errMsgOf(e);
    return CANCEL.test(msg) ? { kind: 'cancelled' } : { kind: 'failed', reason: wechatReason(msg) };
  }
  const [order] = await Promise.all([
    deps.api.call('createPayment', 'confirm', { outTradeNo: start.outTradeNo }),
    offerSubscriptions(deps),
  ]);
  return order.status === 'NOTPAY' ? { kind: 'pending', order } : { kind: 'paid', order };
}

/** Never fails the payment: a refused or unsupported popup only means fewer notices. */
async function offerSubscriptions(deps: PayDeps): Promise<void> {
  if (deps.templates.length === 0) return;
  try {
    await deps.wx.requestSubscribeMessage({ tmplIds: deps.templates.slice(0, 3) });
  } catch {
    // the customer declined or the base library is too old: nothing to do
  }
}
