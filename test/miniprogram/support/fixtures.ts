/** Test data shaped like the functions' answers (createPayment's from shared/src/api.ts, the rest provisional). */
import type { PaymentStart } from '../../../miniprogram/services/api-types';
import type { OrderDetail, RefundView } from '../../../miniprogram/services/pending-api';

export const T0 = Date.UTC(2026, 11, 5, 2, 0, 0); // 10:00 Beijing time

export function paymentStart(outTradeNo = 'SY20261205100000A1', totalFee = 4800): PaymentStart {
  return {
    outTradeNo,
    totalFee,
    payment: {
      timeStamp: '1796436000',
      nonceStr: 'n0nce',
      package: 'prepay_id=wx201410272009395522657a690389285100',
      signType: 'MD5',
      paySign: 'C380BEC2BFD727A4B6845133519F3AD6',
    },
  };
}

export function order(over: Partial<OrderDetail> = {}): OrderDetail {
  return {
    outTradeNo: 'SY20261205100000A1',
    status: 'PAID',
    totalFee: 4800,
    lines: [
      { productId: 'latte', name: '拿铁咖啡', unitFee: 1800, quantity: 2, lineFee: 3600 },
      { productId: 'croissant', name: '黄油可颂', unitFee: 1200, quantity: 1, lineFee: 1200 },
    ],
    createdAt: T0,
    expireAt: T0 + 30 * 60_000,
    paidAt: T0 + 60_000,
    transactionId: '4200000000202612050000000001',
    refundedFee: 0,
    ...over,
  };
}

export function refund(over: Partial<RefundView> = {}): RefundView {
  return {
    refundId: 'RF20261205100500B2',
    outTradeNo: 'SY20261205100000A1',
    status: 'REQUESTED',
    refundFee: 1200,
    totalFee: 4800,
    reason: '少了一个可颂',
    requestedBy: 'customer',
    createdAt: T0 + 5 * 60_000,
    updatedAt: T0 + 5 * 60_000,
    ...over,
  };
}
