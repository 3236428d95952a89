/**
 * The simulated payer (what wx.requestPayment does on the phone): pay an order with a valid prepay_id,
 * fail (PAYERROR), or abandon (nothing changes: the order stays NOTPAY, spec §7 / OFF-CBQ).
 * A successful payment credits the merchant (the unsettled funds for an old fund-flow merchant, the
 * available balance for a new one) and sends the payment notification.
 */
import { beijingTime } from '@shouyin/shared';
import { balancesOf, type Core } from './core';
import { newTransactionId } from './ids';
import { payNotificationXml } from './notifications';
import { fail, type Outcome, ok } from './outcome';
import type { OrderRecord } from './types';

export type PayOutcome = 'success' | 'fail' | 'abandon';

export function payOrder(
  core: Core,
  o: OrderRecord,
  outcome: PayOutcome,
  prepayId?: string,
  bankType?: string,
): Outcome<OrderRecord> {
  const now = core.clock.now();
  if (o.state === 'SUCCESS' || o.state === 'REFUND') return fail('ORDERPAID', 'the order is already paid');
  if (o.state === 'CLOSED') return fail('ORDERCLOSED', 'the order is closed');
  if (o.timeExpireAt !== undefined && now >= o.timeExpireAt)
    return fail('ORDER_EXPIRED', 'the order passed its time_expire');
  if (prepayId !== undefined && prepayId !== o.prepayId)
    return fail('PREPAY_EXPIRED', 'this prepay_id was replaced by a newer one');
  if (now >= o.prepayExpiresAt)
    return fail('PREPAY_EXPIRED', 'the prepay_id expired (2 hours); re-enter unifiedorder for a new one');
  if (outcome === 'abandon') return ok(o);
  if (outcome === 'fail') {
    o.state = 'PAYERROR';
    o.failedAt = now;
    core.store.touch();
    return ok(o);
  }
  const m = core.merchants.get(o.mchId)!;
  o.state = 'SUCCESS';
  o.transactionId = newTransactionId(now);
  o.paidAt = now;
  o.timeEnd = beijingTime(now);
  o.bankType = bankType ?? 'OTHERS';
  balancesOf(core, m)[m.fundFlow === 'new' ? 'available' : 'unsettled'] += o.totalFee;
  core.store.touch();
  core.log(`pay ${o.outTradeNo}: paid ${o.totalFee} fen (${o.transactionId})`);
  core.notifier.enqueue({
    kind: 'pay',
    mchId: o.mchId,
    url: o.notifyUrl,
    body: payNotificationXml(m, o, core.includeSignType),
    outTradeNo: o.outTradeNo,
  });
  return ok(o);
}
