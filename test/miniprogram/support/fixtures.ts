/** Test data shaped like the functions' answers (types from shared/src/api.ts through services/api-types.ts). */
import type {
  MerchantShipmentView,
  OrderView,
  PaymentStart,
  RefundView,
  ShipmentView,
} from '../../../miniprogram/services/api-types';

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

export function order(over: Partial<OrderView> = {}): OrderView {
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
    label: '待审核',
    refundFee: 1200,
    totalFee: 4800,
    reason: '少了一个可颂',
    requestedBy: 'customer',
    createdAt: T0 + 5 * 60_000,
    updatedAt: T0 + 5 * 60_000,
    ...over,
  };
}

/** A shipment as the customer sees it on an order (createPayment get/list `shipment`). */
export function shipment(over: Partial<ShipmentView> = {}): ShipmentView {
  return {
    status: 'SHIPPED',
    logisticsType: 1,
    expressCompany: 'SF',
    trackingNo: 'SF1234567890',
    itemDesc: '拿铁咖啡 ×2，黄油可颂 ×1',
    shippedAt: T0 + 3600_000,
    amended: false,
    ...over,
  };
}

/** A shipment as fulfilOrder `ship` answers it to the merchant. */
export function merchantShipment(over: Partial<MerchantShipmentView> = {}): MerchantShipmentView {
  return {
    ...shipment(),
    outTradeNo: 'SY20261205100000A1',
    upload: { status: 'UPLOADED', attempts: 1, uploadedAt: T0 + 3600_000 },
    ...over,
  };
}
