/**
 * Refund semantics (spec §3.4, §6), shared by /secapi/pay/refund and the "商户平台" refunds of the
 * control API: one out_refund_no = one refund (a repeat with the same amounts returns it, different
 * amounts are refused); cumulative refunds ≤ the paid total; ≤ 50 per order; API refunds of one order
 * ≥ 1 minute apart; funds drawn from the pool the merchant's fund flow and refund_account select
 * (NOTENOUGH when short, nothing recorded, so the same number can be retried after funding);
 * PROCESSING → SUCCESS after the settle delay, or SUCCESS/CHANGE/REFUNDCLOSE by control; a refund
 * notification when it finishes.
 */
import { balancesOf, type Core, REFUND_MAX_COUNT, REFUND_MIN_INTERVAL_MS, REFUND_WINDOW_MS } from './core';
import { newRefundId } from './ids';
import { refundNotificationXml } from './notifications';
import { fail, type Outcome, ok } from './outcome';
import type { Merchant, OrderRecord, RefundAccount, RefundRecord } from './types';

export interface RefundArgs {
  transactionId?: string;
  outTradeNo?: string;
  /** Empty for a 商户平台 refund without one: the refund_id is used. */
  outRefundNo: string;
  totalFee: number;
  refundFee: number;
  refundAccount?: RefundAccount;
  notifyUrl?: string;
  refundDesc?: string;
  source: 'API' | 'VENDOR_PLATFORM';
}

const PAID = new Set(['SUCCESS', 'REFUND']);

export function findOrder(
  core: Core,
  m: Merchant,
  by: { transactionId?: string; outTradeNo?: string },
): OrderRecord | undefined {
  // transaction_id wins when both are given (spec §3.4).
  if (by.transactionId) return core.store.orderByTransactionId(m.mchId, by.transactionId);
  if (by.outTradeNo) return core.store.order(m.mchId, by.outTradeNo);
  return undefined;
}

/** Sum of the refunds of an order that hold money (all but REFUNDCLOSE). */
export function refundedFee(core: Core, o: OrderRecord): number {
  return core.store
    .refundsOf(o.mchId, o.outTradeNo)
    .filter((r) => r.status !== 'REFUNDCLOSE')
    .reduce((sum, r) => sum + r.refundFee, 0);
}

function pool(m: Merchant, account: RefundAccount | undefined): 'unsettled' | 'available' {
  // New fund flow: always the available balance; REFUND_SOURCE_UNSETTLED_FUNDS does not apply (spec §6).
  if (m.fundFlow === 'new') return 'available';
  return account === 'REFUND_SOURCE_RECHARGE_FUNDS' ? 'available' : 'unsettled';
}

export function requestRefund(core: Core, m: Merchant, a: RefundArgs): Outcome<RefundRecord> {
  const now = core.clock.now();
  if (a.transactionId && !/^[0-9]{28,32}$/.test(a.transactionId))
    return fail('INVALID_TRANSACTIONID', '无效transaction_id');
  const order = findOrder(core, m, a);
  const existing = a.outRefundNo ? core.store.refund(m.mchId, a.outRefundNo) : undefined;
  if (existing) {
    if (!order || existing.outTradeNo !== order.outTradeNo)
      return fail('ERROR', '商户退款单号已被其他订单使用');
    if (existing.totalFee !== a.totalFee || existing.refundFee !== a.refundFee) {
      return fail('ERROR', '订单金额或退款金额与之前请求不一致，请核实后再试');
    }
    return ok(existing); // 同一退款单号多次请求只退一笔 (spec §6)
  }
  if (!order || !PAID.has(order.state)) return fail('ORDERNOTEXIST', '订单不存在');
  if (now - (order.paidAt ?? now) > REFUND_WINDOW_MS) return fail('TRADE_OVERDUE', '订单已经超过退款期限');
  if (a.totalFee !== order.totalFee) return fail('PARAM_ERROR', '订单金额total_fee与实际支付金额不一致');
  if (a.refundFee > order.totalFee) return fail('ERROR', '退款金额大于支付金额');
  const refunds = core.store.refundsOf(m.mchId, order.outTradeNo);
  if (refunds.length >= REFUND_MAX_COUNT) return fail('ERROR', `订单退款次数已达上限${REFUND_MAX_COUNT}次`);
  const refunded = refundedFee(core, order);
  if (refunded + a.refundFee > order.totalFee) {
    return fail('ERROR', refunded >= order.totalFee ? '订单已全额退款' : '累计退款金额大于支付金额');
  }
  const last = refunds.at(-1);
  if (a.source === 'API' && last && now - last.createdAt < REFUND_MIN_INTERVAL_MS) {
    return fail('FREQUENCY_LIMITED', '同一笔订单的退款申请需间隔1分钟，请稍后再试');
  }
  const from = pool(m, a.refundAccount);
  const balances = balancesOf(core, m);
  if (balances[from] < a.refundFee) {
    return fail(
      'NOTENOUGH',
      from === 'unsettled' ? '交易未结算资金不足，请使用可用余额退款' : '基本账户余额不足，请充值后重新发起',
    );
  }
  balances[from] -= a.refundFee;
  const refundId = newRefundId(now);
  const r: RefundRecord = {
    mchId: m.mchId,
    appid: order.appid,
    outRefundNo: a.outRefundNo || refundId,
    refundId,
    outTradeNo: order.outTradeNo,
    transactionId: order.transactionId!,
    totalFee: order.totalFee,
    refundFee: a.refundFee,
    refundAccount: from === 'available' ? 'REFUND_SOURCE_RECHARGE_FUNDS' : 'REFUND_SOURCE_UNSETTLED_FUNDS',
    source: a.source,
    status: 'PROCESSING',
    createdAt: now,
    ...(core.refundSettleDelayMs === null ? {} : { settleAt: now + core.refundSettleDelayMs }),
    ...(a.notifyUrl || m.refundNotifyUrl ? { notifyUrl: a.notifyUrl || m.refundNotifyUrl } : {}),
    ...(a.refundDesc ? { refundDesc: a.refundDesc } : {}),
    recvAccount: '支付用户零钱',
  };
  core.store.putRefund(r);
  order.state = 'REFUND'; // SUCCESS → REFUND once any refund is initiated (spec §7)
  core.store.touch();
  armSettlement(core, r);
  core.log(`refund ${r.outRefundNo} of ${r.outTradeNo}: ${r.refundFee} fen accepted (${r.source})`);
  return ok(r);
}

const key = (r: RefundRecord) => `${r.mchId}/${r.outRefundNo}`;

/** Schedules the automatic PROCESSING → SUCCESS of a refund, if it has one. */
export function armSettlement(core: Core, r: RefundRecord): void {
  core.clock.clearTimer(core.settleTimers.get(key(r)));
  core.settleTimers.delete(key(r));
  if (r.status !== 'PROCESSING' || r.settleAt === undefined) return;
  core.settleTimers.set(
    key(r),
    core.clock.setTimer(r.settleAt, () => {
      core.settleTimers.delete(key(r));
      if (core.store.refund(r.mchId, r.outRefundNo) === r && r.status === 'PROCESSING')
        finishRefund(core, r, 'SUCCESS');
    }),
  );
}

/** PROCESSING → SUCCESS | CHANGE | REFUNDCLOSE, then the refund notification (spec §5.1). */
export function finishRefund(
  core: Core,
  r: RefundRecord,
  status: 'SUCCESS' | 'CHANGE' | 'REFUNDCLOSE',
): void {
  const m = core.merchants.get(r.mchId);
  if (!m) throw new Error(`unknown merchant ${r.mchId}`);
  r.status = status;
  r.finishedAt = core.clock.now();
  r.settleAt = undefined;
  core.clock.clearTimer(core.settleTimers.get(key(r)));
  core.settleTimers.delete(key(r));
  if (status === 'REFUNDCLOSE') {
    // The money goes back where it came from; CHANGE leaves it out (it went somewhere abnormal).
    const b = balancesOf(core, m);
    b[r.refundAccount === 'REFUND_SOURCE_RECHARGE_FUNDS' ? 'available' : 'unsettled'] += r.refundFee;
  }
  core.store.touch();
  core.log(`refund ${r.outRefundNo}: ${status}`);
  if (r.notifyUrl) {
    core.notifier.enqueue({
      kind: 'refund',
      mchId: r.mchId,
      url: r.notifyUrl,
      body: refundNotificationXml(m, r),
      outTradeNo: r.outTradeNo,
      outRefundNo: r.outRefundNo,
    });
  }
}
