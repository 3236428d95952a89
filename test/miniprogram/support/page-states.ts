/**
 * Each page's controller with a fake `wx` and the demo catalogue, as the page .ts wires it: the view
 * state, the page's event handlers (same names as in the page .ts), and a hook to mirror render patches
 * into a rendered page. Used by the rendering tests and the screenshots.
 */
import { cartLines, readCart, writeCart } from '../../../miniprogram/logic/cart';
import { createCheckout } from '../../../miniprogram/logic/checkout';
import { createMe } from '../../../miniprogram/logic/me';
import { createMerchantConsole } from '../../../miniprogram/logic/merchant';
import { createOrderDetail } from '../../../miniprogram/logic/order-detail';
import { createOrders } from '../../../miniprogram/logic/orders';
import { createShop } from '../../../miniprogram/logic/shop';
import type { DatabasePort } from '../../../miniprogram/services/catalogue';
import { createApi } from '../../../miniprogram/services/client';
import { type FakeWx, fakeWx } from './fake-wx';
import { merchantShipment, order, paymentStart, refund, shipment, T0 } from './fixtures';

type Handler = (e: {
  currentTarget: { dataset: Record<string, unknown> };
  detail?: { value?: unknown };
}) => unknown;

export interface PageState {
  wx: FakeWx;
  view(): object;
  methods: Record<string, Handler>;
  /** Where render patches go (a rendered page's setData). */
  sink: { setData(p: object): void };
  load(): Promise<unknown>;
}

const HOUR = 3600_000;
export const CATALOGUE = [
  { _id: 'latte', name: '拿铁咖啡', priceFee: 1800, onSale: true },
  { _id: 'americano', name: '美式咖啡', priceFee: 1500, onSale: true },
  { _id: 'croissant', name: '黄油可颂', priceFee: 1200, onSale: true },
  { _id: 'cheesecake', name: '重乳酪蛋糕', priceFee: 2600, onSale: true },
];

export function catalogueDb(): DatabasePort {
  return {
    collection: () => ({ where: () => ({ limit: () => ({ get: async () => ({ data: CATALOGUE }) }) }) }),
  };
}

function sinkOf() {
  const sink = { setData: (_p: object) => {} };
  return { sink, render: (p: object) => sink.setData(p) };
}

const id = (e: Parameters<Handler>[0]) => String(e.currentTarget.dataset.id);
const no = (e: Parameters<Handler>[0]) => String(e.currentTarget.dataset.no);

export function shopState(wx = fakeWx()): PageState {
  const { sink, render } = sinkOf();
  writeCart(wx, { latte: 2, croissant: 1 });
  const shop = createShop({ db: catalogueDb(), storage: wx, render });
  return {
    wx,
    sink,
    view: () => shop.state.view,
    load: () => shop.load(),
    methods: { onAdd: (e) => shop.change(id(e), 1), onRemove: (e) => shop.change(id(e), -1) },
  };
}

export function checkoutState(wx = fakeWx()): PageState & { checkout: ReturnType<typeof createCheckout> } {
  const { sink, render } = sinkOf();
  writeCart(wx, { latte: 2, croissant: 1 });
  wx.answer('createPayment', 'create', () => paymentStart('SY20261205100000A1', 4800));
  wx.answer('createPayment', 'resume', (i) => paymentStart(i.outTradeNo, 4800));
  wx.answer('createPayment', 'confirm', (i) => order({ outTradeNo: i.outTradeNo }));
  const checkout = createCheckout({
    api: createApi(wx.cloud),
    wx,
    storage: wx,
    lines: cartLines(readCart(wx), CATALOGUE),
    templates: ['TPL_PAID'],
    newRequestId: () => 'co_0123456789abcdef',
    onPaid: () => writeCart(wx, {}),
    render,
  });
  return {
    wx,
    sink,
    checkout,
    view: () => ({ loading: false, error: '', ...checkout.state.view }),
    load: async () => {},
    methods: { onPay: () => checkout.pay() },
  };
}

export function ordersState(wx = fakeWx()): PageState {
  const { sink, render } = sinkOf();
  wx.answer('createPayment', 'list', () => ({
    orders: [
      order({
        outTradeNo: 'SY20261205113000C3',
        status: 'NOTPAY',
        createdAt: T0 + 90 * 60_000,
        expireAt: T0 + 120 * 60_000,
        totalFee: 1500,
        lines: [{ productId: 'americano', name: '美式咖啡', unitFee: 1500, quantity: 1, lineFee: 1500 }],
      }),
      order({ outTradeNo: 'SY20261205100000A1', refunds: [refund()] }),
      order({
        outTradeNo: 'SY20261204180000B7',
        createdAt: T0 - 16 * HOUR,
        shipment: shipment({ shippedAt: T0 - 10 * HOUR }),
      }),
      order({
        outTradeNo: 'SY20261203090000Z9',
        status: 'REFUNDED',
        refundedFee: 4800,
        createdAt: T0 - 49 * HOUR,
      }),
      order({ outTradeNo: 'SY20261202090000Y1', status: 'CLOSED', createdAt: T0 - 73 * HOUR }),
    ],
    nextCursor: null,
  }));
  const orders = createOrders({
    api: createApi(wx.cloud),
    wx,
    templates: [],
    now: () => T0 + 91 * 60_000,
    render,
  });
  return {
    wx,
    sink,
    view: () => orders.state.view,
    load: () => orders.load(),
    methods: { onPay: (e) => orders.pay(no(e)), onOpen: () => {} },
  };
}

export function orderState(wx = fakeWx()): PageState & { detail: ReturnType<typeof createOrderDetail> } {
  const { sink, render } = sinkOf();
  wx.answer('createPayment', 'get', () =>
    order({
      status: 'PARTIALLY_REFUNDED',
      refundedFee: 1200,
      remark: '少冰',
      refunds: [refund({ status: 'SUCCESS', label: '退款完成', refundFee: 1200 })],
      shipment: shipment({ shippedAt: T0 + 2 * HOUR }),
    }),
  );
  const detail = createOrderDetail({
    api: createApi(wx.cloud),
    wx,
    templates: [],
    outTradeNo: 'SY20261205100000A1',
    now: () => T0 + 3 * HOUR,
    render,
  });
  return {
    wx,
    sink,
    detail,
    view: () => detail.state.view,
    load: () => detail.load(),
    methods: {
      onOpenRefund: () => detail.openRefundForm(),
      onCloseRefund: () => detail.closeRefundForm(),
      onRefundAmount: (e) => detail.editRefundForm('amountText', String(e.detail?.value ?? '')),
      onRefundReason: (e) => detail.editRefundForm('reason', String(e.detail?.value ?? '')),
      onSubmitRefund: () => detail.submitRefund(),
      onCancelRefund: (e) => detail.cancelRefund(id(e)),
      onConfirmReceipt: () => detail.confirmReceipt(),
      onPay: () => detail.pay(),
    },
  };
}

/** `focus`: the order a merchant alert opened the console on (`?outTradeNo=`). */
export function merchantState(wx = fakeWx(), merchant = true, focus?: string): PageState {
  const { sink, render } = sinkOf();
  wx.answer('whoami', 'get', () => ({
    openid: merchant ? 'o-demo-merchant-owner' : 'o-alice',
    merchant: merchant ? { id: 'demo-shop', name: '收银示例咖啡馆' } : null,
  }));
  wx.answer('orderAlert', 'feed', () => ({
    items: [
      {
        id: 'ORDER_PAID:SY20261205113500D4',
        kind: 'ORDER_PAID' as const,
        title: '新订单已支付',
        status: '已支付',
        at: T0 + 95 * 60_000,
        outTradeNo: 'SY20261205113500D4',
        amountFee: 3000,
      },
      {
        id: 'REFUND_REQUESTED:RF1',
        kind: 'REFUND_REQUESTED' as const,
        title: '顾客申请退款',
        status: '待审核',
        at: T0 + 5 * 60_000,
        outTradeNo: 'SY20261205100000A1',
        amountFee: 1200,
      },
    ],
    nextCursor: null,
  }));
  wx.answer('orderAlert', 'status', () => ({
    openid: 'o-demo-merchant-owner',
    receivesAlerts: true,
    templates: [
      { slot: 'order' as const, templateId: 'TPL_NEW', estimatedGrants: 9, exhausted: false },
      { slot: 'refund' as const, templateId: 'TPL_REFUND', estimatedGrants: 1, exhausted: false },
      { slot: 'anomaly' as const, templateId: 'TPL_ANOMALY', estimatedGrants: 4, exhausted: false },
    ],
    resubscribe: false,
    pending: 1,
    failed: 0,
    lastDeliveryAt: T0 + 95 * 60_000,
    recentFailures: [],
    printer: {
      configured: true,
      id: '960238952',
      lastJob: { status: 'SENT', jobId: '816501678_20261205113501', at: T0 + 95 * 60_000 },
    },
    robot: { configured: false },
  }));
  wx.answer('fulfilOrder', 'status', () => ({
    tradeManaged: true,
    awaitingShipment: [
      {
        outTradeNo: 'SY20261205113500D4',
        paidAt: T0 + 95 * 60_000,
        totalFee: 3000,
        ageHours: 0,
        late: false,
      },
      { outTradeNo: 'SY20261203080000E5', paidAt: T0 - 50 * HOUR, totalFee: 2600, ageHours: 51, late: true },
    ],
    uploadsPending: [merchantShipment({ upload: { status: 'PENDING', attempts: 1 } })],
    uploadsFailed: [],
  }));
  wx.answer('applyRefund', 'queue', (i) => ({
    refunds:
      i.status === 'REQUESTED'
        ? [refund({ refundId: 'RF-1' })]
        : [
            refund({
              refundId: 'RF-2',
              outTradeNo: 'SY20261204180000B7',
              status: 'FAILED',
              label: '退款失败',
              refundFee: 4800,
              reason: '不想要了',
              failure: { code: 'NOTENOUGH', message: '交易未结算资金不足，请使用可用余额退款' },
            }),
          ],
    nextCursor: null,
  }));
  const c = createMerchantConsole({
    api: createApi(wx.cloud),
    wx,
    now: () => T0 + 100 * 60_000,
    newRequestId: () => 'reprint-0001',
    ...(focus ? { focus } : {}),
    render,
  });
  return {
    wx,
    sink,
    view: () => ({ ...c.state.view, logisticsNames: ['快递', '同城配送', '虚拟发货', '到店自提'] }),
    load: () => c.load(),
    methods: {
      onApprove: (e) => c.approve(id(e)),
      onRetryAvailable: (e) => c.retry(id(e), 'available'),
      onRetry: (e) => c.retry(id(e), 'unsettled'),
      onOpenShip: (e) => c.openShip(no(e)),
      onSubmitShip: () => c.submitShip(),
      onCompany: (e) => c.pickCompany(Number(e.detail?.value)),
      onSubscribe: () => c.subscribeAlerts(),
      onReprint: (e) => c.reprint(no(e)),
    },
  };
}

export function meState(wx = fakeWx()): PageState {
  const { sink, render } = sinkOf();
  wx.answer('whoami', 'get', () => ({
    openid: 'o-demo-merchant-owner',
    merchant: { id: 'demo-shop', name: '收银示例咖啡馆' },
  }));
  const me = createMe({ api: createApi(wx.cloud), render });
  return { wx, sink, view: () => me.state.view, load: () => me.load(), methods: {} };
}
