/**
 * The end-to-end harness: the local stack as `npm start` wires it — the CloudBase emulator running the BUILT
 * function folders (createPayment, payNotify, reconcile) and the WeChat Pay v2 sandbox (scripts/sandbox/dist)
 * — on port 0, loopback only, with an in-memory database, the sandbox's manual clock and timers off.
 *
 * Everything a test does goes through HTTP the way the real callers do: the mini-program's callFunction
 * (`POST /functions/<name>` with the caller's OPENID header), WeChat's notification (`POST /wxpay/pay-notify`,
 * sent by the sandbox or built and signed here), the timer (`POST /triggers/reconcile/reconcileTimer`). The
 * payer and WeChat's notifier are the sandbox's control API (`pay`, `idle`, faults, clock). State is read
 * straight from the emulator's database and the sandbox's records.
 *
 *   let s: TestStack;
 *   beforeAll(async () => { s = await startTestStack(); });
 *   afterAll(() => s?.stop());
 */
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  type ApiAnswer,
  beijingTime,
  buildXml,
  encryptReqInfo,
  type Order,
  type PaymentAnomaly,
  type PaymentStart,
  parseXml,
  type ReconcileRefundsSummary,
  type ReconcileSummary,
  type Refund,
  type WxFields,
  type WxInput,
} from '@shouyin/shared';
import { inject } from 'vitest';
import type { Emulator, InvocationRecord, ShippingOrderView } from '../../scripts/emulator/src/index';
import { type LocalStack, type SandboxModuleLike, startLocalStack } from '../../scripts/emulator/src/index';
import type { ContextKeysMode } from '../../scripts/emulator/src/lib/host/invocation-env';
import {
  type NotifyOptions,
  paymentNotificationFields,
  refundNotificationPlaintext,
  type Sandbox,
  type SandboxInfo,
  type OrderView as SandboxOrderView,
  type RefundRecord as SandboxRefundRecord,
} from '../../scripts/sandbox/src/index';
import {
  EMULATOR_RUNTIME_DIR,
  HMAC_MERCHANT,
  loadSandboxModule,
  MD5_MERCHANT,
  REPO_ROOT,
  SANDBOX_MERCHANTS,
} from './paths';

export type MerchantInfo = SandboxInfo['merchants'][number];

/** The demo catalogue (shapes of scripts/demo/seed.json). Prices are integer fen. */
export const PRODUCTS = [
  { _id: 'latte', name: '拿铁咖啡', priceFee: 1800, onSale: true },
  { _id: 'americano', name: '美式咖啡', priceFee: 1500, onSale: true },
  { _id: 'croissant', name: '黄油可颂', priceFee: 1200, onSale: true },
  { _id: 'cheesecake', name: '重乳酪蛋糕', priceFee: 2600, onSale: true },
  { _id: 'mooncake', name: '限定月饼礼盒', priceFee: 16800, onSale: false },
] as const;

export const MERCHANTS_SEED = [
  {
    _id: 'demo-shop',
    name: '收银示例咖啡馆',
    reviewerOpenids: ['o-demo-merchant-owner'],
    alertOpenids: ['o-demo-merchant-owner'],
  },
];

export interface StackOptions {
  /** Which sandbox merchant the functions are configured with (default MD5). */
  signType?: 'MD5' | 'HMAC-SHA256';
  contextKeysMode?: ContextKeysMode;
  /** Per-function variables on top of the sandbox wiring (e.g. a short WXPAY_TIMEOUT_MS). */
  functionEnv?: Record<string, Record<string, string>>;
  notify?: NotifyOptions;
  /** Built functions to load besides createPayment, payNotify and reconcile (e.g. whoami). */
  extraFunctions?: string[];
  /** The shipping-info stand-in's indexing delay (default 1500 ms; 10060001 before it). */
  shippingIndexDelayMs?: number;
  /** Also load orderAlert (merchant alerts: printer and robot stand-ins, demo templates). */
  alerts?: boolean;
  /** Receives the sandbox's log lines (e.g. the digest of every refund request it received). */
  sandboxLog?: (line: string) => void;
}

export interface HttpReply {
  status: number;
  body: string;
}

export interface NotifyReply extends HttpReply {
  /** The reply XML's fields (return_code, return_msg). */
  fields: WxFields;
}

/** The two settings of the emulator that product code must not depend on (docs/emulator.md "Choices"). */
export const EMULATOR_MODES = [
  { name: "context keys 'empty', base64 bodies", contextKeysMode: 'empty', base64Bodies: true },
  { name: "context keys 'env-source', raw bodies", contextKeysMode: 'env-source', base64Bodies: false },
] as const;

export type CartItem = { productId: string; quantity: number };

export interface TestStack {
  emulator: Emulator;
  sandbox: Sandbox;
  /** The sandbox merchant the functions are configured with (its API key signs notifications here). */
  merchant: MerchantInfo;
  /** callFunction over HTTP as the mini-program user `openid` (none: no OPENID header). */
  call<T = unknown>(fn: string, data: Record<string, unknown>, openid?: string): Promise<ApiAnswer<T>>;
  /** `createPayment` `create`; throws unless it answered ok. */
  create(openid: string, items: CartItem[], requestId?: string): Promise<PaymentStart>;
  orders(): Promise<Order[]>;
  order(outTradeNo: string): Promise<Order>;
  alerts(): Promise<PaymentAnomaly[]>;
  /** Overwrites fields of a stored order (test set-up: backdating, a local close, …). */
  patchOrder(outTradeNo: string, patch: Partial<Order>): Promise<void>;
  /** The sandbox as the payer (by prepay_id), then waits until its notification attempts are over. */
  pay(start: PaymentStart): Promise<void>;
  /** POSTs a raw body to the payNotify HTTP route, as WeChat would. */
  postNotify(body: string | Buffer, headers?: Record<string, string>): Promise<NotifyReply>;
  /**
   * A payment notification for `order` shaped and signed as WeChat's (WeChat Pay v2 notes §4.2), by the
   * sandbox's builder (paymentNotificationFields); `xml` is the document, `fields` its signed fields.
   */
  notificationFor(
    order: Pick<Order, '_id' | 'totalFee' | '_openid'>,
    o?: NotificationOverrides,
  ): { xml: string; fields: WxInput };
  /**
   * Starts `n` instances of payNotify and createPayment (and two of reconcile) with requests that are refused
   * before touching anything, so a concurrency test really runs its requests side by side, not behind cold
   * starts.
   */
  warmUp(n?: number): Promise<void>;
  /** Fires the reconcile timer over HTTP and returns its summary. */
  reconcile(): Promise<ReconcileSummary>;
  /** The emulator's invocation log of one function. */
  invocations(fn: string): InvocationRecord[];
  /** Starts watching one function's invocation log: `records()` gives the invocations since the call. */
  track(fn: string): { records(): InvocationRecord[] };
  /** The sandbox's record of an order of the configured merchant (undefined when WeChat never saw it). */
  sandboxOrder(outTradeNo: string): Promise<SandboxOrderView | undefined>;
  /** `create` + the sandbox pays: a PAID order's out_trade_no. */
  paidOrderNo(openid: string, items?: CartItem[]): Promise<string>;
  /** What WeChat's shipping-info service holds (GET /control/shipping/orders). */
  shippingOrders(): Promise<ShippingOrderView[]>;
  /** The buyer confirms receipt inside WeChat (POST /control/shipping/confirm-receipt). */
  confirmReceiptInWeChat(outTradeNo: string): Promise<HttpReply>;
  stop(): Promise<void>;
  // ------------------------------------------------------------------------------------- refunds
  /** `applyRefund` `action` over HTTP as `openid`. */
  refundCall<T = unknown>(
    action: string,
    data: Record<string, unknown>,
    openid?: string,
  ): Promise<ApiAnswer<T>>;
  /** Creates an order for `openid`, pays it through the sandbox and waits until the order is PAID. */
  paidOrder(openid: string, items: CartItem[]): Promise<Order>;
  refunds(): Promise<Refund[]>;
  refund(id: string): Promise<Refund>;
  /** Overwrites fields of a stored refund (test set-up: backdating). */
  patchRefund(id: string, patch: Partial<Refund>): Promise<void>;
  /** The sandbox's refunds of the configured merchant. */
  sandboxRefunds(filter?: { outTradeNo?: string; outRefundNo?: string }): Promise<SandboxRefundRecord[]>;
  /** POSTs a raw body to the refundNotify HTTP route, as WeChat would. */
  postRefundNotify(body: string | Buffer): Promise<NotifyReply>;
  /**
   * A refund notification as WeChat shapes it (WeChat Pay v2 notes §5), req_info built by the sandbox's
   * plaintext builder and encrypted with `key` (default: the merchant's API key).
   */
  refundNotificationFor(
    r: SandboxRefundRecord,
    o?: { key?: string; outer?: WxInput; plaintext?: string },
  ): string;
  /** Fires the reconcile timer over HTTP and returns its refund summary. */
  reconcileRefunds(): Promise<ReconcileRefundsSummary>;
}

/** The merchant reviewer of MERCHANTS_SEED. */
export const MERCHANT_OPENID = 'o-demo-merchant-owner';

export interface NotificationOverrides {
  transactionId?: string;
  timeEnd?: string;
  /** Fields to set (undefined removes the field) before signing. */
  fields?: WxInput;
  /** Sign with this key instead of the merchant's (a forgery). */
  key?: string;
  signType?: 'MD5' | 'HMAC-SHA256';
  /** Put `sign_type` in the notification (WeChat omits it for HMAC-SHA256 orders: pitfall 2). */
  includeSignType?: boolean;
}

/** `prepay_id` from `payment.package` (`prepay_id=wx…`). */
export function prepayIdOf(start: PaymentStart): string {
  return start.payment.package.replace(/^prepay_id=/, '');
}

export async function startTestStack(o: StackOptions = {}): Promise<TestStack> {
  const stateDir = mkdtempSync(path.join(os.tmpdir(), 'shouyin-e2e-sandbox-'));
  const pki = inject('sandboxPkiDir');
  cpSync(path.join(pki, 'certs'), path.join(stateDir, 'certs'), { recursive: true });
  cpSync(path.join(pki, 'keys.json'), path.join(stateDir, 'keys.json'));
  const configured = o.signType === 'HMAC-SHA256' ? HMAC_MERCHANT : MD5_MERCHANT;
  let stack: LocalStack;
  try {
    stack = await startLocalStack({
      repoRoot: REPO_ROOT,
      functions: [
        'createPayment',
        'payNotify',
        'reconcile',
        'applyRefund',
        'refundNotify',
        'fulfilOrder',
        ...(o.alerts ? ['orderAlert'] : []),
        ...(o.extraFunctions ?? []),
      ],
      runtimeDir: EMULATOR_RUNTIME_DIR,
      runTimers: false,
      contextKeysMode: o.contextKeysMode ?? 'empty',
      functionEnvOverrides: {
        ...o.functionEnv,
        // shipped orders are checked at WeChat (getOrder) every second instead of every 30 minutes
        reconcile: { SHIPPING_RECEIPT_CHECK_MS: '1000', ...o.functionEnv?.reconcile },
        fulfilOrder: { SHIPPING_RECEIPT_CHECK_MS: '1000', ...o.functionEnv?.fulfilOrder },
      },
      shipping: { indexDelayMs: o.shippingIndexDelayMs ?? 1500 },
      sandbox: {
        stateDir,
        mchId: configured.mchId,
        module: loadSandboxModule() as unknown as SandboxModuleLike,
        log: o.sandboxLog,
        options: {
          persist: false,
          clock: { mode: 'manual' },
          merchants: [...SANDBOX_MERCHANTS],
          notify: o.notify,
        },
      },
    });
  } catch (e) {
    rmSync(stateDir, { recursive: true, force: true });
    throw e;
  }
  const emulator = stack.emulator;
  const sandbox = stack.sandbox as unknown as Sandbox;
  const merchant = sandbox.info.merchants.find((m) => m.mchId === configured.mchId)!;
  await emulator.db.collection('products').put(PRODUCTS.map((p) => ({ ...p })));
  await emulator.db.collection('merchants').put(MERCHANTS_SEED);

  const post = async (urlPath: string, body: string | Buffer, headers: Record<string, string>) => {
    const r = await emulator.http('POST', urlPath, body, headers);
    return { status: r.status, body: r.body };
  };

  const call = async <T>(fn: string, data: Record<string, unknown>, openid?: string) => {
    const r = await post(`/functions/${fn}`, JSON.stringify({ data }), {
      'content-type': 'application/json',
      ...(openid ? { 'x-wx-openid': openid } : {}),
    });
    const reply = JSON.parse(r.body) as { result?: unknown; errMsg?: string };
    if (r.status !== 200 || reply.errMsg !== 'cloud.callFunction:ok')
      throw new Error(`callFunction ${fn} failed: ${r.status} ${r.body}`);
    return reply.result as ApiAnswer<T>;
  };

  const findOrder = async (id: string): Promise<Order> => {
    const doc = await emulator.db.collection('orders').get(id);
    if (!doc) throw new Error(`no order ${id} in the database`);
    return doc as unknown as Order;
  };

  const t: TestStack = {
    emulator,
    sandbox,
    merchant,
    call,
    async create(openid, items, requestId = `req-${Math.random().toString(36).slice(2, 14)}`) {
      const a = await call<PaymentStart>('createPayment', { action: 'create', items, requestId }, openid);
      if (!a.ok) throw new Error(`create failed: ${a.error.code} ${a.error.message}`);
      return a.data;
    },
    orders: async () =>
      (await emulator.db.collection('orders').find({}, { orderBy: [['_id', 'asc']] })) as unknown as Order[],
    order: findOrder,
    alerts: async () =>
      (await emulator.db
        .collection('alerts')
        .find({}, { orderBy: [['_id', 'asc']] })) as unknown as PaymentAnomaly[],
    async patchOrder(id, patch) {
      const doc = await findOrder(id);
      await emulator.db.collection('orders').put({ ...doc, ...patch } as unknown as Record<string, unknown>);
    },
    async pay(start) {
      await sandbox.control.pay({ prepayId: prepayIdOf(start), mchId: merchant.mchId });
      await sandbox.control.idle();
    },
    async postNotify(body, headers = { 'content-type': 'text/xml' }) {
      const r = await post('/wxpay/pay-notify', body, headers);
      let fields: WxFields = {};
      try {
        fields = parseXml(r.body);
      } catch {
        // left empty: the assertion on return_code then fails with the body in view
      }
      return { ...r, fields };
    },
    notificationFor(order, n = {}) {
      const signType = n.signType ?? (merchant.signType as 'MD5' | 'HMAC-SHA256');
      const fields = paymentNotificationFields({
        appid: merchant.appid,
        mchId: merchant.mchId,
        apiKey: n.key ?? merchant.apiKey,
        signType,
        includeSignType: n.includeSignType ?? signType === 'MD5',
        outTradeNo: order._id,
        totalFee: order.totalFee,
        openid: order._openid,
        transactionId:
          n.transactionId ??
          `4200${Date.now()}${String(Math.random()).slice(2)}`.padEnd(28, '0').slice(0, 28),
        timeEnd: n.timeEnd ?? beijingTime(Date.now()),
        edit(f) {
          for (const [k, v] of Object.entries(n.fields ?? {})) {
            if (v === undefined) delete f[k];
            else f[k] = v;
          }
        },
      });
      return { xml: buildXml(fields), fields };
    },
    async warmUp(n = 10) {
      await Promise.all([
        ...Array.from({ length: n }, () =>
          post('/wxpay/pay-notify', 'warm-up', { 'content-type': 'text/plain' }),
        ),
        ...Array.from({ length: n }, () => call('createPayment', { action: 'warm-up' }, 'o-warm-up')),
        ...Array.from({ length: 2 }, () => call('reconcile', {}, 'o-warm-up')),
      ]);
    },
    async reconcile() {
      const r = await post('/triggers/reconcile/reconcileTimer', '', {});
      const rec = (JSON.parse(r.body) as { invocation: InvocationRecord }).invocation;
      if (rec.outcome !== 'ok') throw new Error(`reconcile ${rec.outcome}: ${rec.error ?? ''}`);
      const summary = rec.logs.map(tryJson).find((l) => l?.event === 'reconcile_payments');
      if (!summary) throw new Error(`reconcile logged no summary: ${rec.logs.join('\n')}`);
      return summary as unknown as ReconcileSummary;
    },
    invocations: (fn) => emulator.invocations({ function: fn }),
    track(fn) {
      const from = emulator.invocations({ function: fn }).length;
      return { records: () => emulator.invocations({ function: fn }).slice(from) };
    },
    sandboxOrder: async (outTradeNo) =>
      (await sandbox.control.listOrders({ mchId: merchant.mchId, outTradeNo }))[0],
    async paidOrderNo(openid, items = [{ productId: 'latte', quantity: 2 }]) {
      const requestId = `req-${Math.random().toString(36).slice(2, 14)}`;
      const a = await call<PaymentStart>('createPayment', { action: 'create', items, requestId }, openid);
      if (!a.ok) throw new Error(`create failed: ${a.error.code} ${a.error.message}`);
      await sandbox.control.pay({ prepayId: prepayIdOf(a.data), mchId: merchant.mchId });
      await sandbox.control.idle();
      return a.data.outTradeNo;
    },
    async shippingOrders() {
      const r = await emulator.http('GET', '/control/shipping/orders');
      return (JSON.parse(r.body) as { orders: ShippingOrderView[] }).orders;
    },
    confirmReceiptInWeChat: (outTradeNo) =>
      post('/control/shipping/confirm-receipt', JSON.stringify({ outTradeNo }), {
        'content-type': 'application/json',
      }),
    async stop() {
      try {
        await stack.stop();
      } finally {
        rmSync(stateDir, { recursive: true, force: true });
      }
    },
    refundCall: (action, data, openid) => call('applyRefund', { action, ...data }, openid),
    async paidOrder(openid, items) {
      const start = await t.create(openid, items);
      await t.pay(start);
      const o = await findOrder(start.outTradeNo);
      if (o.status !== 'PAID') throw new Error(`order ${o._id} is ${o.status} after paying`);
      return o;
    },
    refunds: async () =>
      (await emulator.db
        .collection('refunds')
        .find({}, { orderBy: [['_id', 'asc']] })) as unknown as Refund[],
    async refund(id) {
      const doc = await emulator.db.collection('refunds').get(id);
      if (!doc) throw new Error(`no refund ${id} in the database`);
      return doc as unknown as Refund;
    },
    async patchRefund(id, patch) {
      const doc = await emulator.db.collection('refunds').get(id);
      if (!doc) throw new Error(`no refund ${id} in the database`);
      await emulator.db.collection('refunds').put({ ...doc, ...patch } as unknown as Record<string, unknown>);
    },
    sandboxRefunds: (f = {}) => sandbox.control.listRefunds({ mchId: merchant.mchId, ...f }),
    async postRefundNotify(body) {
      const r = await post('/wxpay/refund-notify', body, { 'content-type': 'text/xml' });
      let fields: WxFields = {};
      try {
        fields = parseXml(r.body);
      } catch {
        // left empty: the assertion on return_code then fails with the body in view
      }
      return { ...r, fields };
    },
    refundNotificationFor(r, o = {}) {
      const plain = o.plaintext ?? refundNotificationPlaintext(r);
      return buildXml({
        return_code: 'SUCCESS',
        appid: merchant.appid,
        mch_id: merchant.mchId,
        nonce_str: 'n0nce',
        req_info: encryptReqInfo(plain, o.key ?? merchant.apiKey),
        ...o.outer,
      });
    },
    async reconcileRefunds() {
      const r = await post('/triggers/reconcile/reconcileTimer', '', {});
      const rec = (JSON.parse(r.body) as { invocation: InvocationRecord }).invocation;
      if (rec.outcome !== 'ok') throw new Error(`reconcile ${rec.outcome}: ${rec.error ?? ''}`);
      const summary = rec.logs.map(tryJson).find((l) => l?.event === 'reconcile_refunds');
      if (!summary) throw new Error(`reconcile logged no refund summary: ${rec.logs.join('\n')}`);
      return summary as unknown as ReconcileRefundsSummary;
    },
  };
  return t;
}

function tryJson(line: string): Record<string, unknown> | undefined {
  try {
    return JSON.parse(line.slice(line.indexOf('{'))) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}
