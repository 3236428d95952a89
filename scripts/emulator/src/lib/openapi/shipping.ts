// wxa.sec.order.* (小程序发货信息管理服务) as WeChat answers them (Merchant-ops notes §1): upload_shipping_info
// with WeChat's field checks and errcodes, a payment known only after an indexing delay (10060001 before it),
// one modification per payment (10060003 after it), "not updated" (10060023) for an identical re-upload;
// get_order reporting order_state (1 待发货, 2 已发货, 3 确认收货); is_trade_managed. The buyer confirming
// receipt inside WeChat is a control call. Payments come from `findPayment` (the local stack asks the WeChat
// Pay sandbox) or are registered through the control API. Unconfirmed choices: docs/emulator.md.

import { WeChatApiError } from './subscribe-message';

export interface ShippingPayment {
  transactionId: string;
  mchId: string;
  outTradeNo: string;
  openid: string;
  /** Fen. */
  paidAmount: number;
  description?: string;
}

export type PaymentKey = { transactionId: string } | { mchId: string; outTradeNo: string };

export interface ShippingOptions {
  /** How long after the emulator first sees a payment WeChat still answers 10060001 (default 10 s). */
  indexDelayMs?: number;
  /** is_trade_managed; when false every other wxa.sec.order call answers 48001 (default true). */
  tradeManaged?: boolean;
  /** The mini-program's AppID (is_trade_managed may only ask about it). */
  appid?: string;
  /** Looks a successful payment up (the local stack asks the sandbox). */
  findPayment?: (key: PaymentKey) => Promise<ShippingPayment | undefined> | ShippingPayment | undefined;
  now?: () => number;
}

export interface ShippingUploadRecord {
  at: string;
  body: Record<string, unknown>;
  /** 'ok' or the errcode it was answered with. */
  answer: number | 'ok';
  function?: string;
}

export interface ShippingOrderView {
  transactionId: string;
  mchId: string;
  outTradeNo: string;
  openid: string;
  /** 1 待发货, 2 已发货, 3 确认收货. */
  orderState: number;
  firstSeenAt: string;
  /** Accepted uploads (the first shipment and at most one modification). */
  shipments: Array<Record<string, unknown>>;
  receivedAt?: string;
  /** Every upload call for this payment, accepted or refused. */
  calls: ShippingUploadRecord[];
}

interface OrderState {
  payment: ShippingPayment;
  firstSeen: number;
  orderState: number;
  shipments: Array<Record<string, unknown>>;
  uploadTimes: number[];
  receivedAt?: number;
  calls: ShippingUploadRecord[];
}

export const DEFAULT_SHIPPING_INDEX_DELAY_MS = 10_000;

const rid = (): string => Math.random().toString(16).slice(2, 10);
const fail = (errcode: number, errmsg: string): never => {
  throw new WeChatApiError(errcode, `${errmsg} rid: ${rid()}`);
};
const isObject = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v);
const chars = (s: string): number => [...s].length;
const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;
/** Masked with the last 4 digits visible (WeChat's examples: 189****1234, 021-****1234, ****123-8008). */
const MASKED_CONTACT = /^[0-9+*-]{4,1024}$/;

function parseUploadTime(v: unknown): number | undefined {
  if (typeof v !== 'string') return undefined;
  const m = RFC3339.exec(v);
  if (!m) return undefined;
  const ms = Date.parse(v);
  return Number.isNaN(ms) ? undefined : ms;
}

/** A value with object keys sorted at every level (for comparing shipments). */
function canonical(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(canonical);
  if (!isObject(v)) return v;
  return Object.fromEntries(
    Object.keys(v)
      .sort()
      .map((k) => [k, canonical(v[k])]),
  );
}

/** The shipment as compared for "not updated" (10060023): everything but upload_time. */
function shipmentKey(body: Record<string, unknown>): string {
  const { upload_time: _t, ...rest } = body;
  return JSON.stringify(canonical(rest));
}

export class ShippingOrders {
  private readonly orders = new Map<string, OrderState>();
  private readonly registered: Array<ShippingPayment & { registeredAt: number }> = [];
  private readonly now: () => number;
  private tradeManaged: boolean;
  private indexDelayMs: number;

  constructor(private readonly options: ShippingOptions = {}) {
    this.now = options.now ?? Date.now;
    this.tradeManaged = options.tradeManaged ?? true;
    this.indexDelayMs = options.indexDelayMs ?? DEFAULT_SHIPPING_INDEX_DELAY_MS;
  }

  configure(patch: { tradeManaged?: boolean; indexDelayMs?: number }): void {
    if (patch.tradeManaged !== undefined) this.tradeManaged = patch.tradeManaged;
    if (patch.indexDelayMs !== undefined) {
      if (!Number.isInteger(patch.indexDelayMs) || patch.indexDelayMs < 0)
        throw new Error('indexDelayMs must be an integer ≥ 0');
      this.indexDelayMs = patch.indexDelayMs;
    }
  }

  /** Stands for a payment WeChat Pay knows (when no sandbox is wired). */
  registerPayment(p: ShippingPayment): void {
    for (const k of ['transactionId', 'mchId', 'outTradeNo', 'openid'] as const)
      if (typeof p[k] !== 'string' || p[k] === '') throw new Error(`payment needs ${k}`);
    if (!Number.isSafeInteger(p.paidAmount) || p.paidAmount < 0)
      throw new Error('payment needs paidAmount in fen');
    this.registered.push({ ...p, registeredAt: this.now() });
  }

  /** Every payment the shipping service has seen, with its uploads. */
  list(): ShippingOrderView[] {
    return [...this.orders.values()].map((o) => ({
      transactionId: o.payment.transactionId,
      mchId: o.payment.mchId,
      outTradeNo: o.payment.outTradeNo,
      openid: o.payment.openid,
      orderState: o.orderState,
      firstSeenAt: new Date(o.firstSeen).toISOString(),
      shipments: structuredClone(o.shipments),
      ...(o.receivedAt !== undefined ? { receivedAt: new Date(o.receivedAt).toISOString() } : {}),
      calls: structuredClone(o.calls),
    }));
  }

  /** Stands for the buyer confirming receipt in WeChat (确认收货): only a shipped payment. */
  async confirmReceipt(key: { transactionId?: string; outTradeNo?: string }): Promise<ShippingOrderView> {
    const o = [...this.orders.values()].find(
      (x) =>
        (key.transactionId !== undefined && x.payment.transactionId === key.transactionId) ||
        (key.outTradeNo !== undefined && x.payment.outTradeNo === key.outTradeNo),
    );
    if (!o) throw new Error('no shipped payment with that transactionId / outTradeNo');
    if (o.orderState !== 2) throw new Error(`the payment is in order_state ${o.orderState}, not 2 (shipped)`);
    o.orderState = 3;
    o.receivedAt = this.now();
    return this.list().find((v) => v.transactionId === o.payment.transactionId)!;
  }

  /** One cloud call `wxa.sec.order.<name>` with its snake_case body; throws WeChatApiError. */
  async call(
    api: string,
    body: Record<string, unknown>,
    origin: { function?: string } = {},
  ): Promise<Record<string, unknown>> {
    const name = api.replace(/^wxa\.sec\.order\./, '');
    if (name === 'isTradeManaged') return this.isTradeManagedCall(body);
    if (name !== 'uploadShippingInfo' && name !== 'getOrder')
      fail(-604100, `API not found: ${api} is not emulated`);
    if (!this.tradeManaged) fail(48001, 'api unauthorized');
    return name === 'getOrder' ? this.getOrder(body) : this.upload(body, origin);
  }

  private isTradeManagedCall(body: Record<string, unknown>): Record<string, unknown> {
    if (typeof body.appid !== 'string' || body.appid === '') fail(40097, 'invalid args');
    if (this.options.appid && body.appid !== this.options.appid) fail(40013, 'invalid appid');
    return { errcode: 0, errmsg: 'ok', is_trade_managed: this.tradeManaged };
  }

  private async resolve(key: PaymentKey): Promise<OrderState> {
    const id =
      'transactionId' in key
        ? key.transactionId
        : [...this.orders.values()].find(
            (o) => o.payment.mchId === key.mchId && o.payment.outTradeNo === key.outTradeNo,
          )?.payment.transactionId;
    let o = id !== undefined ? this.orders.get(id) : undefined;
    if (!o) {
      const reg = this.registered.find((r) =>
        'transactionId' in key
          ? r.transactionId === key.transactionId
          : r.mchId === key.mchId && r.outTradeNo === key.outTradeNo,
      );
      const p = reg ?? (await this.options.findPayment?.(key));
      if (!p) fail(10060001, '支付单不存在');
      const { registeredAt: _r, ...payment } = p as ShippingPayment & { registeredAt?: number };
      // A registered payment is known from its registration; one of the sandbox from the first question about it.
      o = {
        payment,
        firstSeen: reg?.registeredAt ?? this.now(),
        orderState: 1,
        shipments: [],
        uploadTimes: [],
        calls: [],
      };
      this.orders.set(p!.transactionId, o);
    }
    return o;
  }

  /** Indexing: WeChat knows a payment only some time after it (from registration, or the first question about it). */
  private indexed(o: OrderState): OrderState {
    if (this.now() - o.firstSeen < this.indexDelayMs) fail(10060001, '支付单不存在');
    return o;
  }

  private getOrder(body: Record<string, unknown>): Promise<Record<string, unknown>> {
    const { transaction_id: tx, merchant_id: mch, merchant_trade_no: no } = body;
    if (typeof tx === 'string' && tx !== '') return this.orderAnswer({ transactionId: tx });
    if (typeof mch === 'string' && mch !== '' && typeof no === 'string' && no !== '')
      return this.orderAnswer({ mchId: mch, outTradeNo: no });
    return fail(10060014, '参数错误 transaction_id or merchant_id + merchant_trade_no required');
  }

  private async orderAnswer(key: PaymentKey): Promise<Record<string, unknown>> {
    const o = this.indexed(await this.resolve(key));
    const last = o.shipments.at(-1);
    const list = Array.isArray(last?.shipping_list)
      ? (last.shipping_list as Array<Record<string, unknown>>)
      : [];
    return {
      errcode: 0,
      errmsg: 'ok',
      order: {
        transaction_id: o.payment.transactionId,
        merchant_id: o.payment.mchId,
        sub_merchant_id: '',
        merchant_trade_no: o.payment.outTradeNo,
        description: o.payment.description ?? '',
        paid_amount: o.payment.paidAmount,
        openid: o.payment.openid,
        trade_create_time: Math.floor(o.firstSeen / 1000),
        pay_time: Math.floor(o.firstSeen / 1000),
        in_complaint: false,
        order_state: o.orderState,
        shipping: last
          ? {
              delivery_mode: last.delivery_mode,
              logistics_type: last.logistics_type,
              finish_shipping: true,
              goods_desc: list.map((e) => e.item_desc).join(';'),
              finish_shipping_count: o.shipments.length > 1 ? 1 : 0,
              shipping_list: list.map((e) => ({
                tracking_no: e.tracking_no ?? '',
                express_company: e.express_company ?? '',
                upload_time: Math.floor(o.uploadTimes.at(-1)! / 1000),
              })),
            }
          : undefined,
      },
    };
  }

  private validate(body: Record<string, unknown>): { key: PaymentKey; uploadTime: number; openid: string } {
    const key = body.order_key;
    if (!isObject(key)) return fail(10060014, '参数错误 order_key');
    let paymentKey: PaymentKey;
    if (key.order_number_type === 1) {
      if (
        typeof key.mchid !== 'string' ||
        key.mchid === '' ||
        typeof key.out_trade_no !== 'string' ||
        key.out_trade_no === ''
      )
        fail(10060014, '参数错误 mchid and out_trade_no required');
      paymentKey = { mchId: key.mchid as string, outTradeNo: key.out_trade_no as string };
    } else if (key.order_number_type === 2) {
      if (typeof key.transaction_id !== 'string' || key.transaction_id === '')
        fail(10060014, '参数错误 transaction_id required');
      paymentKey = { transactionId: key.transaction_id as string };
    } else return fail(10060014, '参数错误 order_number_type');
    const logistics = body.logistics_type;
    if (logistics !== 1 && logistics !== 2 && logistics !== 3 && logistics !== 4)
      fail(10060005, '物流类型有误');
    const mode = body.delivery_mode;
    if (mode !== 1 && mode !== 2) fail(268485224, '发货模式非法');
    if (mode === 2 && logistics !== 1) fail(10060006, '非快递发货时不允许分拆发货');
    if (mode === 2 && typeof body.is_all_delivered !== 'boolean')
      fail(10060007, '分拆发货模式下必须填写 is_all_delivered 字段');
    const list = body.shipping_list;
    if (!Array.isArray(list)) return fail(47001, 'data format error');
    if (list.length === 0) fail(10060014, '参数错误 shipping_list is empty');
    if (list.length > 15) fail(10060024, '物流信息列表太长');
    if (mode === 1 && list.length > 1)
      fail(10060014, '参数错误 unified delivery has one shipping_list entry');
    for (const e of list) {
      if (!isObject(e)) fail(47001, 'data format error');
      const entry = e as Record<string, unknown>;
      const desc = entry.item_desc;
      if (typeof desc !== 'string' || desc === '') fail(10060008, '商品描述 item_desc 字段不能为空');
      if (chars(desc as string) > 120) fail(10060009, '商品描述 item_desc 字段太长');
      if (logistics === 1) {
        if (typeof entry.tracking_no !== 'string' || entry.tracking_no === '')
          fail(268485226, '物流单号不能为空');
        if (typeof entry.express_company !== 'string' || entry.express_company === '')
          fail(268485227, '物流公司编码不能为空');
      }
      if (typeof entry.tracking_no === 'string' && chars(entry.tracking_no) > 128)
        fail(10060026, '物流单号太长');
      if (typeof entry.express_company === 'string' && chars(entry.express_company) > 128)
        fail(10060025, '物流公司编码太长');
      const contact = entry.contact;
      if (contact !== undefined && !isObject(contact)) fail(47001, 'data format error');
      const values = isObject(contact)
        ? [contact.consignor_contact, contact.receiver_contact].filter((v) => v !== undefined && v !== '')
        : [];
      for (const v of values)
        if (typeof v !== 'string' || !MASKED_CONTACT.test(v) || !/\d{4}$/.test(v.replace(/[^0-9*]/g, '')))
          fail(10060014, '参数错误 contact must be masked with the last 4 digits visible');
      if (entry.express_company === 'SF' && values.length === 0)
        fail(10060014, '参数错误 contact is required for SF Express');
    }
    const uploadTime = parseUploadTime(body.upload_time);
    if (uploadTime === undefined) fail(268485216, 'upload_time 格式非法');
    const payer = body.payer;
    if (!isObject(payer) || typeof payer.openid !== 'string' || payer.openid === '')
      fail(10060014, '参数错误 payer.openid');
    return { key: paymentKey, uploadTime: uploadTime!, openid: (payer as { openid: string }).openid };
  }

  private async upload(
    body: Record<string, unknown>,
    origin: { function?: string },
  ): Promise<Record<string, unknown>> {
    const at = new Date(this.now()).toISOString();
    let order: OrderState | undefined;
    try {
      const { key, uploadTime, openid } = this.validate(body);
      order = await this.resolve(key);
      this.indexed(order);
      if (order.payment.openid !== openid) fail(10060031, '支付单不属于该 openid 用户');
      if (order.orderState >= 3) fail(10060004, '支付单处于不可发货的状态');
      if (order.orderState === 2) {
        if (shipmentKey(order.shipments.at(-1)!) === shipmentKey(body)) fail(10060023, '发货信息未更新');
        if (order.shipments.length >= 2) fail(10060003, '支付单已使用重新发货机会');
        if (uploadTime <= order.uploadTimes.at(-1)!)
          fail(10060014, '参数错误 upload_time must be later than the previous upload');
      }
      order.shipments.push(structuredClone(body));
      order.uploadTimes.push(uploadTime);
      order.orderState = 2;
      order.calls.push({ at, body: structuredClone(body), answer: 'ok', ...origin });
      return { errcode: 0, errmsg: 'ok' };
    } catch (e) {
      const code = e instanceof WeChatApiError ? e.errcode : -1;
      order?.calls.push({ at, body: structuredClone(body), answer: code, ...origin });
      throw e;
    }
  }
}
