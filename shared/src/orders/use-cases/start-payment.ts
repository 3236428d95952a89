/**
 * Hands out what `wx.requestPayment` needs for an unpaid order (shared by `create`, a retried `create` and
 * `resume`): the live prepay_id when there is one, else a unifiedorder with the order's stored parameters —
 * the first call, or a re-entry byte-identical to it (WeChat Pay v2 notes §3.1, §9.12) — and a fresh paySign
 * over appId, timeStamp, nonceStr, package and the order's sign type (§2.4).
 */
import type { PaymentStart } from '../../api';
import { SignatureError, WxPayBusinessError, WxPayProtocolError, WxPayTransportError } from '../../errors';
import { errorFields } from '../../log';
import { jsapiPayParams } from '../../wxpay/pay-sign';
import type { SignType } from '../../wxpay/types';
import type { PaymentDeps } from '../deps';
import { orderAlreadyPaid, orderClosed, orderExpired, paymentPending, paymentRefused } from '../failures';
import { orderSignType, prepayExpiry, reentryRequest } from '../payment-params';
import type { Actor, Order } from '../records';
import { isAwaitingPayment, isPaid } from '../state';
import { savePrepay } from '../store';
import { closeLocally } from './close-order';
import { queryAndSettle } from './query-payment';

export async function startPayment(deps: PaymentDeps, order: Order, by: Actor): Promise<PaymentStart> {
  const now = deps.clock.now();
  if (!isAwaitingPayment(order.status))
    throw isPaid(order.status) ? orderAlreadyPaid(order._id) : orderClosed(order._id);
  if (now >= order.expireAt) throw orderExpired(order._id);
  if (order.prepayId && (order.prepayExpiresAt ?? 0) > now) return paymentStart(deps, order, order.prepayId);

  let prepayId: string;
  try {
    ({ prepay_id: prepayId } = await deps.wxpay.unifiedOrder(reentryRequest(order), {
      deadline: deps.deadline,
    }));
  } catch (err) {
    throw await prepayFailure(deps, order, err, by);
  }
  // WeChat may hand back the prepay it already issued: its expiry runs from then, not from now.
  const expiresAt = prepayExpiry(order, prepayId);
  // If the order was settled or closed meanwhile this stores nothing; the parameters are harmless then.
  if (prepayId !== order.prepayId || expiresAt !== order.prepayExpiresAt)
    await savePrepay(deps.db, order._id, prepayId, expiresAt);
  deps.log.info('prepay_issued', {
    out_trade_no: order._id,
    by,
    reused: prepayId === order.prepayId,
    prepay_valid_for_s: Math.round((expiresAt - now) / 1000),
  });
  return paymentStart(deps, order, prepayId);
}

/** paySign uses the algorithm the prepay was obtained with (spec §2.4). */
function paymentStart(deps: PaymentDeps, order: Order, prepayId: string): PaymentStart {
  const signType: SignType = orderSignType(order);
  return {
    outTradeNo: order._id,
    totalFee: order.totalFee,
    payment: jsapiPayParams({
      appId: deps.settings.appid,
      prepayId,
      apiKey: deps.settings.apiKey,
      signType,
      nowMs: deps.clock.now(),
    }),
  };
}

/**
 * What a failed unifiedorder means for the order, and the error for the caller:
 * - outcome unknown (timeout, reset, SYSTEMERROR after the client's own retry, an unverifiable answer):
 *   the order stays NOTPAY for reconcile, and the caller may retry — the same order is re-entered;
 * - ORDERPAID: settle it now from orderquery; ORDERCLOSED: close it locally;
 * - INVALID_REQUEST / OUT_TRADE_NO_USED: either may mean "this number already exists at WeChat with other
 *   parameters" (spec §3.1 re-entry rule names both, and which one WeChat sends is unconfirmed), so they
 *   are handled alike and without trusting the code: orderquery decides. A number WeChat does not know
 *   (ORDERNOTEXIST) was definitely refused → closed with WeChat's reason; a number it holds is not ours to
 *   close now → it stays NOTPAY (settled at once if WeChat says it is paid) and reconcile finishes it;
 * - any other definite refusal (business or protocol level): closed with WeChat's reason.
 */
async function prepayFailure(deps: PaymentDeps, order: Order, err: unknown, by: Actor): Promise<unknown> {
  deps.log.warn('unifiedorder_failed', { out_trade_no: order._id, by, ...errorFields(err) });
  if (err instanceof WxPayTransportError || err instanceof SignatureError) return paymentPending(order._id);
  if (err instanceof WxPayBusinessError) {
    if (err.retryable) return paymentPending(order._id);
    if (AMBIGUOUS_REFUSALS.has(err.errCode)) return ambiguousRefusal(deps, order, err, by);
    if (err.errCode === 'ORDERPAID') {
      await queryAndSettle(deps, order, by).catch((e: unknown) =>
        deps.log.warn('settle_after_orderpaid_failed', { out_trade_no: order._id, ...errorFields(e) }),
      );
      return orderAlreadyPaid(order._id);
    }
    if (err.errCode === 'ORDERCLOSED') {
      await closeLocally(deps, order, by, 'WeChat: ORDERCLOSED');
      return orderClosed(order._id);
    }
    await closeLocally(deps, order, by, `WeChat refused: ${err.errCode} ${err.errCodeDes}`.trim());
    return paymentRefused(order._id, err.errCode);
  }
  if (err instanceof WxPayProtocolError) {
    await closeLocally(deps, order, by, `WeChat refused: ${err.returnMsg}`);
    return paymentRefused(order._id, err.returnMsg);
  }
  return err instanceof Error ? err : new Error(String(err));
}

/** Codes that may mean a refused request or a number WeChat already holds (spec §3.1, §9 item 12). */
const AMBIGUOUS_REFUSALS = new Set(['INVALID_REQUEST', 'OUT_TRADE_NO_USED']);

async function ambiguousRefusal(
  deps: PaymentDeps,
  order: Order,
  err: WxPayBusinessError,
  by: Actor,
): Promise<unknown> {
  let outcome: Awaited<ReturnType<typeof queryAndSettle>>['outcome'];
  try {
    ({ outcome } = await queryAndSettle(deps, order, by));
  } catch (e) {
    deps.log.warn('orderquery_after_refusal_failed', { out_trade_no: order._id, ...errorFields(e) });
    return paymentPending(order._id);
  }
  if (outcome === 'unknown-to-wechat') {
    await closeLocally(deps, order, by, `WeChat refused: ${err.errCode} ${err.errCodeDes}`.trim());
    return paymentRefused(order._id, err.errCode);
  }
  if (outcome === 'paid' || outcome === 'paid-after-close' || outcome === 'already-paid')
    return orderAlreadyPaid(order._id);
  if (outcome === 'closed') return orderClosed(order._id);
  return paymentPending(order._id);
}
