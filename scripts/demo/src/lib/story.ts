/**
 * The demo story, driven through the doors the real actors use: the mini-program's callFunction
 * (`POST /functions/createPayment` with the customer's OPENID), the payer at WeChat (the sandbox's control
 * API `pay`), WeChat's notification (the sandbox POSTs it to payNotify's HTTP route), a forger (a POST to the
 * same route), and the emulator's inspection calls for what no client API shows (outbox, invocation log).
 * Every step checks the state it expects and throws a StepFailure otherwise.
 */
import { randomBytes } from 'node:crypto';
import {
  beijingTime,
  type CreatePaymentAction,
  type CreatePaymentActions,
  type OrderView,
} from '@shouyin/shared';
import { paymentNotificationXml } from '../../../sandbox/src/index';
import { runAlertStory } from './alert-story';
import { abbreviate, beijing, replySummary, type Timeline, yuan } from './format';
import { httpJson, httpsJson, httpText } from './http';
import { runRefundStory } from './refund-story';
import { runShipStory } from './ship-story';
import type { Target } from './target';

export class StepFailure extends Error {}

function expect(cond: unknown, what: string): asserts cond {
  if (!cond) throw new StepFailure(what);
}

export const DEMO_CUSTOMER = 'o-demo-customer-alice';
export const DEMO_CART = [
  { productId: 'latte', quantity: 2 },
  { productId: 'croissant', quantity: 1 },
];

interface InvocationView {
  requestId: string;
  startedAt: string;
  durationMs: number;
  dbRequests: number;
  outcome: string;
  coldStart: boolean;
  logs?: string[];
}

interface StoredOrder {
  _id: string;
  status: string;
  outbox: Array<{ id: string; kind: string; at: number; totalFee: number; transactionId: string }>;
  history: Array<{ from: string | null; to: string; by: string; at: number; why: string }>;
}

interface SandboxOrder {
  state: string;
  transactionId?: string;
  totalFee: number;
}

interface Delivery {
  attempt: number;
  copy: number;
  outcome: string;
  httpStatus?: number;
  latencyMs: number;
  reply?: string;
  time: string;
  kind: string;
}

/** The story's handles on the stack. */
class Actors {
  constructor(private readonly t: Target) {}

  /** wx.cloud.callFunction({name: 'createPayment', data}) as the customer. */
  async call<A extends CreatePaymentAction>(
    openid: string,
    action: A,
    input: CreatePaymentActions[A]['input'],
  ): Promise<CreatePaymentActions[A]['output']> {
    const r = await httpText(
      'POST',
      `${this.t.emulatorUrl}/functions/createPayment`,
      JSON.stringify({ data: { action, ...input } }),
      { 'content-type': 'application/json', 'x-wx-openid': openid },
    );
    const body = JSON.parse(r.text) as {
      result?: { ok: boolean; data?: unknown; error?: { code: string; message: string } };
      errMsg?: string;
    };
    expect(r.status === 200 && body.result, `createPayment ${action}: HTTP ${r.status} ${body.errMsg ?? ''}`);
    const answer = body.result;
    expect(
      answer.ok,
      `createPayment ${action} answered ${answer.error?.code}: ${answer.error?.message ?? '(no message)'}`,
    );
    return answer.data as CreatePaymentActions[A]['output'];
  }

  /** POST to payNotify's HTTP route, as WeChat (or anyone on the internet) would. */
  async postNotification(xml: string): Promise<string> {
    const r = await httpText('POST', this.t.payNotifyUrl, xml, { 'content-type': 'text/xml' });
    expect(r.status === 200, `payNotify answered HTTP ${r.status}`);
    return r.text;
  }

  control<T>(method: string, route: string, body?: unknown): Promise<T> {
    return httpsJson<T>(method, `${this.t.sandbox.controlUrl}${route}`, this.t.sandbox.ca, body);
  }

  async storedOrder(outTradeNo: string): Promise<StoredOrder> {
    const where = encodeURIComponent(JSON.stringify({ _id: outTradeNo }));
    const r = await httpJson<{ data: StoredOrder[] }>(
      'GET',
      `${this.t.emulatorUrl}/db/orders?where=${where}`,
    );
    const doc = r.data[0];
    expect(doc, `order ${outTradeNo} is not in the database`);
    return doc;
  }

  /** The payNotify invocations since `sinceMs` that logged this order. */
  async notifyInvocations(outTradeNo: string, sinceMs: number): Promise<InvocationView[]> {
    const r = await httpJson<{ invocations: InvocationView[] }>(
      'GET',
      `${this.t.emulatorUrl}/invocations?function=payNotify`,
    );
    return r.invocations.filter(
      (i) => Date.parse(i.startedAt) >= sinceMs - 5 && (i.logs ?? []).some((l) => l.includes(outTradeNo)),
    );
  }
}

function requestId(): string {
  return `demo-${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;
}

/** A "paid" notification for the order, shaped like WeChat's but signed with a key that is not the merchant's. */
function forgedNotification(t: Target, order: OrderView, openid: string): string {
  return paymentNotificationXml({
    appid: t.sandbox.merchant.appid,
    mchId: t.sandbox.merchant.mchId,
    apiKey: randomBytes(16).toString('hex'), // the forger's key
    signType: 'MD5',
    includeSignType: true,
    outTradeNo: order.outTradeNo,
    totalFee: order.totalFee,
    openid,
    transactionId: `4200000000${Date.now()}${String(Math.floor(Math.random() * 1e5)).padStart(5, '0')}`,
    timeEnd: beijingTime(Date.now()),
  });
}

function showOrder(tl: Timeline, o: OrderView): void {
  const extra = [
    o.transactionId ? `transaction_id ${o.transactionId}` : '',
    o.paidAt ? `paid ${beijing(o.paidAt)}` : '',
  ]
    .filter(Boolean)
    .join(', ');
  tl.state(`order ${o.outTradeNo}`, o.status, extra);
}

export async function runStory(t: Target, tl: Timeline): Promise<void> {
  const a = new Actors(t);
  const openid = DEMO_CUSTOMER;

  // 1. Checkout -----------------------------------------------------------------------------------------
  tl.step(`Customer ${openid} checks out in the mini-program: 2 × latte, 1 × croissant`);
  const rid = requestId();
  const start = await a.call(openid, 'create', { items: DEMO_CART, remark: '少冰，谢谢', requestId: rid });
  tl.detail('callFunction', `createPayment {action: 'create', requestId: '${rid}'}`);
  tl.detail('out_trade_no', start.outTradeNo);
  tl.detail('total', `${yuan(start.totalFee)} (${start.totalFee} fen, priced by the server)`);
  const p = start.payment;
  tl.detail('wx.requestPayment', `timeStamp ${p.timeStamp}, nonceStr ${abbreviate(p.nonceStr, 6)},`);
  tl.detail('', `package '${p.package}',`);
  tl.detail('', `signType ${p.signType}, paySign ${abbreviate(p.paySign)} (appId signed, not passed)`);
  let order = await a.call(openid, 'get', { outTradeNo: start.outTradeNo });
  for (const l of order.lines)
    tl.detail('line', `${l.quantity} × ${l.name} @ ${yuan(l.unitFee)} = ${yuan(l.lineFee)}`);
  expect(order.status === 'NOTPAY', `a new order should be NOTPAY, is ${order.status}`);
  expect(
    order.totalFee === order.lines.reduce((sum, l) => sum + l.lineFee, 0) &&
      order.lines.length === DEMO_CART.length,
    `the total should be the sum of the ${DEMO_CART.length} priced lines, is ${order.totalFee}`,
  );
  expect(p.package.startsWith('prepay_id=wx'), `package should carry a prepay_id, is ${p.package}`);
  showOrder(tl, order);

  // 2. Retry: the same requestId never makes a second order ----------------------------------------------
  tl.step('The network drops the answer; the mini-program retries create with the same requestId');
  const again = await a.call(openid, 'create', { items: DEMO_CART, remark: '少冰，谢谢', requestId: rid });
  tl.detail(
    'out_trade_no',
    `${again.outTradeNo} (${again.outTradeNo === start.outTradeNo ? 'the same order' : 'A SECOND ORDER'})`,
  );
  expect(again.outTradeNo === start.outTradeNo, 'a retried create must return the first order');
  showOrder(tl, order);

  // 3. Unhappy beat: a forged notification -----------------------------------------------------------------
  tl.step('A forger POSTs a "paid" notification for this order, signed with the wrong key');
  const forgedAt = Date.now();
  const forgedReply = await a.postNotification(forgedNotification(t, order, openid));
  tl.detail('POST', `${t.payNotifyUrl} → ${replySummary(forgedReply)}`);
  const forgedRuns = await a.notifyInvocations(start.outTradeNo, forgedAt);
  const forgedRun = forgedRuns[forgedRuns.length - 1];
  if (forgedRun)
    tl.detail('payNotify', `${forgedRun.dbRequests} database request(s): refused before reading anything`);
  expect(
    replySummary(forgedReply).startsWith('FAIL'),
    `a forged notification must get FAIL, got ${forgedReply}`,
  );
  order = await a.call(openid, 'get', { outTradeNo: start.outTradeNo });
  let stored = await a.storedOrder(start.outTradeNo);
  expect(order.status === 'NOTPAY', `a forged notification must change nothing, order is ${order.status}`);
  expect(
    stored.history.length === 1 && stored.outbox.length === 0,
    'a forged notification must write nothing',
  );
  expect(!forgedRun || forgedRun.dbRequests === 0, 'a forged notification must not touch the database');
  showOrder(tl, order);
  tl.note('(nothing written: history still has 1 entry, outbox empty)');

  // 4. The payer pays at WeChat --------------------------------------------------------------------------
  const prepayId = p.package.slice('prepay_id='.length);
  tl.step('The customer confirms in the WeChat Pay sheet (sandbox payer: POST /sandbox/pay)');
  const paidAt = Date.now();
  const wx = await a.control<SandboxOrder>('POST', '/pay', { prepayId });
  tl.detail('prepay_id', prepayId);
  tl.detail(
    'WeChat',
    `trade_state ${wx.state}, transaction_id ${wx.transactionId ?? '—'}, ${yuan(wx.totalFee)}`,
  );
  expect(wx.state === 'SUCCESS' && wx.transactionId, `the sandbox should report SUCCESS, got ${wx.state}`);
  tl.note('WeChat now sends the payment notification to the notify_url (payNotify)');

  // 5. The notification reaches payNotify -----------------------------------------------------------------
  tl.step("WeChat's payment notification reaches payNotify");
  await a.control('POST', '/idle');
  const deliveries = (
    await a.control<Delivery[]>(
      'GET',
      `/deliveries?kind=pay&outTradeNo=${encodeURIComponent(start.outTradeNo)}`,
    )
  ).filter((d) => d.kind === 'pay');
  for (const d of deliveries)
    tl.detail(
      `attempt ${d.attempt}${d.copy ? `.${d.copy}` : ''}`,
      `${d.outcome}, HTTP ${d.httpStatus ?? '—'}, reply ${replySummary(d.reply)}, ${d.latencyMs} ms`,
    );
  const realRuns = await a.notifyInvocations(start.outTradeNo, paidAt);
  const first = realRuns[0];
  if (first)
    tl.detail(
      'payNotify',
      `${first.dbRequests} database requests (one read, one conditional write), ${first.durationMs.toFixed(1)} ms${first.coldStart ? ', cold start' : ''}`,
    );
  expect(
    deliveries.some((d) => d.outcome === 'success' && replySummary(d.reply).startsWith('SUCCESS')),
    `no delivery of the notification was answered SUCCESS (${deliveries.map((d) => d.outcome).join(', ') || 'none logged'})`,
  );
  order = await a.call(openid, 'get', { outTradeNo: start.outTradeNo });
  expect(order.status === 'PAID', `after the notification the order should be PAID, is ${order.status}`);
  expect(order.transactionId === wx.transactionId, "the order should carry WeChat's transaction_id");
  showOrder(tl, order);

  // 6. The merchant alert is queued ---------------------------------------------------------------------
  tl.step('The merchant alert rides in the same update: queued in the order outbox');
  stored = await a.storedOrder(start.outTradeNo);
  for (const h of stored.history) tl.detail('history', `${h.from ?? '∅'} → ${h.to} by ${h.by}: ${h.why}`);
  for (const o of stored.outbox)
    tl.detail('outbox', `${o.kind} ${o.id} (${yuan(o.totalFee)}), queued ${beijing(o.at)}`);
  expect(
    stored.outbox.length === 1 && stored.outbox[0]?.kind === 'ORDER_PAID',
    `one ORDER_PAID alert should be queued, outbox: ${JSON.stringify(stored.outbox)}`,
  );
  tl.note('queued in the same update; orderAlert delivers it (see the alert chapter below)');
  tl.state(`alert for ${start.outTradeNo}`, 'QUEUED');

  // 7. The customer's confirm ----------------------------------------------------------------------------
  tl.step('wx.requestPayment resolved: the mini-program calls confirm (settles via orderquery if needed)');
  order = await a.call(openid, 'confirm', { outTradeNo: start.outTradeNo });
  expect(order.status === 'PAID', `confirm should show PAID, shows ${order.status}`);
  stored = await a.storedOrder(start.outTradeNo);
  expect(stored.outbox.length === 1, 'confirm after the notification must not queue a second alert');
  showOrder(tl, order);
  tl.note('(still one alert queued: the transition happened once)');

  // 8. The order list ----------------------------------------------------------------------------------
  tl.step("The customer opens 'My orders' (list)");
  const page = await a.call(openid, 'list', {});
  for (const o of page.orders.slice(0, 5))
    tl.detail(
      o.outTradeNo === start.outTradeNo ? '→ this order' : 'earlier',
      `${o.outTradeNo} ${o.status.padEnd(8)} ${yuan(o.totalFee)}`,
    );
  if (page.orders.length > 5) tl.detail('', `… ${page.orders.length - 5} more on this page`);
  const listed = page.orders.find((o) => o.outTradeNo === start.outTradeNo);
  expect(
    listed?.status === 'PAID',
    `list should show the order as PAID, shows ${listed?.status ?? 'nothing'}`,
  );
  showOrder(tl, listed);
  await runShipStory(t, tl, start.outTradeNo, openid);
  await runAlertStory(t, tl, start.outTradeNo);
  await runRefundStory(t, tl, start.outTradeNo);
}
