/**
 * The store and the payment use cases on the emulator's database (scripts/emulator: the engine, the
 * database service and the wx-server-sdk stand-in's `Database`, wired in process through the same request
 * handler the emulator's main process uses, with structured clones across the boundary as in its workers).
 * WeChat Pay is a small scripted model behind the WxPayClient interface; the sandbox and the end-to-end
 * tests cover the real client.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { Engine } from '../../../../scripts/emulator/src/db/engine';
import { DbService } from '../../../../scripts/emulator/src/db/service';
import { handleRpc, type RpcServices } from '../../../../scripts/emulator/src/lib/host/rpc';
import { RpcFailure } from '../../../../scripts/emulator/src/sdk/bridge';
import { Database } from '../../../../scripts/emulator/src/sdk/database/database';
import {
  ShouyinError,
  TransitionError,
  WxPayBusinessError,
  WxPayProtocolError,
  WxPayTransportError,
} from '../../errors';
import { silentLogger } from '../../log';
import type {
  CallOptions,
  CloseOrderRequest,
  CloseOrderResult,
  OrderQueryRequest,
  OrderQueryResult,
  UnifiedOrderRequest,
  UnifiedOrderResult,
  WxPayClient,
} from '../../wxpay/client-api';
import { beijingTime } from '../../wxpay/ids';
import { sign } from '../../wxpay/sign';
import type { SignType } from '../../wxpay/types';
import { buildXml } from '../../wxpay/xml';
import type { Db } from '../db-port';
import { type NotifyDeps, type PaymentDeps, paymentDeps, withDeadline } from '../deps';
import type { Order, PaymentAnomaly, Product } from '../records';
import { COLLECTIONS } from '../records';
import { claimRequest, findOrder, transitionOrder } from '../store';
import { CONFIRM_INTERVAL_MS, confirmPayment } from './confirm-payment';
import { createPayment, parseCreatePayment } from './create-payment';
import { getOrder } from './get-order';
import { handlePayNotify } from './handle-pay-notify';
import { listOrders, parseListOrders } from './list-orders';
import { reconcilePayments } from './reconcile-payments';
import { resumePayment } from './resume-payment';

// ---------------------------------------------------------------------------------------------- harness

function emulatedDb() {
  const engine = Engine.open();
  for (const c of Object.values(COLLECTIONS)) engine.createCollection(c);
  const service = new DbService(engine);
  let requests = 0;
  const services = {
    db: service,
    messages: undefined,
    callFunction: async () => {
      throw new Error('not used');
    },
    countDbRequest: () => {
      requests++;
    },
  } as unknown as RpcServices;
  const database = new Database({
    throwOnNotFound: true,
    call: async (req) => {
      const r = await handleRpc(
        structuredClone(req),
        { invocationId: 'test', functionName: 'test' },
        services,
      );
      if (!r.ok) throw new RpcFailure(r.error.code, r.error.message, r.error.errCode);
      return structuredClone(r.value);
    },
  });
  const db: Db = database; // the stand-in satisfies the port structurally, as the real SDK does
  return {
    db,
    requests: () => requests,
    all: (collection: string) => engine.find(collection, {}),
  };
}

const MERCHANT = {
  appid: 'wx2421b1c4370ec43b',
  mchId: '10000100',
  apiKey: '192006250b4c09247ec02edce69f6a2d',
  signType: 'MD5' as const,
};
const ALICE = 'oAlice000000000000000000001';
const BOB = 'oBob00000000000000000000002';
const T0 = Date.UTC(2026, 10, 22, 4, 0, 0);

type WxOrder = {
  params: UnifiedOrderRequest;
  prepayId?: string;
  prepayIssuedAt?: number;
  state: 'NOTPAY' | 'SUCCESS' | 'CLOSED';
  transactionId?: string;
  openid: string;
};

/** WeChat Pay in miniature: remembers orders, lets a payer pay, answers query/close as spec §3 says. */
class FakeWeChat implements WxPayClient {
  readonly merchant: { appid: string; mchId: string; signType: SignType };
  readonly orders: Map<string, WxOrder>;
  readonly unifiedCalls: UnifiedOrderRequest[] = [];
  readonly calls: string[] = [];
  /** Scripted failures for the next calls of each API. */
  readonly fail: { unifiedOrder: unknown[]; orderQuery: unknown[]; closeOrder: unknown[] } = {
    unifiedOrder: [],
    orderQuery: [],
    closeOrder: [],
  };
  /** Runs just before a close is decided (e.g. the payer pays at that very moment). */
  beforeClose?: (outTradeNo: string) => void;
  /** When a scripted unifiedorder failure is thrown, WeChat still holds the number (in this state). */
  holdOnFailure?: 'NOTPAY' | 'SUCCESS';
  private prepaySeq = 0;
  private txSeq = 0;

  /** `orders` may be shared with another instance: the same WeChat, seen by a differently configured client. */
  constructor(
    signType: SignType = 'MD5',
    private readonly clock: { now(): number } = { now: () => T0 },
    orders: Map<string, WxOrder> = new Map(),
  ) {
    this.merchant = { appid: MERCHANT.appid, mchId: MERCHANT.mchId, signType };
    this.orders = orders;
  }

  async unifiedOrder(request: UnifiedOrderRequest): Promise<UnifiedOrderResult> {
    this.calls.push('unifiedOrder');
    // What the real client sends: sign_type is always explicit (the request's own, else the merchant's).
    const req = { ...request, sign_type: request.sign_type ?? this.merchant.signType };
    this.unifiedCalls.push(structuredClone(req));
    const f = this.fail.unifiedOrder.shift();
    if (f) {
      if (this.holdOnFailure && !this.orders.has(req.out_trade_no)) {
        this.orders.set(req.out_trade_no, {
          params: structuredClone(req),
          state: 'NOTPAY',
          openid: req.openid,
        });
        if (this.holdOnFailure === 'SUCCESS') this.pay(req.out_trade_no);
      }
      throw f;
    }
    const known = this.orders.get(req.out_trade_no);
    if (known && JSON.stringify(known.params) !== JSON.stringify(req))
      throw new WxPayBusinessError('INVALID_REQUEST', '订单重入时，要求参数值与原请求一致', false);
    if (known?.state === 'SUCCESS') throw new WxPayBusinessError('ORDERPAID', '该订单已支付', false);
    const o: WxOrder = known ?? { params: structuredClone(req), state: 'NOTPAY', openid: req.openid };
    this.orders.set(req.out_trade_no, o);
    // One prepay lives 2 h from when it was issued; a re-entry inside that time gets the same one back.
    const now = this.clock.now();
    if (!o.prepayId || now >= (o.prepayIssuedAt ?? 0) + 2 * 3600_000) {
      o.prepayId = `wx_prepay_${++this.prepaySeq}`;
      o.prepayIssuedAt = now;
    }
    return { prepay_id: o.prepayId, trade_type: 'JSAPI', raw: {} };
  }

  /** Runs on every orderquery (e.g. to make WeChat slow by advancing the clock). */
  onQuery?: () => void;

  async orderQuery(req: OrderQueryRequest, _opts?: CallOptions): Promise<OrderQueryResult> {
    this.calls.push('orderQuery');
    this.onQuery?.();
    const f = this.fail.orderQuery.shift();
    if (f) throw f;
    const no = 'out_trade_no' in req ? req.out_trade_no : '';
    const o = this.orders.get(no);
    if (!o) throw new WxPayBusinessError('ORDERNOTEXIST', '此交易订单号不存在', false);
    return {
      trade_state: o.state,
      out_trade_no: no,
      transaction_id: o.transactionId,
      openid: o.openid,
      total_fee: o.params.total_fee,
      time_end: o.state === 'SUCCESS' ? '20261122120501' : undefined,
      raw: {},
    };
  }

  async closeOrder(req: CloseOrderRequest): Promise<CloseOrderResult> {
    this.calls.push('closeOrder');
    const f = this.fail.closeOrder.shift();
    if (f) throw f;
    this.beforeClose?.(req.out_trade_no);
    const o = this.orders.get(req.out_trade_no);
    if (!o) throw new WxPayBusinessError('ORDERNOTEXIST', '订单不存在', false);
    if (o.state === 'SUCCESS') throw new WxPayBusinessError('ORDERPAID', '订单已支付', false);
    const alreadyClosed = o.state === 'CLOSED';
    o.state = 'CLOSED';
    return { alreadyClosed, raw: {} };
  }

  refund(): never {
    throw new Error('not used');
  }
  refundQuery(): never {
    throw new Error('not used');
  }

  /** The payer pays: WeChat marks the order paid and returns the notification fields. */
  pay(outTradeNo: string, over: Record<string, string> = {}): Record<string, string> {
    const o = this.orders.get(outTradeNo);
    if (!o) throw new Error(`WeChat does not know ${outTradeNo}`);
    o.state = 'SUCCESS';
    o.transactionId ??= `42000000002026112200000${String(++this.txSeq).padStart(5, '0')}`;
    const fields: Record<string, string> = {
      return_code: 'SUCCESS',
      appid: MERCHANT.appid,
      mch_id: MERCHANT.mchId,
      nonce_str: `n${this.txSeq}`,
      result_code: 'SUCCESS',
      openid: o.openid,
      trade_type: 'JSAPI',
      bank_type: 'OTHERS',
      total_fee: String(o.params.total_fee),
      cash_fee: String(o.params.total_fee),
      transaction_id: o.transactionId,
      out_trade_no: outTradeNo,
      time_end: '20261122120501',
      ...over,
    };
    fields.sign = sign(fields, MERCHANT.apiKey, this.merchant.signType);
    return fields;
  }
}

const PRODUCTS: Product[] = [
  { _id: 'tea', name: '乌龙茶', priceFee: 1990, onSale: true },
  { _id: 'cake', name: 'Cheesecake🍰', priceFee: 2500, onSale: true },
  { _id: 'retired', name: 'Old', priceFee: 100, onSale: false },
];

function setup(opts: { signType?: SignType; expireMinutes?: number; maxUnpaid?: number } = {}) {
  const emu = emulatedDb();
  let now = T0;
  const clock = { now: () => now };
  const wx = new FakeWeChat(opts.signType, clock);
  const deps: PaymentDeps = paymentDeps({
    db: emu.db,
    wxpay: wx,
    clock,
    log: silentLogger,
    settings: {
      ...MERCHANT,
      payNotifyUrl: 'https://env.example.com/wxpay/pay-notify',
      orderExpireMinutes: opts.expireMinutes ?? 30,
      maxUnpaidOrders: opts.maxUnpaid ?? 5,
      spbillCreateIp: '10.1.2.3',
    },
  });
  const notify: NotifyDeps = {
    db: emu.db,
    settings: { ...MERCHANT, signType: opts.signType ?? MERCHANT.signType },
    clock,
    log: silentLogger,
  };
  let seq = 0;
  return {
    ...emu,
    wx,
    deps,
    notify,
    advance: (ms: number) => {
      now += ms;
    },
    async seed() {
      for (const p of PRODUCTS) await emu.db.collection('products').add({ data: p });
    },
    create(openid: string, data: Record<string, unknown> = {}) {
      return createPayment(
        deps,
        openid,
        parseCreatePayment({
          items: [{ productId: 'tea', quantity: 2 }],
          requestId: `req-${String(++seq).padStart(6, '0')}`,
          ...data,
        }),
      );
    },
    order: (no: string) => findOrder(emu.db, no) as Promise<Order>,
    notifyXml: (fields: Record<string, string>) => handlePayNotify(notify, buildXml(fields)),
  };
}

async function refusal(p: Promise<unknown>): Promise<ShouyinError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(ShouyinError);
    return e as ShouyinError;
  }
  throw new Error('expected a refusal');
}

const SUCCESS =
  '<xml><return_code><![CDATA[SUCCESS]]></return_code><return_msg><![CDATA[OK]]></return_msg></xml>';
const isFail = (xml: string) => xml.includes('<return_code><![CDATA[FAIL]]></return_code>');

// ------------------------------------------------------------------------------------------------ create

describe('create', () => {
  let h: ReturnType<typeof setup>;
  beforeEach(async () => {
    h = setup();
    await h.seed();
  });

  it('prices on the server, writes the order before WeChat, and returns signed pay parameters', async () => {
    const start = await h.create(ALICE, {
      items: [
        { productId: 'tea', quantity: 2, priceFee: 1 },
        { productId: 'cake', quantity: 1 },
      ],
      totalFee: 1,
      openid: BOB,
      remark: '  少冰 🧊 ',
    });
    expect(start.totalFee).toBe(1990 * 2 + 2500);
    const order = await h.order(start.outTradeNo);
    expect(order).toMatchObject({
      _id: start.outTradeNo,
      _openid: ALICE,
      status: 'NOTPAY',
      totalFee: 6480,
      remark: '少冰',
      signType: 'MD5',
      refundedFee: 0,
      reservedFee: 0,
      outbox: [],
      createdAt: T0,
      expireAt: T0 + 31 * 60_000, // 30 minutes + the time_expire margin
      prepayId: 'wx_prepay_1',
    });
    expect(order.lines.map((l) => [l.productId, l.unitFee, l.quantity, l.lineFee])).toEqual([
      ['tea', 1990, 2, 3980],
      ['cake', 2500, 1, 2500],
    ]);
    expect(order.history).toEqual([
      { from: null, to: 'NOTPAY', by: 'customer', at: T0, why: 'order created' },
    ]);
    // What WeChat received is exactly what is stored for re-entry.
    expect(h.wx.unifiedCalls).toEqual([order.unifiedOrder]);
    expect(order.unifiedOrder).toMatchObject({
      body: '乌龙茶 等3件',
      total_fee: 6480,
      openid: ALICE,
      trade_type: 'JSAPI',
      spbill_create_ip: '10.1.2.3',
      notify_url: 'https://env.example.com/wxpay/pay-notify',
      time_start: beijingTime(T0),
      time_expire: beijingTime(T0 + 31 * 60_000),
    });
    // paySign over appId, timeStamp, nonceStr, package, signType (spec §2.4); appId is not passed.
    const p = start.payment;
    expect(p).not.toHaveProperty('appId');
    expect(p.package).toBe('prepay_id=wx_prepay_1');
    expect(p.timeStamp).toBe(String(T0 / 1000));
    expect(p.paySign).toBe(
      sign(
        {
          appId: MERCHANT.appid,
          timeStamp: p.timeStamp,
          nonceStr: p.nonceStr,
          package: p.package,
          signType: 'MD5',
        },
        MERCHANT.apiKey,
        'MD5',
      ),
    );
  });

  it('signs HMAC-SHA256 orders with HMAC-SHA256', async () => {
    const hm = setup({ signType: 'HMAC-SHA256' });
    await hm.seed();
    const { payment: p, outTradeNo } = await hm.create(ALICE);
    expect(p.signType).toBe('HMAC-SHA256');
    expect(p.paySign).toHaveLength(64);
    expect((await hm.order(outTradeNo)).signType).toBe('HMAC-SHA256');
    // Its notification may omit sign_type (spec §2.3, pitfall 2): still verified and settled.
    const fields = hm.wx.pay(outTradeNo);
    expect(fields).not.toHaveProperty('sign_type');
    expect(fields.sign).toHaveLength(64);
    expect(await hm.notifyXml(fields)).toBe(SUCCESS);
    expect((await hm.order(outTradeNo)).status).toBe('PAID');
  });

  it('answers a retried requestId with the first order, without calling WeChat again', async () => {
    const data = { requestId: 'checkout-000001' };
    let before = h.requests();
    const first = await h.create(ALICE, data);
    // request read, products, slots read, slot insert, request claim, order write, prepay write
    expect(h.requests() - before).toBe(7);
    before = h.requests();
    const again = await h.create(ALICE, data);
    expect(h.requests() - before).toBe(2); // request read, order read
    expect(again.outTradeNo).toBe(first.outTradeNo);
    expect(again.payment.package).toBe(first.payment.package);
    expect(h.wx.unifiedCalls).toHaveLength(1);
    expect(h.all('orders')).toHaveLength(1);
    // The same requestId from another customer is another checkout.
    const bobs = await h.create(BOB, data);
    expect(bobs.outTradeNo).not.toBe(first.outTradeNo);
  });

  it('refuses a requestId reused for another cart', async () => {
    await h.create(ALICE, { requestId: 'checkout-000002' });
    const e = await refusal(
      h.create(ALICE, { requestId: 'checkout-000002', items: [{ productId: 'cake', quantity: 1 }] }),
    );
    expect(e.code).toBe('REQUEST_ID_REUSED');
  });

  it('makes one order of concurrent creates with one requestId', async () => {
    const results = await Promise.allSettled(
      Array.from({ length: 8 }, () => h.create(ALICE, { requestId: 'checkout-race01' })),
    );
    const ok = results.filter((r) => r.status === 'fulfilled').map((r) => r.value.outTradeNo);
    expect(ok.length).toBeGreaterThan(0);
    for (const r of results)
      if (r.status === 'rejected') expect((r.reason as ShouyinError).code).toBe('REQUEST_IN_PROGRESS');
    expect(new Set(ok).size).toBe(1);
    expect(h.all('orders')).toHaveLength(1);
    expect(h.all('requests')).toHaveLength(1);
  });

  it('refuses products that are missing or not on sale, and writes nothing', async () => {
    for (const productId of ['retired', 'nope']) {
      const e = await refusal(h.create(ALICE, { items: [{ productId, quantity: 1 }] }));
      expect(e.code).toBe('PRODUCT_UNAVAILABLE');
    }
    expect(h.all('orders')).toHaveLength(0);
    expect(h.all('requests')).toHaveLength(0);
  });

  it('limits payable unpaid orders per customer; expired ones do not count', async () => {
    for (let i = 0; i < 5; i++) await h.create(ALICE);
    expect((await refusal(h.create(ALICE))).code).toBe('TOO_MANY_UNPAID_ORDERS');
    await h.create(BOB);
    h.advance(31 * 60_000);
    await h.create(ALICE);
  });

  it('frees a slot as soon as one of the unpaid orders is paid', async () => {
    const nos: string[] = [];
    for (let i = 0; i < 5; i++) nos.push((await h.create(ALICE)).outTradeNo);
    expect((await refusal(h.create(ALICE))).code).toBe('TOO_MANY_UNPAID_ORDERS');
    expect(await h.notifyXml(h.wx.pay(nos[2]!))).toBe(SUCCESS);
    await h.create(ALICE);
    expect((await refusal(h.create(ALICE))).code).toBe('TOO_MANY_UNPAID_ORDERS');
  });

  // Issue 9.3: the count was read before anything was written, so concurrent creates all saw room.
  it('holds the limit under 150 concurrent creates with different requestIds', async () => {
    const results = await Promise.allSettled(Array.from({ length: 150 }, () => h.create(ALICE)));
    const ok = results.filter((r) => r.status === 'fulfilled');
    const refused = results.flatMap((r) =>
      r.status === 'rejected' ? [(r.reason as ShouyinError).code] : [],
    );
    expect(ok).toHaveLength(5);
    expect(new Set(refused)).toEqual(new Set(['TOO_MANY_UNPAID_ORDERS']));
    const unpaid = (h.all('orders') as unknown as Order[]).filter((o) => o._openid === ALICE);
    expect(unpaid).toHaveLength(5);
  });

  it('closes the order with WeChat’s reason on a definite refusal', async () => {
    h.wx.fail.unifiedOrder.push(new WxPayBusinessError('NOAUTH', '商户无此接口权限', false));
    const e = await refusal(h.create(ALICE));
    expect(e.code).toBe('PAYMENT_REFUSED');
    const [order] = h.all('orders') as unknown as Order[];
    expect(order).toMatchObject({
      status: 'CLOSED',
      closeReason: 'WeChat refused: NOAUTH 商户无此接口权限',
      closedAt: T0,
    });
    expect(order!.history.at(-1)).toMatchObject({ from: 'NOTPAY', to: 'CLOSED', by: 'create-payment' });
  });

  it('closes on a protocol-level refusal too', async () => {
    h.wx.fail.unifiedOrder.push(new WxPayProtocolError('签名错误'));
    expect((await refusal(h.create(ALICE))).code).toBe('PAYMENT_REFUSED');
    expect((h.all('orders')[0] as unknown as Order).status).toBe('CLOSED');
  });

  it.each([
    ['a timeout', new WxPayTransportError('timeout', { delivered: 'unknown' })],
    ['SYSTEMERROR', new WxPayBusinessError('SYSTEMERROR', '系统超时', true)],
  ])(
    'leaves the order NOTPAY after %s, and a retry re-enters it with identical parameters',
    async (_name, err) => {
      h.wx.fail.unifiedOrder.push(err);
      const e = await refusal(h.create(ALICE, { requestId: 'checkout-pending' }));
      expect(e.code).toBe('PAYMENT_PENDING');
      expect(e.retryable).toBe(true);
      const [order] = h.all('orders') as unknown as Order[];
      expect(order).toMatchObject({ status: 'NOTPAY' });
      expect(order!.prepayId).toBeUndefined();
      h.advance(60_000);
      const retry = await h.create(ALICE, { requestId: 'checkout-pending' });
      expect(retry.outTradeNo).toBe(order!._id);
      expect(h.wx.unifiedCalls).toHaveLength(2);
      expect(h.wx.unifiedCalls[1]).toEqual(h.wx.unifiedCalls[0]);
      expect(h.all('orders')).toHaveLength(1);
    },
  );

  describe.each([
    ['INVALID_REQUEST', '订单重入时，要求参数值与原请求一致'],
    ['OUT_TRADE_NO_USED', '商户订单号重复'],
  ])('%s (ambiguous: refused, or a number WeChat already holds — orderquery decides)', (code, des) => {
    it('closes the order when WeChat does not know the number', async () => {
      h.wx.fail.unifiedOrder.push(new WxPayBusinessError(code, des, false));
      const e = await refusal(h.create(ALICE));
      expect(e.code).toBe('PAYMENT_REFUSED');
      const [order] = h.all('orders') as unknown as Order[];
      expect(order).toMatchObject({ status: 'CLOSED', closeReason: `WeChat refused: ${code} ${des}` });
      expect(h.wx.calls).toEqual(['unifiedOrder', 'orderQuery']);
    });

    it('keeps the order NOTPAY when WeChat holds the number unpaid', async () => {
      h.wx.holdOnFailure = 'NOTPAY';
      h.wx.fail.unifiedOrder.push(new WxPayBusinessError(code, des, false));
      const e = await refusal(h.create(ALICE));
      expect(e.code).toBe('PAYMENT_PENDING');
      expect((h.all('orders')[0] as unknown as Order).status).toBe('NOTPAY');
    });

    it('settles the order when WeChat says the number is paid', async () => {
      h.wx.holdOnFailure = 'SUCCESS';
      h.wx.fail.unifiedOrder.push(new WxPayBusinessError(code, des, false));
      const e = await refusal(h.create(ALICE));
      expect(e.code).toBe('ORDER_ALREADY_PAID');
      const [order] = h.all('orders') as unknown as Order[];
      expect(order).toMatchObject({ status: 'PAID' });
      expect(order!.outbox).toHaveLength(1);
    });
  });

  it('takes over a requestId whose order was never written', async () => {
    // A claim left by a writer that died between its two writes.
    await claimRequest(h.db, {
      _id: (await import('../request-id')).requestRecordId(ALICE, 'checkout-orphan1'),
      openid: ALICE,
      orderId: 'SY20261122120000ORPHAN00000',
      cartKey: (await import('../cart')).cartKey([{ productId: 'tea', quantity: 2 }]),
      createdAt: T0 - 5 * 60_000,
    });
    const start = await h.create(ALICE, { requestId: 'checkout-orphan1' });
    expect(start.outTradeNo).not.toBe('SY20261122120000ORPHAN00000');
    expect((h.all('requests')[0] as { orderId: string }).orderId).toBe(start.outTradeNo);
  });
});

// ---------------------------------------------------------------------------------------- resume, get, list

describe('resume / get / list', () => {
  let h: ReturnType<typeof setup>;
  beforeEach(async () => {
    h = setup({ expireMinutes: 24 * 60 });
    await h.seed();
  });

  it('reuses a live prepay_id, and re-enters identically once it has expired', async () => {
    const { outTradeNo } = await h.create(ALICE);
    const again = await resumePayment(h.deps, ALICE, { outTradeNo });
    expect(again.payment.package).toBe('prepay_id=wx_prepay_1');
    expect(h.wx.unifiedCalls).toHaveLength(1);
    h.advance(2 * 3600_000);
    const later = await resumePayment(h.deps, ALICE, { outTradeNo });
    expect(later.payment.package).toBe('prepay_id=wx_prepay_2');
    expect(h.wx.unifiedCalls[1]).toEqual(h.wx.unifiedCalls[0]);
    expect((await h.order(outTradeNo)).prepayId).toBe('wx_prepay_2');
  });

  // Issue 9.4: WeChat keeps one prepay for 2 h from when it issued it and hands the same id back to a
  // re-entry inside that time; storing it as fresh left customers with an expired prepay_id.
  it('keeps a returned prepay_id’s real expiry, and gets a new one once WeChat’s has passed', async () => {
    const { outTradeNo } = await h.create(ALICE);
    expect((await h.order(outTradeNo)).prepayExpiresAt).toBe(T0 + 110 * 60_000);
    h.advance(115 * 60_000); // past our 1 h 50 min, inside WeChat's 2 h: WeChat answers with the same id
    const reused = await resumePayment(h.deps, ALICE, { outTradeNo });
    expect(reused.payment.package).toBe('prepay_id=wx_prepay_1');
    expect((await h.order(outTradeNo)).prepayExpiresAt).toBe(T0 + 110 * 60_000);
    h.advance(10 * 60_000); // T0 + 2 h 05: WeChat's prepay is gone; a re-entry gets a new one
    const fresh = await resumePayment(h.deps, ALICE, { outTradeNo });
    expect(fresh.payment.package).toBe('prepay_id=wx_prepay_2');
    expect(h.wx.unifiedCalls).toHaveLength(3);
    const stored = await h.order(outTradeNo);
    expect(stored.prepayId).toBe('wx_prepay_2');
    // Issued no earlier than the previous one's recorded expiry: never later than WeChat's real one.
    expect(stored.prepayExpiresAt).toBe(T0 + 220 * 60_000);
    expect(stored.prepayExpiresAt!).toBeLessThanOrEqual(T0 + 125 * 60_000 + 2 * 3600_000);
  });

  // Issue 9.5: the stored parameters now hold what was signed, sign_type included.
  it('re-enters with the original sign type after the merchant switches its configured one', async () => {
    const { outTradeNo } = await h.create(ALICE);
    expect(h.wx.unifiedCalls[0]!.sign_type).toBe('MD5');
    const switched = new FakeWeChat('HMAC-SHA256', h.deps.clock, h.wx.orders);
    const deps = { ...h.deps, wxpay: switched };
    h.advance(121 * 60_000); // the prepay is gone: a re-entry is needed
    const again = await resumePayment(deps, ALICE, { outTradeNo });
    expect(switched.unifiedCalls).toEqual([h.wx.unifiedCalls[0]]);
    expect(again.payment.signType).toBe('MD5');
    // A new order after the switch is signed (and stored) with the new type.
    const next = await createPayment(
      deps,
      BOB,
      parseCreatePayment({ items: [{ productId: 'tea', quantity: 1 }], requestId: 'req-switched-1' }),
    );
    expect((await h.order(next.outTradeNo)).unifiedOrder.sign_type).toBe('HMAC-SHA256');
    expect(next.payment.signType).toBe('HMAC-SHA256');
  });

  it("refuses another customer's order as not found", async () => {
    const { outTradeNo } = await h.create(ALICE);
    expect((await refusal(resumePayment(h.deps, BOB, { outTradeNo }))).code).toBe('NOT_FOUND');
    expect((await refusal(getOrder(h.deps, BOB, { outTradeNo }))).code).toBe('NOT_FOUND');
    expect((await refusal(confirmPayment(h.deps, BOB, { outTradeNo }))).code).toBe('NOT_FOUND');
    expect(h.wx.calls).toEqual(['unifiedOrder']);
  });

  it('refuses paid and expired orders', async () => {
    const a = await h.create(ALICE);
    await h.notifyXml(h.wx.pay(a.outTradeNo));
    expect((await refusal(resumePayment(h.deps, ALICE, a))).code).toBe('ORDER_ALREADY_PAID');
    const b = await h.create(ALICE);
    h.advance(24 * 3600_000 + 60_000); // the window and its time_expire margin
    expect((await refusal(resumePayment(h.deps, ALICE, b))).code).toBe('ORDER_EXPIRED');
  });

  it('shows own orders only, newest first, page by page', async () => {
    const mine: string[] = [];
    for (let i = 0; i < 5; i++) {
      mine.push((await h.create(ALICE)).outTradeNo);
      await h.create(BOB);
      h.advance(1000);
    }
    const view = await getOrder(h.deps, ALICE, { outTradeNo: mine[0]! });
    expect(view).toMatchObject({ outTradeNo: mine[0], status: 'NOTPAY', totalFee: 3980 });
    expect(view).not.toHaveProperty('_openid');
    expect(view).not.toHaveProperty('unifiedOrder');

    const seen: string[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < 5; page++) {
      const r = await listOrders(h.deps, ALICE, parseListOrders({ limit: 2, cursor }));
      seen.push(...r.orders.map((o) => o.outTradeNo));
      if (!r.nextCursor) break;
      cursor = r.nextCursor;
    }
    expect(seen).toEqual([...mine].reverse());
    expect(() => parseListOrders({ limit: 51 })).toThrow();
    expect(() => parseListOrders({ cursor: 'bad cursor' })).toThrow();
  });
});

// --------------------------------------------------------------------------------------------- confirm

describe('confirm', () => {
  it('settles from orderquery with the same transition as the notification', async () => {
    const h = setup();
    await h.seed();
    const { outTradeNo } = await h.create(ALICE);
    expect((await confirmPayment(h.deps, ALICE, { outTradeNo })).status).toBe('NOTPAY');
    const tx = h.wx.pay(outTradeNo).transaction_id;
    h.advance(CONFIRM_INTERVAL_MS);
    const view = await confirmPayment(h.deps, ALICE, { outTradeNo });
    expect(view).toMatchObject({
      status: 'PAID',
      transactionId: tx,
      paidAt: Date.UTC(2026, 10, 22, 4, 5, 1),
    });
    const order = await h.order(outTradeNo);
    expect(order.outbox).toEqual([
      {
        id: `ORDER_PAID:${outTradeNo}`,
        kind: 'ORDER_PAID',
        at: T0 + CONFIRM_INTERVAL_MS,
        outTradeNo,
        totalFee: 3980,
        transactionId: tx,
      },
    ]);
    expect(order.history.at(-1)).toMatchObject({ from: 'NOTPAY', to: 'PAID', by: 'confirm' });
    // The notification that follows is a duplicate.
    expect(await h.notifyXml(h.wx.pay(outTradeNo))).toBe(SUCCESS);
    expect((await h.order(outTradeNo)).outbox).toHaveLength(1);
  });

  it('answers PAYMENT_PENDING when WeChat cannot be asked', async () => {
    const h = setup();
    await h.seed();
    const { outTradeNo } = await h.create(ALICE);
    h.wx.fail.orderQuery.push(new WxPayTransportError('reset', { delivered: 'unknown' }));
    expect((await refusal(confirmPayment(h.deps, ALICE, { outTradeNo }))).code).toBe('PAYMENT_PENDING');
  });

  // Issue 9.7: each confirm costs an orderquery; a customer tapping in a loop must not turn into a flood.
  it('asks WeChat at most once per interval per order, whatever the concurrency', async () => {
    const h = setup();
    await h.seed();
    const { outTradeNo } = await h.create(ALICE);
    const queries = () => h.wx.calls.filter((c) => c === 'orderQuery').length;
    const results = await Promise.allSettled(
      Array.from({ length: 20 }, () => confirmPayment(h.deps, ALICE, { outTradeNo })),
    );
    expect(queries()).toBe(1);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const r of results)
      if (r.status === 'rejected') expect((r.reason as ShouyinError).code).toBe('PAYMENT_PENDING');
    h.wx.pay(outTradeNo);
    expect((await refusal(confirmPayment(h.deps, ALICE, { outTradeNo }))).code).toBe('PAYMENT_PENDING');
    expect(queries()).toBe(1);
    h.advance(CONFIRM_INTERVAL_MS);
    expect((await confirmPayment(h.deps, ALICE, { outTradeNo })).status).toBe('PAID');
    expect(queries()).toBe(2);
    // Paid: answered from the database, no query at all.
    expect((await confirmPayment(h.deps, ALICE, { outTradeNo })).status).toBe('PAID');
    expect(queries()).toBe(2);
  });

  it('passes the invocation deadline to WeChat calls', async () => {
    const h = setup();
    await h.seed();
    const seen: Array<number | undefined> = [];
    const { outTradeNo } = await h.create(ALICE);
    const query = h.wx.orderQuery.bind(h.wx);
    h.wx.orderQuery = (req, opts) => {
      seen.push(opts?.deadline);
      return query(req);
    };
    await confirmPayment(withDeadline(h.deps, T0 + 5000), ALICE, { outTradeNo });
    expect(seen).toEqual([T0 + 5000]);
  });
});

// --------------------------------------------------------------------------------------------- payNotify

describe('payNotify', () => {
  let h: ReturnType<typeof setup>;
  let order: Order;
  beforeEach(async () => {
    h = setup();
    await h.seed();
    order = await h.order((await h.create(ALICE)).outTradeNo);
  });

  it('settles a first notification with one read and one write, a duplicate with one read', async () => {
    const fields = h.wx.pay(order._id);
    let before = h.requests();
    expect(await h.notifyXml(fields)).toBe(SUCCESS);
    expect(h.requests() - before).toBe(2);
    const paid = await h.order(order._id);
    expect(paid).toMatchObject({
      status: 'PAID',
      transactionId: fields.transaction_id,
      paidAt: Date.UTC(2026, 10, 22, 4, 5, 1),
    });
    expect(paid.outbox).toHaveLength(1);
    expect(paid.history.at(-1)).toMatchObject({ from: 'NOTPAY', to: 'PAID', by: 'wechat-notification' });

    before = h.requests();
    expect(await h.notifyXml(fields)).toBe(SUCCESS);
    expect(h.requests() - before).toBe(1);
    expect(await h.order(order._id)).toEqual(paid);
  });

  it('settles concurrent duplicates exactly once', async () => {
    const fields = h.wx.pay(order._id);
    const replies = await Promise.all(Array.from({ length: 30 }, () => h.notifyXml(fields)));
    expect(new Set(replies)).toEqual(new Set([SUCCESS]));
    const paid = await h.order(order._id);
    expect(paid.outbox).toHaveLength(1);
    expect(paid.history.filter((e) => e.to === 'PAID')).toHaveLength(1);
  });

  describe('alert delivery after the commit (deliverAlerts, awaited within a budget)', () => {
    const withDelivery = (deliver: (no: string) => Promise<void>) => ({
      ...h.notify,
      deliverAlerts: deliver,
    });

    it('is awaited once for a first delivery and never for a duplicate', async () => {
      const delivered: string[] = [];
      const deps = withDelivery(async (no) => {
        // The state is committed before delivery starts.
        expect((await h.order(no)).status).toBe('PAID');
        delivered.push(no);
      });
      const xml = buildXml(h.wx.pay(order._id));
      expect(await handlePayNotify(deps, xml)).toBe(SUCCESS);
      expect(await handlePayNotify(deps, xml)).toBe(SUCCESS);
      expect(delivered).toEqual([order._id]);
    });

    it('answers SUCCESS when delivery fails', async () => {
      const deps = withDelivery(async () => {
        throw new Error('43101 user refuse to accept the msg');
      });
      expect(await handlePayNotify(deps, buildXml(h.wx.pay(order._id)))).toBe(SUCCESS);
      expect((await h.order(order._id)).status).toBe('PAID');
    });

    it('answers SUCCESS once the budget runs out, leaving the rest to reconcile', async () => {
      const deps = withDelivery(() => new Promise<void>(() => {}));
      // A delivery that never settles would hang the notification without the budget (test timeout).
      expect(await handlePayNotify(deps, buildXml(h.wx.pay(order._id)))).toBe(SUCCESS);
      expect((await h.order(order._id)).outbox).toHaveLength(1);
    });
  });

  it('accepts a base64 body (HTTP access may encode it)', async () => {
    const { requestBody } = await import('../../answer');
    const xml = buildXml(h.wx.pay(order._id));
    expect(
      await handlePayNotify(
        h.notify,
        requestBody({ body: Buffer.from(xml).toString('base64'), isBase64Encoded: true }),
      ),
    ).toBe(SUCCESS);
    expect((await h.order(order._id)).status).toBe('PAID');
  });

  it.each([
    ['a forged signature', (f: Record<string, string>) => buildXml({ ...f, sign: 'F'.repeat(32) })],
    ['a tampered amount', (f: Record<string, string>) => buildXml({ ...f, total_fee: '1' })],
    ['another appid', (f: Record<string, string>) => buildXml(resign({ ...f, appid: 'wx0000000000000000' }))],
    ['another mch_id', (f: Record<string, string>) => buildXml(resign({ ...f, mch_id: '19999999' }))],
    ['return_code FAIL', () => buildXml({ return_code: 'FAIL', return_msg: 'oops' })],
    ['malformed XML', () => '<xml><return_code>SUCCESS</xml>'],
    ['a DOCTYPE', () => '<!DOCTYPE xml [<!ENTITY a "b">]><xml><a>&a;</a></xml>'],
    ['an oversized body', () => `<xml><a>${'x'.repeat(70 * 1024)}</a></xml>`],
    ['an empty body', () => ''],
  ])('answers FAIL to %s without touching the database', async (_name, make) => {
    const before = h.requests();
    expect(isFail(await handlePayNotify(h.notify, make(h.wx.pay(order._id))))).toBe(true);
    expect(h.requests()).toBe(before);
    expect((await h.order(order._id)).status).toBe('NOTPAY');
  });

  it('answers FAIL for an unknown order', async () => {
    const fields = resign({ ...h.wx.pay(order._id), out_trade_no: 'SY20261122120000UNKNOWN0000' });
    expect(isFail(await h.notifyXml(fields))).toBe(true);
  });

  it('records a correctly signed mismatch once and settles nothing', async () => {
    h.wx.pay(order._id);
    const overs: Record<string, string>[] = [{ total_fee: '1', cash_fee: '1' }, { openid: BOB }];
    for (const over of overs) {
      const fields = h.wx.pay(order._id, over);
      expect(isFail(await h.notifyXml(fields))).toBe(true);
      expect(isFail(await h.notifyXml(fields))).toBe(true);
    }
    const after = await h.order(order._id);
    expect(after.status).toBe('NOTPAY');
    expect(after.outbox).toEqual([]);
    const alerts = h.all('alerts') as unknown as PaymentAnomaly[];
    expect(alerts).toHaveLength(1); // same order + transaction: one anomaly record
    expect(alerts[0]).toMatchObject({
      kind: 'PAYMENT_MISMATCH',
      outTradeNo: order._id,
      mismatch: ['amount'],
      expectedFee: 3980,
      reportedFee: 1,
    });
  });

  it('records a payment for a locally closed order as PAID, flagged and alerted', async () => {
    const closed = await transitionOrder(h.db, order, {
      event: 'CLOSE',
      by: 'reconcile',
      at: T0,
      why: 'test',
    });
    expect(closed.changed).toBe(true);
    expect(await h.notifyXml(h.wx.pay(order._id))).toBe(SUCCESS);
    const paid = await h.order(order._id);
    expect(paid).toMatchObject({ status: 'PAID', paidAfterClose: true });
    expect(paid.outbox.map((e) => e.kind)).toEqual(['ORDER_PAID_AFTER_CLOSE']);
    expect(paid.history.map((e) => `${e.from}>${e.to}`)).toEqual([
      'null>NOTPAY',
      'NOTPAY>CLOSED',
      'CLOSED>PAID',
    ]);
  });

  it('ignores a signed result_code FAIL with SUCCESS', async () => {
    expect(await h.notifyXml(h.wx.pay(order._id, { result_code: 'FAIL' }))).toBe(SUCCESS);
    expect((await h.order(order._id)).status).toBe('NOTPAY');
  });
});

function resign(fields: Record<string, string>): Record<string, string> {
  const { sign: _, ...rest } = fields;
  return { ...rest, sign: sign(rest, MERCHANT.apiKey, 'MD5') };
}

// --------------------------------------------------------------------------------------------- reconcile

describe('reconcile', () => {
  let h: ReturnType<typeof setup>;
  beforeEach(async () => {
    h = setup();
    await h.seed();
  });

  it('settles a lost notification, leaves young orders alone, closes expired ones', async () => {
    const lost = await h.create(ALICE);
    const abandoned = await h.create(ALICE);
    h.advance(3 * 60_000);
    const young = await h.create(BOB);
    h.wx.pay(lost.outTradeNo);

    expect(await reconcilePayments(h.deps)).toEqual({
      scanned: 2,
      paid: 1,
      closed: 0,
      unchanged: 1,
      failed: 0,
      truncated: false,
    });
    expect((await h.order(lost.outTradeNo)).history.at(-1)).toMatchObject({ to: 'PAID', by: 'reconcile' });
    expect((await h.order(young.outTradeNo)).status).toBe('NOTPAY');

    h.advance(31 * 60_000);
    const s = await reconcilePayments(h.deps);
    expect(s).toMatchObject({ scanned: 2, closed: 2, paid: 0 });
    expect(h.wx.orders.get(abandoned.outTradeNo)!.state).toBe('CLOSED');
    expect(await h.order(abandoned.outTradeNo)).toMatchObject({
      status: 'CLOSED',
      closeReason: 'expired; closed at WeChat',
    });
  });

  it('closes an expired order WeChat never saw, locally', async () => {
    h.wx.fail.unifiedOrder.push(new WxPayTransportError('connect', { delivered: 'no' }));
    await refusal(h.create(ALICE));
    h.advance(31 * 60_000);
    expect(await reconcilePayments(h.deps)).toMatchObject({ closed: 1 });
    expect((h.all('orders')[0] as unknown as Order).closeReason).toBe('expired; unknown to WeChat');
    expect(h.wx.calls).not.toContain('closeOrder');
  });

  it('settles an order paid between its query and its close (ORDERPAID)', async () => {
    const { outTradeNo } = await h.create(ALICE);
    h.advance(31 * 60_000);
    h.wx.beforeClose = (no) => h.wx.pay(no);
    expect(await reconcilePayments(h.deps)).toMatchObject({ paid: 1, closed: 0 });
    expect(h.wx.calls.filter((c) => c !== 'unifiedOrder')).toEqual([
      'orderQuery',
      'closeOrder',
      'orderQuery',
    ]);
    expect((await h.order(outTradeNo)).status).toBe('PAID');
  });

  it('pages through more due orders than one page', async () => {
    h = setup({ maxUnpaid: 20 });
    await h.seed();
    const nos: string[] = [];
    for (let i = 0; i < 12; i++) nos.push((await h.create(i % 2 ? ALICE : BOB)).outTradeNo);
    for (const no of nos.slice(0, 7)) h.wx.pay(no);
    h.advance(3 * 60_000);
    const s = await reconcilePayments(h.deps, { pageSize: 5 });
    expect(s).toMatchObject({ scanned: 12, paid: 7, unchanged: 5 });
    // Each checked order moved to a later check: nothing is due right after the run.
    expect(await reconcilePayments(h.deps)).toMatchObject({ scanned: 0 });
    h.advance(2 * 60_000);
    const bounded = await reconcilePayments(h.deps, { pageSize: 2, maxOrders: 3 });
    expect(bounded).toMatchObject({ scanned: 3, truncated: true });
  });

  // Issue 9.2: each run used to restart from the oldest order, so a backlog bigger than one run's cap hid
  // every newer order (a lost notification was never queried until the backlog expired).
  it('reaches a newer due order within ⌈due / cap⌉ runs, however large the older backlog', async () => {
    h = setup({ expireMinutes: 3 * 24 * 60 });
    await h.seed();
    for (let i = 0; i < 30; i++) await h.create(`oBacklog${String(i).padStart(20, '0')}`);
    h.advance(60_000);
    const late = await h.create(BOB);
    h.wx.pay(late.outTradeNo); // paid at WeChat; its notification was lost
    h.advance(5 * 60_000);
    const cap = 8;
    let runs = 0;
    while ((await h.order(late.outTradeNo)).status !== 'PAID' && runs < 12) {
      runs++;
      const r = await reconcilePayments(h.deps, { maxOrders: cap, pageSize: 5 });
      expect(r.scanned).toBeLessThanOrEqual(cap);
      h.advance(5 * 60_000); // the timer's period
    }
    expect((await h.order(late.outTradeNo)).status).toBe('PAID');
    expect(runs).toBeLessThanOrEqual(Math.ceil(31 / cap));
  });

  it('gives orders stored before nextCheckAt existed a check time, in one update', async () => {
    const { outTradeNo } = await h.create(ALICE);
    await h.db
      .collection('orders')
      .where({ _id: outTradeNo })
      .update({ data: { nextCheckAt: (h.db.command as unknown as { remove(): unknown }).remove() } });
    expect(await h.order(outTradeNo)).not.toHaveProperty('nextCheckAt');
    h.wx.pay(outTradeNo);
    h.advance(3 * 60_000);
    expect(await reconcilePayments(h.deps)).toMatchObject({ scanned: 1, paid: 1 });
  });

  it('checks its time budget before every order, not only between pages', async () => {
    h = setup({ maxUnpaid: 20 });
    await h.seed();
    for (let i = 0; i < 6; i++) await h.create(i % 2 ? ALICE : BOB);
    h.advance(3 * 60_000);
    h.wx.onQuery = () => h.advance(1_000); // a slow WeChat: each query takes a second
    const s = await reconcilePayments(h.deps, { pageSize: 100, concurrency: 1, budgetMs: 2_500 });
    expect(s).toMatchObject({ scanned: 3, unchanged: 3, truncated: true });
    expect(h.wx.calls.filter((c) => c === 'orderQuery')).toHaveLength(3);
  });

  it('ends in one transition and one alert when two runs and a notification race', async () => {
    const { outTradeNo } = await h.create(ALICE);
    h.advance(3 * 60_000);
    const fields = h.wx.pay(outTradeNo);
    const [a, b, reply] = await Promise.all([
      reconcilePayments(h.deps),
      reconcilePayments(h.deps),
      h.notifyXml(fields),
    ]);
    expect(reply).toBe(SUCCESS);
    expect(a.failed + b.failed).toBe(0);
    const paid = await h.order(outTradeNo);
    expect(paid.status).toBe('PAID');
    expect(paid.outbox).toHaveLength(1);
    expect(paid.history.filter((e) => e.to === 'PAID')).toHaveLength(1);
  });

  it('counts per-order failures and carries on', async () => {
    await h.create(ALICE);
    await h.create(BOB);
    h.advance(3 * 60_000);
    h.wx.fail.orderQuery.push(new WxPayTransportError('timeout', { delivered: 'unknown' }));
    expect(await reconcilePayments(h.deps, { concurrency: 1 })).toMatchObject({
      scanned: 2,
      failed: 1,
      unchanged: 1,
    });
  });
});

// ------------------------------------------------------------------------------------------------ store

describe('store transitions', () => {
  it('has one winner per conditional update and refuses disallowed events', async () => {
    const h = setup();
    await h.seed();
    const order = await h.order((await h.create(ALICE)).outTradeNo);
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        transitionOrder(h.db, order, {
          event: i % 2 ? 'PAY' : 'CLOSE',
          by: 'reconcile',
          at: T0,
          why: `race ${i}`,
        }),
      ),
    );
    expect(results.filter((r) => r.changed)).toHaveLength(1);
    const after = await h.order(order._id);
    expect(after.history).toHaveLength(2);
    // Neither PAID nor CLOSED may be closed (again).
    await expect(
      transitionOrder(h.db, after, { event: 'CLOSE', by: 'reconcile', at: T0, why: 'x' }),
    ).rejects.toBeInstanceOf(TransitionError);
    // A transition computed from a stale read loses: no read-modify-write.
    const stale = await transitionOrder(h.db, order, { event: 'PAY', by: 'reconcile', at: T0, why: 'stale' });
    expect(stale).toEqual({ changed: false });
    expect(await h.order(order._id)).toEqual(after);
  });
});
