/**
 * reconcile (timer trigger, payment side), fired over HTTP as the timer would: a lost notification is
 * settled from orderquery; an expired order is closed at WeChat and locally (never before WeChat's 5-minute
 * rule); a notification racing reconcile — or two runs at once — ends in one transition and one outbox
 * entry; a paid notice for an order closed locally is PAID and flagged; a mini-program user cannot run it.
 *
 * Function time is real time, the sandbox's is manual: "a few minutes later" is made by backdating the
 * order's createdAt/expireAt in the database and, where WeChat's own clock matters, advancing the sandbox's.
 */
import { FIRST_CHECK_AFTER_MS, NOTIFY_SUCCESS_XML, type OrderView } from '@shouyin/shared';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { EMULATOR_MODES, startTestStack, type TestStack } from './support/stack';

const MINUTE = 60_000;

let s: TestStack;
beforeAll(async () => {
  s = await startTestStack();
});
afterEach(() => s.sandbox.control.clearFaults());
afterAll(() => s?.stop());

/** Makes an order look `minutes` old to the functions (its first check, 2 minutes in, moves with it). */
async function age(outTradeNo: string, minutes: number, expired = false): Promise<void> {
  const now = Date.now();
  await s.patchOrder(outTradeNo, {
    createdAt: now - minutes * MINUTE,
    nextCheckAt: now - minutes * MINUTE + FIRST_CHECK_AFTER_MS,
    ...(expired ? { expireAt: now - MINUTE } : {}),
  });
}

describe.each(EMULATOR_MODES)('a lost notification ($name)', (mode) => {
  beforeAll(() => {
    s.emulator.configure({ contextKeysMode: mode.contextKeysMode, base64Bodies: mode.base64Bodies });
  });

  it('reconcile settles the order from orderquery; a mini-program user cannot run reconcile', async () => {
    const customer = `o-lost-${mode.contextKeysMode}`;
    const start = await s.create(customer, [{ productId: 'latte', quantity: 1 }]);
    await s.sandbox.control.injectFault({ target: 'pay-notify', kind: 'drop' });
    await s.pay(start);
    const wx = (await s.sandboxOrder(start.outTradeNo))!;
    expect(wx.state).toBe('SUCCESS');
    expect(await s.sandbox.control.listNotifications({ outTradeNo: start.outTradeNo })).toMatchObject([
      { state: 'dropped' },
    ]);
    expect((await s.order(start.outTradeNo)).status).toBe('NOTPAY');

    // Too young: left to its notification.
    expect(await s.reconcile()).toMatchObject({ scanned: 0, paid: 0 });
    await age(start.outTradeNo, 3);
    const before = await s.order(start.outTradeNo);

    // A mini-program user calling reconcile is refused, and nothing happens.
    for (const who of [customer, 'o-mallory']) {
      expect(await s.call('reconcile', {}, who)).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    }
    expect(await s.order(start.outTradeNo)).toEqual(before);

    expect(await s.reconcile()).toMatchObject({ scanned: 1, paid: 1, closed: 0, failed: 0 });
    const paid = await s.order(start.outTradeNo);
    expect(paid).toMatchObject({ status: 'PAID', transactionId: wx.transactionId });
    expect(paid.history.at(-1)).toMatchObject({
      from: 'NOTPAY',
      to: 'PAID',
      by: 'reconcile',
      why: `WeChat Pay query ${wx.transactionId}`,
    });
    expect(paid.outbox).toEqual([
      expect.objectContaining({ kind: 'ORDER_PAID', transactionId: wx.transactionId }),
    ]);

    // Nothing left to do; WeChat's late notification is a duplicate.
    expect(await s.reconcile()).toMatchObject({ scanned: 0 });
    const late = s.notificationFor(paid, { transactionId: wx.transactionId, timeEnd: wx.timeEnd });
    expect((await s.postNotify(late.xml)).body).toBe(NOTIFY_SUCCESS_XML);
    expect(await s.order(start.outTradeNo)).toEqual(paid);
  });
});

describe('expiry', () => {
  it('an expired order is closed at WeChat and locally, never before WeChat’s 5-minute rule', async () => {
    const start = await s.create('o-late', [{ productId: 'croissant', quantity: 2 }]);
    await age(start.outTradeNo, 31, true);

    // WeChat created it moments ago (its clock): closeorder is refused, the order stays as it is.
    expect(await s.reconcile()).toMatchObject({ scanned: 1, closed: 0, failed: 1 });
    expect((await s.order(start.outTradeNo)).status).toBe('NOTPAY');
    expect((await s.sandboxOrder(start.outTradeNo))!.state).toBe('NOTPAY');
    // The failed close moved the order's next check into the future: not retried at once.
    const retryAt = (await s.order(start.outTradeNo)).nextCheckAt!;
    expect(retryAt).toBeGreaterThan(Date.now());
    expect(await s.reconcile()).toMatchObject({ scanned: 0 });

    await s.sandbox.control.advanceClock(5 * MINUTE + 1000);
    await s.patchOrder(start.outTradeNo, { nextCheckAt: Date.now() }); // its back-off has passed
    expect(await s.reconcile()).toMatchObject({ scanned: 1, closed: 1, failed: 0 });
    const closed = await s.order(start.outTradeNo);
    expect(closed).toMatchObject({ status: 'CLOSED', closeReason: 'expired; closed at WeChat' });
    expect(closed.history.at(-1)).toMatchObject({ from: 'NOTPAY', to: 'CLOSED', by: 'reconcile' });
    expect(closed.outbox).toEqual([]);
    expect((await s.sandboxOrder(start.outTradeNo))!.state).toBe('CLOSED');

    // It can no longer be paid, neither at WeChat nor through resume.
    await expect(s.sandbox.control.pay({ outTradeNo: start.outTradeNo })).rejects.toThrow();
    expect(
      await s.call('createPayment', { action: 'resume', outTradeNo: start.outTradeNo }, 'o-late'),
    ).toMatchObject({ ok: false, error: { code: 'ORDER_CLOSED' } });
    expect(await s.reconcile()).toMatchObject({ scanned: 0 });
  });

  it('an expired order WeChat never saw (unifiedorder failed) is closed locally', async () => {
    await s.sandbox.control.injectFault({ target: 'unifiedorder', kind: 'reset', count: 5 });
    const a = await s.call<never>(
      'createPayment',
      { action: 'create', items: [{ productId: 'latte', quantity: 1 }], requestId: 'never-seen-1' },
      'o-unseen',
    );
    expect(a).toMatchObject({ ok: false, error: { code: 'PAYMENT_PENDING' } });
    await s.sandbox.control.clearFaults();
    const [order] = (await s.orders()).filter((o) => o._openid === 'o-unseen');
    expect(order).toMatchObject({ status: 'NOTPAY' });
    expect(order!.prepayId).toBeUndefined();
    expect(await s.sandboxOrder(order!._id)).toBeUndefined();

    await age(order!._id, 31, true);
    expect(await s.reconcile()).toMatchObject({ scanned: 1, closed: 1 });
    expect(await s.order(order!._id)).toMatchObject({
      status: 'CLOSED',
      closeReason: 'expired; unknown to WeChat',
    });
  });
});

describe('races', () => {
  it('notifications arriving while two reconcile runs settle the same orders → one transition each', async () => {
    const n = 4;
    await s.sandbox.control.injectFault({ target: 'pay-notify', kind: 'delay', delayMs: MINUTE, count: n });
    const starts = [];
    for (let i = 0; i < n; i++)
      starts.push(await s.create(`o-race-${i}`, [{ productId: 'latte', quantity: i + 1 }]));
    for (const start of starts) await s.pay(start);
    for (const start of starts) {
      expect((await s.order(start.outTradeNo)).status).toBe('NOTPAY');
      await age(start.outTradeNo, 3);
    }

    await s.warmUp();
    // WeChat's held notifications go out (sandbox clock) while two reconcile runs query the same orders.
    const [r1, r2] = await Promise.all([
      s.reconcile(),
      s.reconcile(),
      s.sandbox.control.advanceClock(MINUTE).then(() => s.sandbox.control.idle()),
    ]);
    expect(r1.failed + r2.failed).toBe(0);
    for (const start of starts) {
      const order = await s.order(start.outTradeNo);
      const wx = (await s.sandboxOrder(start.outTradeNo))!;
      expect(order).toMatchObject({ status: 'PAID', transactionId: wx.transactionId });
      expect(order.history.filter((h) => h.to === 'PAID')).toHaveLength(1);
      expect(order.outbox).toEqual([
        expect.objectContaining({
          kind: 'ORDER_PAID',
          outTradeNo: start.outTradeNo,
          transactionId: wx.transactionId,
        }),
      ]);
      const deliveries = await s.sandbox.control.listDeliveries({ outTradeNo: start.outTradeNo });
      expect(deliveries.map((d) => d.reply)).toEqual([NOTIFY_SUCCESS_XML]);
    }
  });

  it('a notification POSTed while reconcile settles the same order → one transition, one outbox entry', async () => {
    const start = await s.create('o-race-post', [{ productId: 'cheesecake', quantity: 1 }]);
    await s.sandbox.control.injectFault({ target: 'pay-notify', kind: 'drop' });
    await s.pay(start);
    await age(start.outTradeNo, 3);
    const wx = (await s.sandboxOrder(start.outTradeNo))!;
    const { xml } = s.notificationFor(await s.order(start.outTradeNo), {
      transactionId: wx.transactionId,
      timeEnd: wx.timeEnd,
    });
    await s.warmUp();
    const [summary, ...replies] = await Promise.all([
      s.reconcile(),
      s.postNotify(xml),
      s.postNotify(xml),
      s.postNotify(xml),
    ]);
    expect(summary.failed).toBe(0);
    expect(replies.map((r) => r.body)).toEqual([NOTIFY_SUCCESS_XML, NOTIFY_SUCCESS_XML, NOTIFY_SUCCESS_XML]);
    const order = await s.order(start.outTradeNo);
    expect(order.status).toBe('PAID');
    expect(order.history.filter((h) => h.to === 'PAID')).toHaveLength(1);
    expect(order.outbox).toHaveLength(1);
  });
});

describe('paid after close', () => {
  it('a paid notice for an order CLOSED locally → PAID, flagged, with the alert in the outbox', async () => {
    const start = await s.create('o-closed', [{ productId: 'americano', quantity: 1 }]);
    const open = await s.order(start.outTradeNo);
    // Closed here (e.g. our close never reached WeChat) while the customer still paid at WeChat.
    const closedAt = Date.now();
    await s.patchOrder(start.outTradeNo, {
      status: 'CLOSED',
      closeReason: 'closed locally by the test',
      closedAt,
      history: [
        ...open.history,
        { from: 'NOTPAY', to: 'CLOSED', by: 'reconcile', at: closedAt, why: 'closed locally by the test' },
      ],
    });
    const notify = s.track('payNotify');
    await s.pay(start);

    const wx = (await s.sandboxOrder(start.outTradeNo))!;
    const paid = await s.order(start.outTradeNo);
    expect(paid).toMatchObject({ status: 'PAID', paidAfterClose: true, transactionId: wx.transactionId });
    expect(paid.history.at(-1)).toMatchObject({ from: 'CLOSED', to: 'PAID', by: 'wechat-notification' });
    expect(paid.outbox).toEqual([
      {
        id: `ORDER_PAID_AFTER_CLOSE:${start.outTradeNo}`,
        kind: 'ORDER_PAID_AFTER_CLOSE',
        at: expect.any(Number),
        outTradeNo: start.outTradeNo,
        totalFee: 1500,
        transactionId: wx.transactionId,
      },
    ]);
    const records = notify.records();
    expect(records.map((r) => [r.outcome, r.dbRequests])).toEqual([['ok', 2]]);
    expect(records[0]!.logs.join('\n')).toContain('"outcome":"paid-after-close"');
    expect((await s.sandbox.control.listDeliveries({ outTradeNo: start.outTradeNo }))[0]!.reply).toBe(
      NOTIFY_SUCCESS_XML,
    );
    const view = await s.call<OrderView>(
      'createPayment',
      { action: 'get', outTradeNo: start.outTradeNo },
      'o-closed',
    );
    expect(view).toMatchObject({ ok: true, data: { status: 'PAID', paidAfterClose: true } });
  });
});
