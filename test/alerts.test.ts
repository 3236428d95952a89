/**
 * Merchant alerts end to end (issue 11): the local stack with orderAlert, the emulator's Feie printer and
 * WeCom robot stand-ins and its subscribeMessage.send stand-in (grants, 43101, 47003), everything over HTTP.
 * payNotify asks orderAlert to deliver after its commit; reconcile and explicit internal `deliver` calls
 * pick up the rest.
 */
import type { AlertDelivery, AlertStatus, FeedPage, Order, OutboxEntry } from '@shouyin/shared';
import { NOTIFY_SUCCESS_XML } from '@shouyin/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_ALERT_TEMPLATES } from '../scripts/emulator/src/lib/alerts/stand-ins';
import { startTestStack, type TestStack } from './support/stack';

const OWNER = 'o-demo-merchant-owner';
const ORDER_TMPL = DEMO_ALERT_TEMPLATES.order.id;

let s: TestStack;
beforeAll(async () => {
  s = await startTestStack({ alerts: true });
});
afterAll(() => s?.stop());

interface Job {
  id: string;
  content: string;
  text: string;
  printed: boolean;
}
const jobs = async (): Promise<Job[]> =>
  (JSON.parse((await s.emulator.http('GET', '/printer/feie/jobs')).body) as { jobs: Job[] }).jobs;
const posts = async (): Promise<Array<{ content: string }>> =>
  (
    JSON.parse((await s.emulator.http('GET', '/wecom/robot/posts')).body) as {
      posts: Array<{ content: string }>;
    }
  ).posts;
const fault = (path: string, body: object) =>
  s.emulator.http('POST', path, JSON.stringify(body), { 'content-type': 'application/json' });
/** The shop's deliveries (the buyer's `customer` messages are test/customer-alerts.test.ts's). */
const deliveries = async (outTradeNo: string): Promise<AlertDelivery[]> =>
  (
    (await s.emulator.db
      .collection('alerts')
      .find({ 'facts.outTradeNo': outTradeNo }, { orderBy: [['_id', 'asc']] })) as unknown as AlertDelivery[]
  ).filter((d) => d.channel !== 'customer');
const deliver = () => s.call('orderAlert', { action: 'deliver' });
const jobsFor = async (no: string) => (await jobs()).filter((j) => j.content.includes(no));

async function waitFor<T>(what: () => Promise<T>, done: (v: T) => boolean, ms = 15_000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const v = await what();
    if (done(v) || Date.now() > until) return v;
    await new Promise((r) => setTimeout(r, 100));
  }
}
const settled = (ds: AlertDelivery[]) =>
  ds.length > 0 && ds.every((d) => !['SENDING', 'CHECKING'].includes(d.status));

async function paidOrder(customer: string): Promise<Order> {
  const start = await s.create(customer, [
    { productId: 'latte', quantity: 2 },
    { productId: 'croissant', quantity: 1 },
  ]);
  await s.pay(start);
  return s.order(start.outTradeNo);
}

describe('a paid order alerts the merchant on every channel', () => {
  let order: Order;
  beforeAll(async () => {
    order = await paidOrder('o-alert-alice');
    await waitFor(
      () => deliveries(order._id),
      (ds) => ds.length === 3 && settled(ds),
    );
  });

  it('one delivery per recipient and channel; the printer prints the receipt; the robot posts', async () => {
    const ds = await deliveries(order._id);
    expect(ds.map((d) => `${d.channel}:${d.recipient}`).sort()).toEqual([
      `printer:${s.emulator.alertStandIns.accounts.printer.sn}`,
      `subscribe:${OWNER}`,
      'wecom:robot',
    ]);
    const printed = await jobsFor(order._id);
    expect(printed).toHaveLength(1);
    expect(printed[0]!.text).toContain('拿铁咖啡');
    expect(printed[0]!.text).toContain('合计：¥48.00');
    expect(printed[0]!.content).toContain(`<QR>${order._id}</QR>`);
    expect((await posts()).filter((p) => p.content.includes(order._id))).toHaveLength(1);
  });

  it('no grant → 43101: pending, merchant marked to re-subscribe, the printer still printed', async () => {
    const sub = (await deliveries(order._id)).find((d) => d.channel === 'subscribe')!;
    expect(sub).toMatchObject({ status: 'PENDING', waitingForGrant: true });
    expect(sub.attempts.map((a) => [a.result, a.errCode])).toEqual([['no-grant', 43101]]);
    const status = await s.call<AlertStatus>('orderAlert', { action: 'status' }, OWNER);
    expect(status.ok && status.data.resubscribe).toBe(true);
    expect(status.ok && status.data.templates.find((t) => t.slot === 'order')).toMatchObject({
      exhausted: true,
      estimatedGrants: 0,
    });
    const printer = (await deliveries(order._id)).find((d) => d.channel === 'printer')!;
    expect(['CONFIRMING', 'SENT']).toContain(printer.status);
    expect(printer.printJobId).toBe((await jobsFor(order._id))[0]!.id);
  });

  it('grant recorded by subscribe → the pending alert is delivered with data WeChat accepts', async () => {
    s.emulator.grantSubscription(OWNER, ORDER_TMPL, 1); // the tap on "allow" at WeChat…
    const r = await s.call<{ accepted: string[]; released: number }>(
      'orderAlert',
      { action: 'subscribe', results: { [ORDER_TMPL]: 'accept', errMsg: 'requestSubscribeMessage:ok' } },
      OWNER,
    ); // …and what wx.requestSubscribeMessage told the console
    expect(r).toMatchObject({ ok: true, data: { accepted: [ORDER_TMPL], released: 1 } });
    const sub = await waitFor(
      async () => (await deliveries(order._id)).find((d) => d.channel === 'subscribe')!,
      (d) => d.status === 'SENT',
    );
    expect(sub.attempts.map((a) => a.result)).toEqual(['no-grant', 'sent']);
    const msg = s.emulator.messages().find((m) => m.data.character_string4?.value === order._id)!;
    expect(msg).toMatchObject({
      touser: OWNER,
      templateId: ORDER_TMPL,
      page: `pages/merchant/merchant?outTradeNo=${order._id}`,
      data: { amount2: { value: '¥48.00' }, phrase5: { value: '已支付' }, thing1: { value: '新订单已支付' } },
    });
    expect(msg.data.time3!.value).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$/);
    // The confirmed delivery is never sent again.
    await deliver();
    expect(s.emulator.messages().filter((m) => m.data.character_string4?.value === order._id)).toHaveLength(
      1,
    );
  });
});

it('100 duplicate payment notifications → one alert per channel and one receipt', async () => {
  await s.warmUp(10);
  const start = await s.create('o-alert-dup', [{ productId: 'americano', quantity: 1 }]);
  const order = await s.order(start.outTradeNo);
  const { xml } = s.notificationFor(order);
  const replies = await Promise.all(Array.from({ length: 100 }, () => s.postNotify(xml)));
  expect(replies.every((r) => r.body === NOTIFY_SUCCESS_XML)).toBe(true);
  await deliver();
  const ds = await waitFor(() => deliveries(order._id), settled);
  expect(ds.map((d) => d.channel).sort()).toEqual(['printer', 'subscribe', 'wecom']);
  expect(await jobsFor(order._id)).toHaveLength(1);
  expect((await posts()).filter((p) => p.content.includes(order._id))).toHaveLength(1);
  expect((await s.order(order._id)).outbox).toHaveLength(1);
});

it('two concurrent deliver runs → each delivery sent once', async () => {
  s.emulator.grantSubscription(OWNER, ORDER_TMPL, 5);
  const start = await s.create('o-alert-race', [{ productId: 'cheesecake', quantity: 1 }]);
  const order = await s.order(start.outTradeNo);
  // Settled by a notification nobody delivers for (payNotify's own request is what we race against).
  await s.postNotify(s.notificationFor(order).xml);
  await Promise.all([deliver(), deliver(), deliver()]);
  const ds = await waitFor(() => deliveries(order._id), settled);
  for (const d of ds) expect(d.attempts.filter((a) => a.op === 'send')).toHaveLength(1);
  expect(await jobsFor(order._id)).toHaveLength(1);
  expect(s.emulator.messages().filter((m) => m.data.character_string4?.value === order._id)).toHaveLength(1);
});

it('a timed-out print is not reprinted; an accepted job that never prints is queried, not reprinted', async () => {
  await fault('/printer/feie/faults', { mode: 'timeout', delayMs: 4500 });
  const a = await paidOrder('o-alert-timeout');
  const pa = await waitFor(
    async () => (await deliveries(a._id)).find((d) => d.channel === 'printer')!,
    (d) => d?.status === 'FAILED',
  );
  expect(pa.attempts.map((x) => x.result)).toEqual(['timeout']);
  expect(pa.failReason).toMatch(/outcome unknown/);
  await deliver();
  expect(await jobsFor(a._id)).toHaveLength(1); // the stand-in printed it once; never again

  await fault('/printer/feie/faults', { mode: 'never-print' });
  const b = await paidOrder('o-alert-never');
  const pb = await waitFor(
    async () => (await deliveries(b._id)).find((d) => d.channel === 'printer')!,
    (d) => d?.status === 'CONFIRMING',
  );
  expect(pb.printJobId).toBeDefined();
  // Make the query due now and run it: it asks Feie about the job (Open_queryOrderState), prints nothing.
  await s.emulator.db
    .collection('alerts')
    .put({ ...pb, nextAttemptAt: 0 } as unknown as Record<string, unknown>);
  await deliver();
  const after = (await deliveries(b._id)).find((d) => d.channel === 'printer')!;
  expect(after.status).toBe('CONFIRMING');
  expect(after.attempts.map((x) => `${x.op}:${x.result}`)).toEqual(['send:accepted', 'query:not-printed']);
  expect(await jobsFor(b._id)).toHaveLength(1);
});

it('a failing webhook retries later and never changes or holds up payNotify', async () => {
  await fault('/wecom/robot/faults', { mode: 'timeout', delayMs: 12_000 });
  const notify = s.track('payNotify');
  const alert = s.track('orderAlert');
  const order = await paidOrder('o-alert-robot');
  const [n] = notify.records();
  expect(n?.outcome).toBe('ok');
  expect(n?.logs.join('\n')).toContain('"outcome":"paid"');
  // payNotify answered before the delivery it asked for was over (that one waited for the robot's timeout).
  const child = await waitFor(
    async () => alert.records().find((r) => r.parentId === n?.requestId && r.outcome !== 'running'),
    (r) => r !== undefined,
  );
  const end = (r: { startedAt: string; durationMs: number }) => Date.parse(r.startedAt) + r.durationMs;
  expect(child?.outcome).toBe('ok');
  expect(end(n!)).toBeLessThan(end(child!));
  expect(child?.logs.join('\n')).toContain('"result":"timeout"');
  const robot = await waitFor(
    async () => (await deliveries(order._id)).find((d) => d.channel === 'wecom')!,
    (d) => d?.status === 'PENDING' && d.attempts.length === 1,
  );
  expect(robot.attempts[0]).toMatchObject({ result: 'timeout' });
  expect(robot.nextAttemptAt).toBeGreaterThan(robot.attempts[0]!.at);
  expect((await s.sandboxOrder(order._id))?.state).toBe('SUCCESS');
  // Due again (its backoff passed): retried and the retry recorded.
  await s.emulator.db
    .collection('alerts')
    .put({ ...robot, nextAttemptAt: 0 } as unknown as Record<string, unknown>);
  await deliver();
  const retried = (await deliveries(order._id)).find((d) => d.channel === 'wecom')!;
  expect(retried.status).toBe('SENT');
  expect(retried.attempts.map((a) => a.result)).toEqual(['timeout', 'sent']);
});

it('a payment mismatch becomes a deliverable alert (reconcile delivers it)', async () => {
  const start = await s.create('o-alert-mismatch', [{ productId: 'latte', quantity: 1 }]);
  const order = await s.order(start.outTradeNo);
  const r = await s.postNotify(s.notificationFor(order, { fields: { total_fee: 1, cash_fee: 1 } }).xml);
  expect(r.fields.return_code).toBe('FAIL');
  await s.reconcile();
  const ds = await waitFor(
    () => deliveries(order._id),
    (x) => x.length === 2 && settled(x),
  );
  expect(ds.map((d) => `${d.kind}:${d.channel}`).sort()).toEqual([
    'PAYMENT_MISMATCH:subscribe',
    'PAYMENT_MISMATCH:wecom',
  ]);
  expect((await posts()).find((p) => p.content.includes(order._id))?.content).toContain('金额不符');
});

it('refund and shipping events (hand-made outbox entries) get their deliveries by kind; the feed lists them', async () => {
  const order = await paidOrder('o-alert-refund');
  const at = Date.now();
  const entry = (kind: OutboxEntry['kind'], extra: Partial<OutboxEntry> = {}): OutboxEntry => ({
    id: `${kind}:RF${order._id}`,
    kind,
    at,
    outTradeNo: order._id,
    totalFee: order.totalFee,
    refundId: `RF${order._id}`,
    refundFee: 1200,
    detail: '顾客说：可颂烤焦了，想退掉这一个可颂（这是一段很长很长的退款原因）',
    ...extra,
  });
  const kinds = [
    'REFUND_REQUESTED',
    'REFUND_SUCCEEDED',
    'REFUND_FAILED',
    'REFUND_ABNORMAL',
    'REFUND_CLOSED',
    'REFUND_STUCK',
  ] as const;
  await s.emulator.db.collection('refunds').put({
    _id: `RF${order._id}`,
    outTradeNo: order._id,
    outbox: kinds.map((k) => entry(k)),
    alertsPending: true,
    outboxSeq: kinds.length,
  });
  const o = await s.order(order._id);
  await s.patchOrder(order._id, {
    outbox: [
      ...o.outbox,
      ...(['ORDER_SHIPPED', 'SHIPPING_UPLOAD_FAILING', 'ORDER_UNSHIPPED_LATE'] as const).map((k) =>
        entry(k, { id: `${k}:${order._id}`, refundId: undefined, refundFee: undefined, detail: undefined }),
      ),
    ],
    alertsPending: true,
    outboxSeq: (o.outboxSeq ?? 0) + 3,
  });
  await deliver();
  const ds = await waitFor(() => deliveries(order._id), settled);
  const byKind = (k: string) =>
    ds
      .filter((d) => d.kind === k)
      .map((d) => d.channel)
      .sort();
  expect(byKind('REFUND_REQUESTED')).toEqual(['printer', 'subscribe', 'wecom']);
  expect(byKind('REFUND_SUCCEEDED')).toEqual(['printer', 'subscribe', 'wecom']);
  for (const k of ['REFUND_FAILED', 'REFUND_ABNORMAL', 'REFUND_CLOSED', 'REFUND_STUCK'])
    expect(byKind(k)).toEqual(['subscribe', 'wecom']);
  expect(byKind('ORDER_SHIPPED')).toEqual(['wecom']);
  expect(byKind('SHIPPING_UPLOAD_FAILING')).toEqual(['subscribe', 'wecom']);
  expect(byKind('ORDER_UNSHIPPED_LATE')).toEqual(['subscribe', 'wecom']);
  // No send was refused for its data (47003): every subscribe delivery is sent or waits for a grant.
  for (const d of ds.filter((x) => x.channel === 'subscribe'))
    expect(d.attempts.every((a) => a.errCode !== 47003)).toBe(true);
  expect((await s.emulator.db.collection('refunds').get(`RF${order._id}`))?.alertsPending).toBe(false);
  const refundJob = (await jobsFor(order._id)).find((j) => j.text.includes('退款'))!;
  expect(refundJob.text).toContain('退款：¥12.00');

  const feed = await s.call<FeedPage>('orderAlert', { action: 'feed', limit: 50 }, OWNER);
  expect(feed.ok).toBe(true);
  const mine = feed.ok ? feed.data.items.filter((i) => i.outTradeNo === order._id) : [];
  expect(mine.map((i) => i.kind).sort()).toEqual(
    [
      'ORDER_PAID',
      'REFUND_REQUESTED',
      'REFUND_FAILED',
      'REFUND_ABNORMAL',
      'REFUND_STUCK',
      'SHIPPING_UPLOAD_FAILING',
      'ORDER_UNSHIPPED_LATE',
    ].sort(),
  );
  const all = feed.ok ? feed.data.items : [];
  expect(all.map((i) => i.at)).toEqual([...all.map((i) => i.at)].sort((x, y) => y - x));
});

it('the merchant reprints a receipt on purpose: once per requestId, marked 补打', async () => {
  const order = await paidOrder('o-alert-reprint');
  await waitFor(
    () => deliveries(order._id),
    (ds) => ds.length === 3 && settled(ds),
  );
  const input = { action: 'reprint', outTradeNo: order._id, requestId: 'reprint-0001' };
  const [a, b] = await Promise.all([s.call('orderAlert', input, OWNER), s.call('orderAlert', input, OWNER)]);
  expect(a.ok && b.ok).toBe(true);
  const printed = await waitFor(
    () => jobsFor(order._id),
    (j) => j.length === 2,
  );
  expect(printed).toHaveLength(2);
  expect(printed[1]!.text).toContain('新订单已支付（补打）');
  const unpaid = await s.create('o-alert-reprint', [{ productId: 'latte', quantity: 1 }]);
  const r = await s.call('orderAlert', { ...input, outTradeNo: unpaid.outTradeNo }, OWNER);
  expect(r.ok ? 'ok' : r.error.code).toBe('NOT_FOUND');
});

it('a customer cannot call subscribe, status, feed, reprint or deliver', async () => {
  const calls = [
    { action: 'subscribe', results: { [ORDER_TMPL]: 'accept' } },
    { action: 'status' },
    { action: 'feed' },
    { action: 'reprint', outTradeNo: 'SY20261205000000AAAA', requestId: 'reprint-0002' },
    { action: 'deliver' },
  ];
  const answers = await Promise.all(calls.map((c) => s.call('orderAlert', c, 'o-just-a-customer')));
  expect(answers.map((a) => (a.ok ? 'ok' : a.error.code))).toEqual([
    'NOT_MERCHANT',
    'NOT_MERCHANT',
    'NOT_MERCHANT',
    'NOT_MERCHANT',
    'FORBIDDEN',
  ]);
  // Even a merchant cannot run the internal deliver from the mini-program.
  const d = await s.call('orderAlert', { action: 'deliver' }, OWNER);
  expect(d.ok ? 'ok' : d.error.code).toBe('FORBIDDEN');
});
