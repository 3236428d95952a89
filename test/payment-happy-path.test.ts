/**
 * Happy path end to end (issue 6): create (NOTPAY, written before WeChat is called) → the sandbox pays →
 * WeChat's notification → PAID exactly once, with the outbox entry and history in the same update; the
 * database requests payNotify makes per delivery (first: one read + one write; duplicate: one read).
 * Run under both emulator context-keys modes (and both HTTP body encodings).
 */
import { NOTIFY_SUCCESS_XML, type OrderView, parseBeijingTime, sign } from '@shouyin/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EMULATOR_MODES, prepayIdOf, startTestStack, type TestStack } from './support/stack';

let s: TestStack;
beforeAll(async () => {
  s = await startTestStack();
});
afterAll(() => s?.stop());

describe.each(EMULATOR_MODES)('happy path ($name)', (mode) => {
  beforeAll(() => {
    s.emulator.configure({ contextKeysMode: mode.contextKeysMode, base64Bodies: mode.base64Bodies });
  });

  it('create → pay → notification → PAID, with one outbox entry and the history', async () => {
    const alice = `o-alice-${mode.contextKeysMode}`;
    const start = await s.create(alice, [
      { productId: 'latte', quantity: 2 },
      { productId: 'croissant', quantity: 1 },
    ]);
    expect(start.totalFee).toBe(2 * 1800 + 1200);

    // What wx.requestPayment takes: appId signed but not passed (spec §2.4), the order's sign type.
    expect(Object.keys(start.payment).sort()).toEqual([
      'nonceStr',
      'package',
      'paySign',
      'signType',
      'timeStamp',
    ]);
    expect(start.payment.signType).toBe('MD5');
    const { paySign, ...signed } = start.payment;
    expect(paySign).toBe(sign({ appId: s.merchant.appid, ...signed }, s.merchant.apiKey, 'MD5'));

    // The order is stored NOTPAY with the exact unifiedorder parameters WeChat received.
    const created = await s.order(start.outTradeNo);
    expect(created).toMatchObject({
      _openid: alice,
      status: 'NOTPAY',
      totalFee: 4800,
      signType: 'MD5',
      prepayId: prepayIdOf(start),
      outbox: [],
      lines: [
        { productId: 'latte', name: '拿铁咖啡', unitFee: 1800, quantity: 2, lineFee: 3600 },
        { productId: 'croissant', name: '黄油可颂', unitFee: 1200, quantity: 1, lineFee: 1200 },
      ],
    });
    expect(created.history).toEqual([
      { from: null, to: 'NOTPAY', by: 'customer', at: created.createdAt, why: 'order created' },
    ]);
    const atWeChat = await s.sandboxOrder(start.outTradeNo);
    expect(atWeChat).toMatchObject({ state: 'NOTPAY', totalFee: 4800, openid: alice, signType: 'MD5' });
    expect(atWeChat!.prepayId).toBe(prepayIdOf(start));
    const { notify_url, time_expire, body } = atWeChat!.params;
    expect({ notify_url, time_expire, body }).toEqual({
      notify_url: created.unifiedOrder.notify_url,
      time_expire: created.unifiedOrder.time_expire,
      body: '拿铁咖啡 等3件',
    });
    expect(parseBeijingTime(time_expire!)).toBe(created.expireAt);
    expect(created.expireAt - created.createdAt).toBeGreaterThanOrEqual(29 * 60_000);

    const notify = s.track('payNotify');
    await s.pay(start);

    const paid = await s.order(start.outTradeNo);
    const wx = (await s.sandboxOrder(start.outTradeNo))!;
    expect(wx.state).toBe('SUCCESS');
    expect(paid.status).toBe('PAID');
    expect(paid.transactionId).toBe(wx.transactionId);
    expect(paid.paidAt).toBe(parseBeijingTime(wx.timeEnd!));
    expect(paid.outbox).toEqual([
      {
        id: `ORDER_PAID:${start.outTradeNo}`,
        kind: 'ORDER_PAID',
        at: expect.any(Number),
        outTradeNo: start.outTradeNo,
        totalFee: 4800,
        transactionId: wx.transactionId,
      },
    ]);
    expect(paid.history).toHaveLength(2);
    expect(paid.history[1]).toEqual({
      from: 'NOTPAY',
      to: 'PAID',
      by: 'wechat-notification',
      at: paid.outbox[0]!.at,
      why: `WeChat Pay notification ${wx.transactionId}`,
    });

    // WeChat got the exact SUCCESS reply on its first attempt.
    const deliveries = await s.sandbox.control.listDeliveries({ outTradeNo: start.outTradeNo });
    expect(deliveries).toMatchObject([{ attempt: 1, outcome: 'success', httpStatus: 200 }]);
    expect(deliveries[0]!.reply).toBe(NOTIFY_SUCCESS_XML);

    // One invocation: one read (the order) and one write (the conditional update with outbox + history).
    expect(notify.records().map((r) => [r.outcome, r.dbRequests])).toEqual([['ok', 2]]);

    // The customer sees it paid; confirm after the fact changes nothing.
    const got = await s.call<OrderView>(
      'createPayment',
      { action: 'get', outTradeNo: start.outTradeNo },
      alice,
    );
    expect(got).toMatchObject({ ok: true, data: { status: 'PAID', transactionId: wx.transactionId } });
    const confirmed = await s.call<OrderView>(
      'createPayment',
      { action: 'confirm', outTradeNo: start.outTradeNo },
      alice,
    );
    expect(confirmed).toMatchObject({ ok: true, data: { status: 'PAID' } });
    expect(await s.order(start.outTradeNo)).toEqual(paid);
    const resumed = await s.call('createPayment', { action: 'resume', outTradeNo: start.outTradeNo }, alice);
    expect(resumed).toMatchObject({ ok: false, error: { code: 'ORDER_ALREADY_PAID' } });
  });

  it('a duplicate notification from WeChat: SUCCESS, nothing changes, one database read', async () => {
    const bob = `o-bob-${mode.contextKeysMode}`;
    const start = await s.create(bob, [{ productId: 'americano', quantity: 1 }]);
    // WeChat sends the same notification twice (byte-identical, its own retries).
    await s.sandbox.control.injectFault({ target: 'pay-notify', kind: 'duplicate' });
    const notify = s.track('payNotify');
    await s.pay(start);

    const deliveries = await s.sandbox.control.listDeliveries({ outTradeNo: start.outTradeNo });
    expect(deliveries.map((d) => [d.outcome, d.reply])).toEqual([
      ['success', NOTIFY_SUCCESS_XML],
      ['success', NOTIFY_SUCCESS_XML],
    ]);
    expect(new Set(deliveries.map((d) => d.notificationId)).size).toBe(2);
    expect(notify.records().map((r) => [r.outcome, r.dbRequests])).toEqual([
      ['ok', 2],
      ['ok', 1],
    ]);
    const order = await s.order(start.outTradeNo);
    expect(order.status).toBe('PAID');
    expect(order.outbox).toHaveLength(1);
    expect(order.history.map((h) => h.to)).toEqual(['NOTPAY', 'PAID']);
  });

  it('confirm settles at once from orderquery when the notification has not come', async () => {
    const carol = `o-carol-${mode.contextKeysMode}`;
    const start = await s.create(carol, [{ productId: 'cheesecake', quantity: 1 }]);
    await s.sandbox.control.injectFault({ target: 'pay-notify', kind: 'delay', delayMs: 15_000 });
    await s.pay(start);
    expect((await s.order(start.outTradeNo)).status).toBe('NOTPAY');

    const confirmed = await s.call<OrderView>(
      'createPayment',
      { action: 'confirm', outTradeNo: start.outTradeNo },
      carol,
    );
    const wx = (await s.sandboxOrder(start.outTradeNo))!;
    expect(confirmed).toMatchObject({ ok: true, data: { status: 'PAID', transactionId: wx.transactionId } });

    // The late notification arrives: a duplicate, answered SUCCESS, with one read.
    const notify = s.track('payNotify');
    await s.sandbox.control.advanceClock(15_000);
    await s.sandbox.control.idle();
    expect(notify.records().map((r) => [r.outcome, r.dbRequests])).toEqual([['ok', 1]]);
    const order = await s.order(start.outTradeNo);
    expect(order.history.map((h) => [h.from, h.to, h.by])).toEqual([
      [null, 'NOTPAY', 'customer'],
      ['NOTPAY', 'PAID', 'confirm'],
    ]);
    expect(order.outbox).toHaveLength(1);
    expect((await s.sandbox.control.listDeliveries({ outTradeNo: start.outTradeNo }))[0]).toMatchObject({
      outcome: 'success',
      reply: NOTIFY_SUCCESS_XML,
    });
  });
});
