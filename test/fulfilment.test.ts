/**
 * Fulfilment end to end (issue 12), through the emulator over HTTP: the merchant ships from the phone
 * (fulfilOrder `ship`), WeChat's shipping-info upload (the emulator's wxa.sec.order stand-in) is made at once
 * or retried by reconcile, the buyer confirms receipt in the mini-program or in WeChat. Every case reads the
 * stored order and what the stand-in received. The stand-in's indexing delay (10060001 until a payment is
 * known) is 0 here except in the case about it, which sets 1.5 s (the functions' retry wait is the same).
 */
import type {
  ApiAnswer,
  FulfilmentChange,
  FulfilmentStatusView,
  MerchantShipmentView,
  OrderView,
  RefundChange,
  ShipmentView,
} from '@shouyin/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MERCHANTS_SEED, startTestStack, type TestStack } from './support/stack';

const MERCHANT = MERCHANTS_SEED[0]!.reviewerOpenids[0]!;
const INDEX_DELAY_MS = 1500;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let s: TestStack;
beforeAll(async () => {
  s = await startTestStack({ shippingIndexDelayMs: INDEX_DELAY_MS });
  s.emulator.shipping.configure({ indexDelayMs: 0 });
});
afterAll(() => s?.stop());

const fulfil = <T>(data: Record<string, unknown>, openid: string) => s.call<T>('fulfilOrder', data, openid);
const ship = (data: Record<string, unknown>, openid = MERCHANT) =>
  fulfil<FulfilmentChange<MerchantShipmentView>>({ action: 'ship', ...data }, openid);
const express = (outTradeNo: string, trackingNo = 'ZT7700112233') => ({
  outTradeNo,
  logisticsType: 1,
  expressCompany: 'ZTO',
  trackingNo,
});
const ok = <T>(a: ApiAnswer<T>): T => {
  if (!a.ok) throw new Error(`expected ok, got ${a.error.code}: ${a.error.message}`);
  return a.data;
};
const uploadsOf = async (outTradeNo: string) =>
  (await s.shippingOrders()).find((o) => o.outTradeNo === outTradeNo)?.calls ?? [];

describe('ship', () => {
  it('ships express, same-city, pickup and virtual goods; each uploaded once, with the buyer alert queued', async () => {
    const orders = await Promise.all([1, 2, 3, 4].map((i) => s.paidOrderNo(`o-ship-kinds-${i}`)));
    const inputs = [
      express(orders[0]!),
      { outTradeNo: orders[1]!, logisticsType: 2, itemDesc: '同城闪送：拿铁咖啡*2' },
      { outTradeNo: orders[2]!, logisticsType: 4 },
      { outTradeNo: orders[3]!, logisticsType: 3, itemDesc: '电子礼品卡' },
    ];
    const runs = s.track('fulfilOrder');
    for (const input of inputs) {
      const r = ok(await ship(input));
      expect(r.changed).toBe(true);
      expect(r.shipment).toMatchObject({ status: 'SHIPPED', logisticsType: input.logisticsType });
      expect(r.shipment.upload).toMatchObject({ status: 'UPLOADED', attempts: 1 });
      const stored = await s.order(input.outTradeNo);
      expect(stored.status).toBe('PAID');
      expect(stored.fulfilment).toMatchObject({ status: 'SHIPPED', shippedBy: MERCHANT, amendments: 0 });
      expect(stored.outbox.filter((e) => e.kind === 'ORDER_SHIPPED')).toEqual([
        expect.objectContaining({ id: `ORDER_SHIPPED:${input.outTradeNo}`, outTradeNo: input.outTradeNo }),
      ]);
      expect(stored.alertsPending).toBe(true);
      const calls = await uploadsOf(input.outTradeNo);
      expect(calls.map((c) => c.answer)).toEqual(['ok']);
      expect(calls[0]!.body).toMatchObject({
        order_key: { order_number_type: 2, transaction_id: stored.transactionId },
        logistics_type: input.logisticsType,
        delivery_mode: 1,
        payer: { openid: stored._openid },
        upload_time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+08:00$/),
      });
    }
    // Per ship: merchant check, order read, the SHIPPED update, the upload outcome update.
    expect(runs.records().map((r) => [r.outcome, r.dbRequests])).toEqual(inputs.map(() => ['ok', 4]));
    const first = (await uploadsOf(orders[0]!))[0]!.body as { shipping_list: unknown[] };
    expect(first.shipping_list).toEqual([
      { tracking_no: 'ZT7700112233', express_company: 'ZTO', item_desc: '拿铁咖啡*2' },
    ]);
    // The customer's own view carries the shipment.
    const view = ok(
      await s.call<OrderView>('createPayment', { action: 'get', outTradeNo: orders[0] }, 'o-ship-kinds-1'),
    );
    expect(view.shipment).toMatchObject({
      status: 'SHIPPED',
      expressCompany: 'ZTO',
      trackingNo: 'ZT7700112233',
    });
  });

  it('refuses a missing tracking number and SF without a contact, changing nothing', async () => {
    const id = await s.paidOrderNo('o-ship-refused');
    const noTracking = await ship({ outTradeNo: id, logisticsType: 1, expressCompany: 'YTO' });
    expect(noTracking).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    const sfBare = await ship({ ...express(id, 'SF1400012345678'), expressCompany: 'SF' });
    expect(sfBare).toMatchObject({
      ok: false,
      error: { code: 'INVALID_INPUT', message: expect.stringMatching(/SF/) },
    });
    const unknown = await ship({ ...express(id), expressCompany: 'NOPE' });
    expect(unknown).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    expect((await s.order(id)).fulfilment).toBeUndefined();
    expect(await uploadsOf(id)).toEqual([]);
    // SF with a phone: stored and sent masked, last 4 digits visible.
    const sf = ok(
      await ship({ ...express(id, 'SF1400012345678'), expressCompany: 'SF', receiverContact: '13812345678' }),
    );
    expect(sf.shipment.receiverContact).toBe('138****5678');
    const [call] = await uploadsOf(id);
    expect(call!.body).toMatchObject({ shipping_list: [{ contact: { receiver_contact: '138****5678' } }] });
    expect(JSON.stringify(await s.order(id))).not.toContain('13812345678');
  });

  it('uploads right after payment: 10060001, PENDING; reconcile retries after the delay → UPLOADED', async () => {
    const id = await s.paidOrderNo('o-ship-early');
    s.emulator.shipping.configure({ indexDelayMs: INDEX_DELAY_MS });
    try {
      const r = ok(await ship(express(id)));
      expect(r.changed).toBe(true);
      expect(r.shipment.status).toBe('SHIPPED');
      expect(r.shipment.upload).toMatchObject({
        status: 'PENDING',
        attempts: 1,
        lastError: expect.stringContaining('10060001'),
      });
      // Not due yet: reconcile leaves it alone.
      await s.reconcile();
      expect((await s.order(id)).fulfilment?.upload).toMatchObject({ status: 'PENDING', attempts: 1 });
      await sleep(INDEX_DELAY_MS + 200);
      await s.reconcile();
    } finally {
      s.emulator.shipping.configure({ indexDelayMs: 0 });
    }
    const stored = await s.order(id);
    expect(stored.fulfilment?.upload).toMatchObject({ status: 'UPLOADED', attempts: 2 });
    expect((await uploadsOf(id)).map((c) => c.answer)).toEqual([10060001, 'ok']);
    expect(stored.outbox.filter((e) => e.kind === 'ORDER_SHIPPED')).toHaveLength(1);
  });

  it('a customer cannot ship (NOT_MERCHANT), nor can anyone ship an unpaid order', async () => {
    const id = await s.paidOrderNo('o-ship-self');
    expect(await ship(express(id), 'o-ship-self')).toMatchObject({
      ok: false,
      error: { code: 'NOT_MERCHANT' },
    });
    expect((await s.order(id)).fulfilment).toBeUndefined();
    const unpaid = await s.create('o-ship-unpaid', [{ productId: 'latte', quantity: 1 }]);
    expect(await ship(express(unpaid.outTradeNo))).toMatchObject({
      ok: false,
      error: { code: 'ORDER_NOT_SHIPPABLE' },
    });
    expect(await s.call('fulfilOrder', { action: 'ship', ...express(id) })).toMatchObject({
      ok: false,
      error: { code: 'UNAUTHENTICATED' },
    });
  });

  it('20 concurrent ship taps: one shipment, one alert, one upload', async () => {
    const id = await s.paidOrderNo('o-ship-race');
    await Promise.all(Array.from({ length: 10 }, () => fulfil({ action: 'warm-up' }, MERCHANT)));
    const answers = await Promise.all(Array.from({ length: 20 }, () => ship(express(id, 'YD9988776655'))));
    const data = answers.map(ok);
    expect(data.filter((d) => d.changed)).toHaveLength(1);
    for (const d of data) expect(d.shipment).toMatchObject({ status: 'SHIPPED', trackingNo: 'YD9988776655' });
    const stored = await s.order(id);
    expect(stored.outbox.filter((e) => e.kind === 'ORDER_SHIPPED')).toHaveLength(1);
    expect(stored.outboxSeq).toBe(stored.outbox.length);
    expect((await uploadsOf(id)).map((c) => c.answer)).toEqual(['ok']);
  });
});

describe('amend', () => {
  it('amends once (WeChat receives the modification); a second amend is refused', async () => {
    const id = await s.paidOrderNo('o-amend');
    ok(await ship(express(id, 'ZT0000000001')));
    const amend = (trackingNo: string) =>
      fulfil<FulfilmentChange<MerchantShipmentView>>(
        { action: 'amend', ...express(id, trackingNo), expressCompany: 'STO' },
        MERCHANT,
      );
    const first = ok(await amend('ST0000000002'));
    expect(first).toMatchObject({
      changed: true,
      shipment: { amended: true, expressCompany: 'STO', trackingNo: 'ST0000000002' },
    });
    expect(first.shipment.upload).toMatchObject({ status: 'UPLOADED', attempts: 1 });
    expect(await amend('ST0000000003')).toMatchObject({ ok: false, error: { code: 'AMENDMENT_USED' } });
    const wx = (await s.shippingOrders()).find((o) => o.outTradeNo === id)!;
    expect(
      wx.shipments.map((x) => (x.shipping_list as Array<{ tracking_no: string }>)[0]!.tracking_no),
    ).toEqual(['ZT0000000001', 'ST0000000002']);
    expect((await s.order(id)).fulfilment).toMatchObject({
      amendments: 1,
      trackingNo: 'ST0000000002',
      upload: { version: 2 },
    });
    // amending an unshipped order is refused too
    const other = await s.paidOrderNo('o-amend-unshipped');
    expect(await fulfil({ action: 'amend', ...express(other) }, MERCHANT)).toMatchObject({
      ok: false,
      error: { code: 'ORDER_NOT_SHIPPED' },
    });
  });
});

describe('amend races', () => {
  it('5 concurrent amends: one wins and is uploaded, the others get AMENDMENT_USED', async () => {
    const id = await s.paidOrderNo('o-amend-race');
    ok(await ship(express(id, 'ZT0000000010')));
    const answers = await Promise.all(
      Array.from({ length: 5 }, (_, i) =>
        fulfil<FulfilmentChange<MerchantShipmentView>>(
          { action: 'amend', ...express(id, `ZT00000001${i}`) },
          MERCHANT,
        ),
      ),
    );
    expect(answers.filter((a) => a.ok)).toHaveLength(1);
    expect(answers.filter((a) => !a.ok && a.error.code === 'AMENDMENT_USED')).toHaveLength(4);
    const wx = (await s.shippingOrders()).find((o) => o.outTradeNo === id)!;
    expect(wx.shipments).toHaveLength(2);
    expect(wx.calls.map((c) => c.answer)).toEqual(['ok', 'ok']);
  });
});

describe('receipt', () => {
  it("B cannot confirm A's order; A confirms → RECEIVED; a repeat changes nothing", async () => {
    const id = await s.paidOrderNo('o-buyer-a');
    const confirm = (openid: string) =>
      fulfil<FulfilmentChange<ShipmentView>>({ action: 'confirmReceipt', outTradeNo: id }, openid);
    expect(await confirm('o-buyer-a')).toMatchObject({ ok: false, error: { code: 'ORDER_NOT_SHIPPED' } });
    ok(await ship({ outTradeNo: id, logisticsType: 4 }));
    expect(await confirm('o-buyer-b')).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    expect((await s.order(id)).fulfilment?.status).toBe('SHIPPED');
    expect(ok(await confirm('o-buyer-a'))).toMatchObject({ changed: true, shipment: { status: 'RECEIVED' } });
    expect(ok(await confirm('o-buyer-a'))).toMatchObject({
      changed: false,
      shipment: { status: 'RECEIVED' },
    });
    expect((await s.order(id)).fulfilment).toMatchObject({ status: 'RECEIVED', receivedBy: 'customer' });
  });

  it('the buyer confirms inside WeChat: reconcile learns it from getOrder (order_state 3) → RECEIVED', async () => {
    const id = await s.paidOrderNo('o-buyer-wechat');
    ok(await ship(express(id, 'JT5500000001')));
    await sleep(1100);
    await s.reconcile();
    expect((await s.order(id)).fulfilment?.status).toBe('SHIPPED');
    expect((await s.confirmReceiptInWeChat(id)).status).toBe(200);
    await sleep(1100);
    await s.reconcile();
    expect((await s.order(id)).fulfilment).toMatchObject({ status: 'RECEIVED', receivedBy: 'wechat' });
  });
});

describe('payment status and fulfilment', () => {
  it('ships a PARTIALLY_REFUNDED order, refuses a REFUNDED one; a shipped order stays PAID (refundable)', async () => {
    const partial = await s.paidOrderNo('o-refund-partial');
    const full = await s.paidOrderNo('o-refund-full');
    await s.patchOrder(partial, { status: 'PARTIALLY_REFUNDED', refundedFee: 100 });
    await s.patchOrder(full, { status: 'REFUNDED', refundedFee: 3600 });
    expect(ok(await ship(express(partial))).changed).toBe(true);
    expect(await ship(express(full))).toMatchObject({ ok: false, error: { code: 'ORDER_NOT_SHIPPABLE' } });
    const shipped = await s.paidOrderNo('o-refund-after-ship');
    ok(await ship({ outTradeNo: shipped, logisticsType: 3 }));
    // The refund use case accepts PAID / PARTIALLY_REFUNDED orders: fulfilment never changes the payment status.
    expect(await s.order(shipped)).toMatchObject({ status: 'PAID', fulfilment: { status: 'SHIPPED' } });
  });

  it('a refund after shipping still works end to end: request → approve → WeChat → REFUNDED, shipment kept', async () => {
    const buyer = 'o-refund-shipped';
    const no = await s.paidOrderNo(buyer);
    ok(await ship(express(no, 'ZT7700998877')));
    const asked = ok(
      await s.refundCall<RefundChange>('request', { outTradeNo: no, reason: '收到后不想要了' }, buyer),
    );
    ok(await s.refundCall<RefundChange>('approve', { refundId: asked.refund.refundId }, MERCHANT));
    await s.sandbox.control.advanceClock(10_000); // WeChat finishes the refund and notifies
    await s.sandbox.control.idle();
    expect(await s.refund(asked.refund.refundId)).toMatchObject({ status: 'SUCCESS' });
    expect(await s.order(no)).toMatchObject({
      status: 'REFUNDED',
      refundedFee: 3600,
      fulfilment: { status: 'SHIPPED', trackingNo: 'ZT7700998877' },
    });
  });
});

describe('merchant status and anomalies', () => {
  it("status: enrolment, orders awaiting shipment oldest first with their age; customers can't read it", async () => {
    const older = await s.paidOrderNo('o-status-1');
    const newer = await s.paidOrderNo('o-status-2');
    const paidAt = Date.now() - 50 * 3600_000;
    await s.patchOrder(older, { paidAt });
    const st = ok(await fulfil<FulfilmentStatusView>({ action: 'status' }, MERCHANT));
    expect(st.tradeManaged).toBe(true);
    const ids = st.awaitingShipment.map((a) => a.outTradeNo);
    expect(ids.indexOf(older)).toBeLessThan(ids.indexOf(newer));
    expect(st.awaitingShipment.find((a) => a.outTradeNo === older)).toMatchObject({
      ageHours: 50,
      late: true,
    });
    expect(st.awaitingShipment.find((a) => a.outTradeNo === newer)).toMatchObject({
      ageHours: 0,
      late: false,
    });
    expect(await fulfil({ action: 'status' }, 'o-status-1')).toMatchObject({
      ok: false,
      error: { code: 'NOT_MERCHANT' },
    });
  });

  it('raises ORDER_UNSHIPPED_LATE once for an order unshipped past 48 h; shipping still works', async () => {
    const id = await s.paidOrderNo('o-late');
    await s.patchOrder(id, { paidAt: Date.now() - 49 * 3600_000 });
    await s.reconcile();
    await s.reconcile();
    const stored = await s.order(id);
    expect(stored.outbox.filter((e) => e.kind === 'ORDER_UNSHIPPED_LATE')).toEqual([
      expect.objectContaining({ id: `ORDER_UNSHIPPED_LATE:${id}` }),
    ]);
    expect(stored.fulfilment).toMatchObject({ status: 'UNSHIPPED', lateAlertedAt: expect.any(Number) });
    expect(ok(await ship(express(id))).shipment).toMatchObject({
      status: 'SHIPPED',
      upload: { status: 'UPLOADED' },
    });
    expect((await s.order(id)).fulfilment?.lateAlertedAt).toBe(stored.fulfilment?.lateAlertedAt);
  });

  it('an upload WeChat refuses for good → FAILED with SHIPPING_UPLOAD_FAILING raised once', async () => {
    const id = await s.paidOrderNo('o-upload-refused');
    s.emulator.shipping.configure({ tradeManaged: false });
    try {
      const r = ok(await ship(express(id)));
      expect(r.shipment.upload).toMatchObject({
        status: 'FAILED',
        lastError: expect.stringContaining('48001'),
      });
      await s.reconcile();
    } finally {
      s.emulator.shipping.configure({ tradeManaged: true });
    }
    const stored = await s.order(id);
    expect(stored.fulfilment?.upload).toMatchObject({ status: 'FAILED', attempts: 1, failingAlerted: true });
    expect(stored.outbox.filter((e) => e.kind === 'SHIPPING_UPLOAD_FAILING')).toEqual([
      expect.objectContaining({
        id: `SHIPPING_UPLOAD_FAILING:${id}`,
        detail: expect.stringContaining('48001'),
      }),
    ]);
    const st = ok(await fulfil<FulfilmentStatusView>({ action: 'status' }, MERCHANT));
    expect(st.uploadsFailed.map((u) => u.outTradeNo)).toContain(id);
  });
});
