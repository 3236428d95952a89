/**
 * Refunds end to end, through the emulator (applyRefund, refundNotify, createPayment) and the sandbox over
 * HTTP: a full refund (request → merchant approval → mTLS refund → WeChat's notification → REFUNDED), two
 * partial refunds up to the total and a third refused, and who may do what.
 */
import { beijingTime, NOTIFY_SUCCESS_XML, type OrderView, type RefundChange } from '@shouyin/shared';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { MERCHANT_OPENID, startTestStack, type TestStack } from './support/stack';

const MINUTE = 60_000;
let s: TestStack;
beforeAll(async () => {
  s = await startTestStack();
});
afterEach(() => s.sandbox.control.clearFaults());
afterAll(() => s?.stop());

/** Lets the sandbox finish its PROCESSING refunds (10 s virtual) and deliver the notifications. */
async function wechatFinishesRefunds(): Promise<void> {
  await s.sandbox.control.advanceClock(10_000);
  await s.sandbox.control.idle();
}

describe('a full refund', () => {
  it('request → approve → WeChat accepts → notification → SUCCESS and REFUNDED, one alert each step', async () => {
    const alice = 'o-refund-alice';
    const order = await s.paidOrder(alice, [{ productId: 'latte', quantity: 2 }]);

    const asked = await s.refundCall<RefundChange>(
      'request',
      { outTradeNo: order._id, reason: '不想要了' },
      alice,
    );
    expect(asked).toMatchObject({
      ok: true,
      data: {
        changed: true,
        refund: { status: 'REQUESTED', label: '待审核', refundFee: 3600, requestedBy: 'customer' },
      },
    });
    if (!asked.ok) return;
    const id = asked.data.refund.refundId;
    const requested = await s.refund(id);
    expect(requested.outbox).toEqual([
      expect.objectContaining({ id: `REFUND_REQUESTED:${id}`, kind: 'REFUND_REQUESTED', refundFee: 3600 }),
    ]);
    expect(requested).toMatchObject({ alertsPending: true, outboxSeq: 1 });
    expect(await s.order(order._id)).toMatchObject({ status: 'PAID', reservedFee: 3600, refundedFee: 0 });

    // The customer sees it on the order; a second request while it is open is refused.
    const got = await s.call<OrderView>('createPayment', { action: 'get', outTradeNo: order._id }, alice);
    expect(got).toMatchObject({ ok: true, data: { refundLabel: '待审核', refunds: [{ refundId: id }] } });
    expect(await s.refundCall('request', { outTradeNo: order._id, reason: 'again' }, alice)).toMatchObject({
      ok: false,
      error: { code: 'REFUND_IN_PROGRESS' },
    });

    const approved = await s.refundCall<RefundChange>('approve', { refundId: id }, MERCHANT_OPENID);
    expect(approved).toMatchObject({ ok: true, data: { changed: true, refund: { status: 'PROCESSING' } } });
    const [wx] = await s.sandboxRefunds({ outRefundNo: id });
    expect(wx).toMatchObject({ status: 'PROCESSING', refundFee: 3600, totalFee: 3600, source: 'API' });
    expect((await s.refund(id)).refundId).toBe(wx!.refundId);

    const notify = s.track('refundNotify');
    await wechatFinishesRefunds();
    expect(notify.records().map((r) => [r.outcome, r.dbRequests])).toEqual([['ok', 4]]);
    const deliveries = await s.sandbox.control.listDeliveries({ outRefundNo: id });
    expect(deliveries.map((d) => d.reply)).toEqual([NOTIFY_SUCCESS_XML]);

    const done = await s.refund(id);
    expect(done).toMatchObject({ status: 'SUCCESS', outboxSeq: 2, recvAccount: '支付用户零钱' });
    expect(done.outbox.map((e) => e.id)).toEqual([`REFUND_REQUESTED:${id}`, `REFUND_SUCCEEDED:${id}`]);
    expect(done.history.map((h) => [h.from, h.to, h.by])).toEqual([
      [null, 'REQUESTED', 'customer'],
      ['REQUESTED', 'PROCESSING', 'merchant'],
      ['PROCESSING', 'SUCCESS', 'wechat-notification'],
    ]);
    const refunded = await s.order(order._id);
    expect(refunded).toMatchObject({
      status: 'REFUNDED',
      refundedFee: 3600,
      reservedFee: 0,
      refundHolds: [],
    });
    expect(refunded.history.at(-1)).toMatchObject({
      from: 'PAID',
      to: 'REFUNDED',
      by: 'wechat-notification',
    });

    // A duplicate notification: SUCCESS, nothing changes, one database read.
    const again = s.track('refundNotify');
    const reply = await s.postRefundNotify(
      s.refundNotificationFor((await s.sandboxRefunds({ outRefundNo: id }))[0]!),
    );
    expect(reply.body).toBe(NOTIFY_SUCCESS_XML);
    expect(again.records().map((r) => [r.outcome, r.dbRequests])).toEqual([['ok', 1]]);
    expect(await s.refund(id)).toEqual(done);
    expect(await s.order(order._id)).toEqual(refunded);

    const page = await s.call<{ orders: OrderView[] }>('createPayment', { action: 'list' }, alice);
    expect(page.ok && page.data.orders.find((o) => o.outTradeNo === order._id)).toMatchObject({
      refundLabel: '退款完成',
      refunds: [{ refundId: id, status: 'SUCCESS', label: '退款完成' }],
    });
    const view = await s.call<OrderView>('createPayment', { action: 'get', outTradeNo: order._id }, alice);
    expect(view).toMatchObject({
      ok: true,
      data: { status: 'REFUNDED', refundedFee: 3600, refundLabel: '退款完成' },
    });
    // Approving again changes nothing and makes no second WeChat refund.
    expect(await s.refundCall('approve', { refundId: id }, MERCHANT_OPENID)).toMatchObject({
      ok: true,
      data: { changed: false, refund: { status: 'SUCCESS' } },
    });
    expect(await s.sandboxRefunds({ outTradeNo: order._id })).toHaveLength(1);
  });
});

describe('partial refunds', () => {
  it('two partial refunds up to the total, a third refused; WeChat’s one-minute rule defers, reconcile sends', async () => {
    const order = await s.paidOrder('o-refund-bob', [{ productId: 'americano', quantity: 2 }]);
    const first = await s.refundCall<RefundChange>(
      'start',
      { outTradeNo: order._id, refundFee: 1000, reason: '少送一杯' },
      MERCHANT_OPENID,
    );
    expect(first).toMatchObject({
      ok: true,
      data: { refund: { status: 'PROCESSING', requestedBy: 'merchant' } },
    });
    if (!first.ok) return;
    await wechatFinishesRefunds();
    expect(await s.order(order._id)).toMatchObject({
      status: 'PARTIALLY_REFUNDED',
      refundedFee: 1000,
      reservedFee: 0,
    });

    // The second within the minute: not sent, deferred; reconcile sends it once the minute has passed.
    const second = await s.refundCall<RefundChange>(
      'start',
      { outTradeNo: order._id, refundFee: 2000, reason: '整单退' },
      MERCHANT_OPENID,
    );
    expect(second).toMatchObject({ ok: true, data: { refund: { status: 'PROCESSING' } } });
    if (!second.ok) return;
    const id2 = second.data.refund.refundId;
    expect(second.data.refund.deferredUntil).toBeGreaterThan(Date.now());
    expect(await s.sandboxRefunds({ outRefundNo: id2 })).toEqual([]);

    // A third now would exceed what was paid (1000 refunded + 2000 reserved of 3000).
    expect(
      await s.refundCall('start', { outTradeNo: order._id, refundFee: 1, reason: 'x' }, MERCHANT_OPENID),
    ).toMatchObject({ ok: false, error: { code: 'REFUND_EXCEEDS_PAID' } });

    // A minute later, for us and for WeChat.
    await s.patchRefund(first.data.refund.refundId, { lastSentAt: Date.now() - 2 * MINUTE });
    await s.patchRefund(id2, { sendAfter: Date.now() - 1000, nextCheckAt: Date.now() - 1000 });
    await s.sandbox.control.advanceClock(MINUTE);
    expect(await s.reconcileRefunds()).toMatchObject({ scanned: 1, sent: 1, failed: 0 });
    await wechatFinishesRefunds();
    expect(await s.order(order._id)).toMatchObject({ status: 'REFUNDED', refundedFee: 3000, reservedFee: 0 });
    expect((await s.refund(id2)).status).toBe('SUCCESS');

    expect(
      await s.refundCall('start', { outTradeNo: order._id, refundFee: 1, reason: 'x' }, MERCHANT_OPENID),
    ).toMatchObject({ ok: false, error: { code: 'REFUND_EXCEEDS_PAID' } });
    expect(await s.sandboxRefunds({ outTradeNo: order._id })).toHaveLength(2);
  });
});

describe('who may do what', () => {
  it('customer A cannot request a refund of B’s order; a customer cannot approve, reject, start or retry', async () => {
    const order = await s.paidOrder('o-refund-carol', [{ productId: 'croissant', quantity: 1 }]);
    const before = await s.order(order._id);
    expect(
      await s.refundCall('request', { outTradeNo: order._id, reason: '不是我的' }, 'o-refund-mallory'),
    ).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    expect(await s.refundCall('request', { outTradeNo: order._id, reason: 'x' })).toMatchObject({
      ok: false,
      error: { code: 'UNAUTHENTICATED' },
    });
    const asked = await s.refundCall<RefundChange>(
      'request',
      { outTradeNo: order._id, reason: '买错了', refundFee: 500 },
      'o-refund-carol',
    );
    if (!asked.ok) throw new Error(asked.error.message);
    const refundId = asked.data.refund.refundId;
    for (const who of ['o-refund-carol', 'o-refund-mallory']) {
      for (const [action, data] of [
        ['approve', { refundId }],
        ['reject', { refundId, reason: 'no' }],
        ['start', { outTradeNo: order._id, refundFee: 100, reason: 'x' }],
        ['retry', { refundId }],
        ['queue', {}],
        ['get', { refundId }],
      ] as const) {
        expect(await s.refundCall(action, data, who)).toMatchObject({
          ok: false,
          error: { code: 'NOT_MERCHANT' },
        });
      }
    }
    // Another customer cannot cancel it; the owner can; nothing reached WeChat.
    expect(await s.refundCall('cancel', { refundId }, 'o-refund-mallory')).toMatchObject({
      ok: false,
      error: { code: 'REFUND_NOT_FOUND' },
    });
    expect(await s.refundCall('cancel', { refundId }, 'o-refund-carol')).toMatchObject({
      ok: true,
      data: { changed: true, refund: { status: 'CANCELLED' } },
    });
    expect(await s.refundCall('approve', { refundId }, MERCHANT_OPENID)).toMatchObject({
      ok: false,
      error: { code: 'REFUND_STATE' },
    });
    expect(await s.sandboxRefunds({ outTradeNo: order._id })).toEqual([]);
    const after = await s.order(order._id);
    expect(after).toMatchObject({ status: 'PAID', reservedFee: 0, refundedFee: 0, refundCount: 1 });
    expect(after.history).toEqual(before.history);

    // Bad input: clear errors, nothing written.
    for (const bad of [
      { outTradeNo: order._id, reason: '🙂 emoji' },
      { outTradeNo: order._id, reason: 'x'.repeat(81) },
      { outTradeNo: order._id, reason: 'ok', refundFee: 0 },
      { outTradeNo: order._id, reason: 'ok', refundFee: 1.5 },
      { outTradeNo: order._id, reason: '' },
    ]) {
      expect(await s.refundCall('request', bad, 'o-refund-carol')).toMatchObject({
        ok: false,
        error: { code: 'INVALID_INPUT' },
      });
    }
    // A reject with the reason: REJECTED, released.
    const again = await s.refundCall<RefundChange>(
      'request',
      { outTradeNo: order._id, reason: '再试' },
      'o-refund-carol',
    );
    if (!again.ok) throw new Error(again.error.message);
    expect(
      await s.refundCall(
        'reject',
        { refundId: again.data.refund.refundId, reason: '已食用' },
        MERCHANT_OPENID,
      ),
    ).toMatchObject({
      ok: true,
      data: { changed: true, refund: { status: 'REJECTED', rejectReason: '已食用' } },
    });
    expect(await s.order(order._id)).toMatchObject({ reservedFee: 0, refundCount: 2 });
    const queue = await s.refundCall<{ refunds: Array<{ refundId: string }> }>(
      'queue',
      { status: 'REJECTED' },
      MERCHANT_OPENID,
    );
    expect(queue).toMatchObject({ ok: true, data: { refunds: [{ refundId: again.data.refund.refundId }] } });
  });
});

describe("WeChat's limits, enforced before WeChat is called", () => {
  it('an order paid more than a year ago, or with 50 refunds, is refused; nothing reaches WeChat', async () => {
    const old = await s.paidOrder('o-refund-dave', [{ productId: 'latte', quantity: 1 }]);
    await s.patchOrder(old._id, { paidAt: Date.now() - 366 * 24 * 3600_000 });
    expect(
      await s.refundCall('request', { outTradeNo: old._id, reason: '太久了' }, 'o-refund-dave'),
    ).toMatchObject({ ok: false, error: { code: 'REFUND_NOT_ALLOWED' } });
    const many = await s.paidOrder('o-refund-dave', [{ productId: 'latte', quantity: 1 }]);
    await s.patchOrder(many._id, { refundCount: 50 });
    expect(
      await s.refundCall('start', { outTradeNo: many._id, refundFee: 1, reason: '第51次' }, MERCHANT_OPENID),
    ).toMatchObject({ ok: false, error: { code: 'REFUND_LIMIT_REACHED' } });
    const unpaid = await s.create('o-refund-dave', [{ productId: 'latte', quantity: 1 }]);
    expect(
      await s.refundCall('request', { outTradeNo: unpaid.outTradeNo, reason: '未付款' }, 'o-refund-dave'),
    ).toMatchObject({ ok: false, error: { code: 'REFUND_NOT_ALLOWED' } });
    for (const id of [old._id, many._id, unpaid.outTradeNo]) {
      expect(await s.sandboxRefunds({ outTradeNo: id })).toEqual([]);
      expect(await s.order(id)).toMatchObject({ reservedFee: 0, refundedFee: 0 });
    }
    expect((await s.refunds()).filter((r) => r.openid === 'o-refund-dave')).toEqual([]);
  });
});

describe('a reservation no refund owns', () => {
  it('is released by reconcile once it is old (its writer died between reserving and writing the refund)', async () => {
    const order = await s.paidOrder('o-refund-erin', [{ productId: 'cheesecake', quantity: 1 }]);
    const orphan = `RF${beijingTime(Date.now() - 3600_000)}ORPHAN000000`;
    const fresh = `RF${beijingTime(Date.now())}FRESH0000000`;
    await s.patchOrder(order._id, {
      reservedFee: 2600,
      refundHolds: [
        { id: orphan, fee: 1600 },
        { id: fresh, fee: 1000 },
      ],
      refundVersion: 1,
    });
    expect(await s.reconcileRefunds()).toMatchObject({ orphansReleased: 1 });
    expect(await s.order(order._id)).toMatchObject({
      reservedFee: 1000,
      refundHolds: [{ id: fresh, fee: 1000 }],
    });
    expect(await s.reconcileRefunds()).toMatchObject({ orphansReleased: 0 });
  });
});
