/**
 * The buyer's subscribe messages end to end (issues 11, 12, 14): the local stack with orderAlert and the
 * demo customer templates the checkout offers (miniprogram/config.ts CUSTOMER_TEMPLATE_IDS), everything
 * over HTTP. The buyer's "allow" at checkout is the emulator's `POST /control/subscriptions`. A paid order,
 * a shipped order and a successful refund each give the buyer one message opening the order detail page;
 * without a grant the buyer's delivery is FAILED "no grant" while the merchant's alerts and the receipt
 * still go out; 100 duplicate payment notifications still give one message.
 */
import type { AlertDelivery, AlertStatus, RefundChange } from '@shouyin/shared';
import { NOTIFY_SUCCESS_XML } from '@shouyin/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CUSTOMER_TEMPLATE_IDS } from '../miniprogram/config';
import { DEMO_ALERT_TEMPLATES } from '../scripts/emulator/src/lib/alerts/stand-ins';
import { DEMO_CUSTOMER_TEMPLATES } from '../scripts/emulator/src/lib/local-stack';
import { MERCHANT_OPENID, startTestStack, type TestStack } from './support/stack';

const PAID_TMPL = DEMO_CUSTOMER_TEMPLATES.customerOrder.id;
const SHIPPED_TMPL = DEMO_CUSTOMER_TEMPLATES.customerShipped.id;
const REFUND_TMPL = DEMO_CUSTOMER_TEMPLATES.customerRefund.id;

let s: TestStack;
beforeAll(async () => {
  s = await startTestStack({ alerts: true });
  s.emulator.shipping.configure({ indexDelayMs: 0 });
});
afterAll(() => s?.stop());

/** The buyer tapped "allow" for these templates in the checkout's wx.requestSubscribeMessage. */
async function allow(openid: string, templateIds: readonly string[], count = 1): Promise<void> {
  for (const templateId of templateIds) {
    const r = await s.emulator.http(
      'POST',
      '/control/subscriptions',
      JSON.stringify({ openid, templateId, count }),
      { 'content-type': 'application/json' },
    );
    expect(r.status).toBe(200);
  }
}
const deliveries = async (outTradeNo: string): Promise<AlertDelivery[]> =>
  (await s.emulator.db
    .collection('alerts')
    .find({ 'facts.outTradeNo': outTradeNo }, { orderBy: [['_id', 'asc']] })) as unknown as AlertDelivery[];
const toBuyer = (buyer: string, outTradeNo: string) =>
  s.emulator
    .messages()
    .filter((m) => m.touser === buyer && m.page === `pages/order/order?outTradeNo=${outTradeNo}`);
const deliver = () => s.call('orderAlert', { action: 'deliver' });

async function waitFor<T>(what: () => Promise<T>, done: (v: T) => boolean, ms = 15_000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const v = await what();
    if (done(v) || Date.now() > until) return v;
    await new Promise((r) => setTimeout(r, 100));
  }
}
const customerOf = (ds: AlertDelivery[], kind: string) =>
  ds.find((d) => d.channel === 'customer' && d.kind === kind);
const settled = (ds: AlertDelivery[]) =>
  ds.length > 0 && ds.every((d) => !['SENDING', 'CHECKING'].includes(d.status));

it('the checkout offers exactly the templates orderAlert sends to buyers', () => {
  expect(CUSTOMER_TEMPLATE_IDS).toEqual([PAID_TMPL, SHIPPED_TMPL, REFUND_TMPL]);
});

describe('a buyer who allowed the three templates at checkout', () => {
  const buyer = 'o-cust-bella';
  let no: string;
  beforeAll(async () => {
    await allow(buyer, CUSTOMER_TEMPLATE_IDS);
    no = await s.paidOrderNo(buyer, [{ productId: 'latte', quantity: 2 }]);
  });

  it('is told the payment succeeded: one message, opening their order', async () => {
    const d = await waitFor(
      async () => customerOf(await deliveries(no), 'ORDER_PAID'),
      (x) => x?.status === 'SENT',
    );
    expect(d).toMatchObject({
      _id: `ORDER_PAID:${no}|customer|${buyer}`,
      recipient: buyer,
      templateId: PAID_TMPL,
      status: 'SENT',
    });
    const msgs = toBuyer(buyer, no);
    expect(msgs).toHaveLength(1);
    expect(msgs[0]).toMatchObject({
      templateId: PAID_TMPL,
      data: {
        character_string1: { value: no },
        amount2: { value: '¥36.00' },
        phrase3: { value: '支付成功' },
        thing5: { value: '订单支付成功' },
      },
    });
    // The merchant's alert is separate and untouched by the buyer's grant.
    const merchant = (await deliveries(no)).find((x) => x.channel === 'subscribe' && x.kind === 'ORDER_PAID');
    expect(merchant).toMatchObject({ recipient: MERCHANT_OPENID, templateId: DEMO_ALERT_TEMPLATES.order.id });
  });

  it('is told the order shipped, with the carrier and tracking number', async () => {
    const shipped = await s.call(
      'fulfilOrder',
      { action: 'ship', outTradeNo: no, logisticsType: 1, expressCompany: 'ZTO', trackingNo: 'ZT7700112233' },
      MERCHANT_OPENID,
    );
    expect(shipped.ok).toBe(true);
    await deliver();
    const d = await waitFor(
      async () => customerOf(await deliveries(no), 'ORDER_SHIPPED'),
      (x) => x?.status === 'SENT',
    );
    expect(d).toMatchObject({ templateId: SHIPPED_TMPL, status: 'SENT' });
    const msg = toBuyer(buyer, no).find((m) => m.templateId === SHIPPED_TMPL)!;
    expect(msg.data).toMatchObject({ phrase3: { value: '已发货' }, thing5: { value: '您的订单已发货' } });
    expect(msg.data.thing2!.value).toContain('ZT7700112233');
  });

  it('is told the refund succeeded, with the refunded amount', async () => {
    const asked = await s.refundCall<RefundChange>(
      'request',
      { outTradeNo: no, reason: '不想要了', refundFee: 1800 },
      buyer,
    );
    expect(asked.ok).toBe(true);
    if (!asked.ok) return;
    const id = asked.data.refund.refundId;
    expect(await s.refundCall('approve', { refundId: id }, MERCHANT_OPENID)).toMatchObject({ ok: true });
    await s.sandbox.control.advanceClock(10_000);
    await s.sandbox.control.idle();
    await waitFor(
      () => s.refund(id),
      (r) => r.status === 'SUCCESS',
    );
    await deliver();
    const d = await waitFor(
      async () => customerOf(await deliveries(no), 'REFUND_SUCCEEDED'),
      (x) => x?.status === 'SENT',
    );
    expect(d).toMatchObject({
      _id: `REFUND_SUCCEEDED:${id}|customer|${buyer}`,
      templateId: REFUND_TMPL,
      status: 'SENT',
    });
    const msg = toBuyer(buyer, no).find((m) => m.templateId === REFUND_TMPL)!;
    expect(msg.data).toMatchObject({ amount2: { value: '¥18.00' }, phrase3: { value: '退款成功' } });
    // The request itself is the merchant's business: the buyer got paid, shipped, refunded — three messages.
    await deliver();
    expect(toBuyer(buyer, no).map((m) => m.templateId)).toEqual([PAID_TMPL, SHIPPED_TMPL, REFUND_TMPL]);
  });
});

it('without a grant: the buyer’s delivery FAILED "no grant"; the merchant’s alerts and the receipt still go out', async () => {
  const buyer = 'o-cust-nogrant';
  const no = await s.paidOrderNo(buyer, [{ productId: 'americano', quantity: 1 }]);
  const ds = await waitFor(
    () => deliveries(no),
    (x) => x.length === 4 && settled(x),
  );
  const c = customerOf(ds, 'ORDER_PAID')!;
  expect(c).toMatchObject({ status: 'FAILED', failReason: expect.stringMatching(/no grant/) });
  expect(c.attempts.map((a) => [a.result, a.errCode])).toEqual([['no-grant', 43101]]);
  const printer = ds.find((d) => d.channel === 'printer')!;
  expect(['CONFIRMING', 'SENT']).toContain(printer.status);
  expect(ds.find((d) => d.channel === 'wecom')?.status).toBe('SENT');
  // The merchant's subscribe delivery follows the merchant rules only (sent, or waiting for its own grant).
  const merchant = ds.find((d) => d.channel === 'subscribe')!;
  expect(merchant.status === 'SENT' || merchant.waitingForGrant === true).toBe(true);
  expect(toBuyer(buyer, no)).toHaveLength(0);
  // Not the merchant's failure: status counts and lists the shop's channels only.
  const status = await s.call<AlertStatus>('orderAlert', { action: 'status' }, MERCHANT_OPENID);
  if (!status.ok) throw new Error(status.error.code);
  const all = (await s.emulator.db
    .collection('alerts')
    .find({ status: 'FAILED' })) as unknown as AlertDelivery[];
  expect(all.some((d) => d.channel === 'customer')).toBe(true);
  expect(status.data.failed).toBe(all.filter((d) => d.channel !== 'customer').length);
  expect(status.data.recentFailures.map((f) => f.channel)).not.toContain('customer');
  // Never retried: a later grant does not resurrect it (the buyer was not asked at that payment).
  await allow(buyer, [PAID_TMPL]);
  await deliver();
  expect(customerOf(await deliveries(no), 'ORDER_PAID')).toMatchObject({ status: 'FAILED', sends: 1 });
  expect(toBuyer(buyer, no)).toHaveLength(0);
});

it('100 duplicate payment notifications → one message to the buyer', async () => {
  const buyer = 'o-cust-dup';
  await allow(buyer, [PAID_TMPL], 5);
  await s.warmUp(10);
  const start = await s.create(buyer, [{ productId: 'americano', quantity: 1 }]);
  const order = await s.order(start.outTradeNo);
  const { xml } = s.notificationFor(order);
  const replies = await Promise.all(Array.from({ length: 100 }, () => s.postNotify(xml)));
  expect(replies.every((r) => r.body === NOTIFY_SUCCESS_XML)).toBe(true);
  await Promise.all([deliver(), deliver()]);
  const d = await waitFor(
    async () => customerOf(await deliveries(order._id), 'ORDER_PAID'),
    (x) => x?.status === 'SENT',
  );
  expect(d?.attempts.filter((a) => a.op === 'send')).toHaveLength(1);
  expect((await deliveries(order._id)).filter((x) => x.channel === 'customer')).toHaveLength(1);
  expect(toBuyer(buyer, order._id)).toHaveLength(1);
});
