/**
 * Refunds when WeChat misbehaves or the merchant's money runs short, through the emulator and sandbox over
 * HTTP: NOTENOUGH then a retry from the available balance with the same number; SYSTEMERROR and a timeout
 * retried with the same request (one refund); a notification overtaking the refund API's reply; a lost
 * notification settled by refundquery; a refund WeChat never received resent with the same number; CHANGE
 * shown and alerted, never retried; REFUNDCLOSE then a new refund; a stuck refund alerted once.
 */
import type { RefundChange } from '@shouyin/shared';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { MERCHANT_OPENID, startTestStack, type TestStack } from './support/stack';

const MINUTE = 60_000;
let s: TestStack;
const sandboxLog: string[] = [];
beforeAll(async () => {
  // The client's shortest timeout, so a hang costs one second.
  s = await startTestStack({
    functionEnv: { applyRefund: { WXPAY_TIMEOUT_MS: '1000' }, reconcile: { WXPAY_TIMEOUT_MS: '1000' } },
    sandboxLog: (line) => sandboxLog.push(line),
  });
});

/** The body digests of the refund requests the sandbox received for this out_refund_no, in order. */
function requestDigests(outRefundNo: string): string[] {
  return sandboxLog
    .filter((l) => l.startsWith(`refund request ${outRefundNo} `))
    .map((l) => l.slice(l.indexOf('sha256:')));
}
afterEach(() => s.sandbox.control.clearFaults());
afterAll(() => s?.stop());

async function start(outTradeNo: string, refundFee: number, reason = '退款') {
  const a = await s.refundCall<RefundChange>('start', { outTradeNo, refundFee, reason }, MERCHANT_OPENID);
  if (!a.ok) throw new Error(`${a.error.code} ${a.error.message}`);
  return a.data.refund;
}

async function wechatFinishesRefunds(): Promise<void> {
  await s.sandbox.control.advanceClock(10_000);
  await s.sandbox.control.idle();
}

/** Makes a refund due for reconcile now. */
async function due(id: string): Promise<void> {
  await s.patchRefund(id, { nextCheckAt: Date.now() - 1000 });
}

describe('refund faults', () => {
  it('NOTENOUGH → FAILED with WeChat’s words and a hint; retry from the available balance, same number → one refund', async () => {
    const order = await s.paidOrder('o-rf-notenough', [{ productId: 'latte', quantity: 1 }]);
    await s.sandbox.control.setBalance({ mchId: s.merchant.mchId, unsettled: 0, available: 100_000 });
    try {
      const r = await start(order._id, 1800, '顾客退单');
      expect(r).toMatchObject({
        status: 'FAILED',
        label: '退款失败',
        failure: {
          code: 'NOTENOUGH',
          message: '交易未结算资金不足，请使用可用余额退款',
          hint: expect.stringContaining('可用余额'),
        },
      });
      expect(await s.sandboxRefunds({ outTradeNo: order._id })).toEqual([]);
      expect(await s.order(order._id)).toMatchObject({ reservedFee: 0, refundedFee: 0, status: 'PAID' });
      expect((await s.refund(r.refundId)).outbox.map((e) => e.kind)).toEqual(['REFUND_FAILED']);

      const retried = await s.refundCall<RefundChange>(
        'retry',
        { refundId: r.refundId, fundSource: 'available' },
        MERCHANT_OPENID,
      );
      expect(retried).toMatchObject({ ok: true, data: { changed: true, refund: { status: 'PROCESSING' } } });
      const wx = await s.sandboxRefunds({ outTradeNo: order._id });
      expect(wx).toMatchObject([
        { outRefundNo: r.refundId, refundFee: 1800, refundAccount: 'REFUND_SOURCE_RECHARGE_FUNDS' },
      ]);
      await wechatFinishesRefunds();
      expect(await s.refund(r.refundId)).toMatchObject({ status: 'SUCCESS', sends: 2 });
      expect(await s.order(order._id)).toMatchObject({
        status: 'REFUNDED',
        refundedFee: 1800,
        reservedFee: 0,
      });
      expect(await s.sandboxRefunds({ outTradeNo: order._id })).toHaveLength(1);
    } finally {
      await s.sandbox.control.setBalance({ mchId: s.merchant.mchId, unsettled: 10_000_000 });
    }
  });

  it('SYSTEMERROR once: the client resends the identical request, one refund', async () => {
    const order = await s.paidOrder('o-rf-sys', [{ productId: 'croissant', quantity: 1 }]);
    await s.sandbox.control.injectFault({
      target: 'refund',
      kind: 'SYSTEMERROR',
      count: 1,
      afterProcessing: true,
    });
    const r = await start(order._id, 1200);
    expect(r).toMatchObject({ status: 'PROCESSING', wechatRefundId: expect.any(String) });
    expect(await s.sandboxRefunds({ outTradeNo: order._id })).toMatchObject([{ outRefundNo: r.refundId }]);
    // Two requests reached WeChat, byte for byte the same.
    const digests = requestDigests(r.refundId);
    expect(digests).toHaveLength(2);
    expect(new Set(digests).size).toBe(1);
  });

  it('a timeout after WeChat accepted: the resend finds the same refund; still one', async () => {
    const order = await s.paidOrder('o-rf-hang', [{ productId: 'croissant', quantity: 1 }]);
    await s.sandbox.control.injectFault({
      target: 'refund',
      kind: 'hang',
      count: 1,
      hangMs: 1500,
      afterProcessing: true,
    });
    const r = await start(order._id, 1200);
    expect(r).toMatchObject({ status: 'PROCESSING', wechatRefundId: expect.any(String) });
    expect(await s.sandboxRefunds({ outTradeNo: order._id })).toHaveLength(1);
    const digests = requestDigests(r.refundId);
    expect(digests).toHaveLength(2);
    expect(new Set(digests).size).toBe(1);
    await wechatFinishesRefunds();
    expect(await s.order(order._id)).toMatchObject({ status: 'REFUNDED', refundedFee: 1200 });
  });

  it('SYSTEMERROR on every attempt after processing: stays PROCESSING, reconcile’s refundquery settles it', async () => {
    const order = await s.paidOrder('o-rf-sys2', [{ productId: 'americano', quantity: 1 }]);
    await s.sandbox.control.injectFault({
      target: 'refund',
      kind: 'SYSTEMERROR',
      count: 2,
      afterProcessing: true,
    });
    await s.sandbox.control.injectFault({ target: 'refund-notify', kind: 'drop' });
    const r = await start(order._id, 1500);
    expect(r).toMatchObject({ status: 'PROCESSING' });
    expect(r.wechatRefundId).toBeUndefined();
    await wechatFinishesRefunds();
    expect((await s.refund(r.refundId)).status).toBe('PROCESSING');
    await due(r.refundId);
    expect(await s.reconcileRefunds()).toMatchObject({ settled: 1, sent: 0, failed: 0 });
    const done = await s.refund(r.refundId);
    expect(done).toMatchObject({ status: 'SUCCESS' });
    expect(done.outbox.map((e) => e.kind)).toEqual(['REFUND_SUCCEEDED']);
    expect(done.history.at(-1)).toMatchObject({ by: 'reconcile' });
    expect(await s.sandboxRefunds({ outTradeNo: order._id })).toHaveLength(1);
    expect(await s.order(order._id)).toMatchObject({ status: 'REFUNDED', refundedFee: 1500, reservedFee: 0 });
  });

  it('the refund notification overtakes the refund API’s reply: one final state, one alert', async () => {
    const order = await s.paidOrder('o-rf-race', [{ productId: 'latte', quantity: 1 }]);
    await s.sandbox.control.injectFault({
      target: 'refund',
      kind: 'hang',
      count: 2,
      hangMs: 1500,
      afterProcessing: true,
    });
    const pending = s.refundCall<RefundChange>(
      'start',
      { outTradeNo: order._id, refundFee: 1800, reason: '赛跑' },
      MERCHANT_OPENID,
    );
    let wx = await s.sandboxRefunds({ outTradeNo: order._id });
    for (let i = 0; i < 100 && wx.length === 0; i++) {
      await new Promise((r) => setTimeout(r, 20));
      wx = await s.sandboxRefunds({ outTradeNo: order._id });
    }
    await s.sandbox.control.settleRefund({ mchId: s.merchant.mchId, outRefundNo: wx[0]!.outRefundNo });
    await s.sandbox.control.idle();
    expect(await pending).toMatchObject({ ok: true });
    const r = await s.refund(wx[0]!.outRefundNo);
    expect(r.status).toBe('SUCCESS');
    expect(r.outbox.map((e) => e.kind)).toEqual(['REFUND_SUCCEEDED']);
    expect(await s.order(order._id)).toMatchObject({ status: 'REFUNDED', refundedFee: 1800, reservedFee: 0 });
    // Reconcile finds nothing left to do.
    expect(await s.reconcileRefunds()).toMatchObject({ scanned: 0 });
  });

  it('a lost refund notification: refundquery settles; the late notification is a duplicate', async () => {
    const order = await s.paidOrder('o-rf-lost', [{ productId: 'cheesecake', quantity: 1 }]);
    await s.sandbox.control.injectFault({ target: 'refund-notify', kind: 'drop' });
    const r = await start(order._id, 1000);
    await wechatFinishesRefunds();
    expect((await s.refund(r.refundId)).status).toBe('PROCESSING');
    await due(r.refundId);
    expect(await s.reconcileRefunds()).toMatchObject({ scanned: 1, settled: 1 });
    const done = await s.refund(r.refundId);
    expect(done).toMatchObject({ status: 'SUCCESS' });
    const [wx] = await s.sandboxRefunds({ outRefundNo: r.refundId });
    expect((await s.postRefundNotify(s.refundNotificationFor(wx!))).fields.return_code).toBe('SUCCESS');
    expect(await s.refund(r.refundId)).toEqual(done);
    expect(await s.order(order._id)).toMatchObject({ status: 'PARTIALLY_REFUNDED', refundedFee: 1000 });
  });

  it('a refund WeChat never received: reconcile resends it with the same number', async () => {
    const order = await s.paidOrder('o-rf-never', [{ productId: 'latte', quantity: 1 }]);
    await s.sandbox.control.injectFault({ target: 'refund', kind: 'reset', count: 2 });
    const r = await start(order._id, 1800);
    expect(r.status).toBe('PROCESSING');
    expect(await s.sandboxRefunds({ outTradeNo: order._id })).toEqual([]);
    await due(r.refundId);
    expect(await s.reconcileRefunds()).toMatchObject({ scanned: 1, sent: 1 });
    expect(await s.sandboxRefunds({ outTradeNo: order._id })).toMatchObject([
      { outRefundNo: r.refundId, refundFee: 1800 },
    ]);
    await wechatFinishesRefunds();
    expect(await s.refund(r.refundId)).toMatchObject({ status: 'SUCCESS', sends: 2 });
  });

  it('CHANGE: shown and alerted, never retried; the amount stays reserved', async () => {
    const order = await s.paidOrder('o-rf-change', [{ productId: 'latte', quantity: 1 }]);
    const r = await start(order._id, 1800);
    await s.sandbox.control.settleRefund({
      mchId: s.merchant.mchId,
      outRefundNo: r.refundId,
      status: 'CHANGE',
    });
    await s.sandbox.control.idle();
    const changed = await s.refund(r.refundId);
    expect(changed).toMatchObject({ status: 'CHANGE' });
    expect(changed.outbox.map((e) => e.kind)).toEqual(['REFUND_ABNORMAL']);
    expect(await s.refundCall('retry', { refundId: r.refundId }, MERCHANT_OPENID)).toMatchObject({
      ok: false,
      error: { code: 'REFUND_STATE' },
    });
    expect(await s.refundCall('get', { refundId: r.refundId }, MERCHANT_OPENID)).toMatchObject({
      ok: true,
      data: { status: 'CHANGE', label: '退款异常' },
    });
    expect(await s.order(order._id)).toMatchObject({ status: 'PAID', reservedFee: 1800, refundedFee: 0 });
    await due(r.refundId);
    expect(await s.reconcileRefunds()).toMatchObject({ scanned: 0 });
    expect(await s.sandboxRefunds({ outTradeNo: order._id })).toHaveLength(1);
  });

  it('REFUNDCLOSE: CLOSED and released, and a new refund can be started with a new number', async () => {
    const order = await s.paidOrder('o-rf-close', [{ productId: 'croissant', quantity: 1 }]);
    const r = await start(order._id, 1200);
    await s.sandbox.control.settleRefund({
      mchId: s.merchant.mchId,
      outRefundNo: r.refundId,
      status: 'REFUNDCLOSE',
    });
    await s.sandbox.control.idle();
    const closed = await s.refund(r.refundId);
    expect(closed).toMatchObject({ status: 'CLOSED' });
    expect(closed.outbox.map((e) => e.kind)).toEqual(['REFUND_CLOSED']);
    expect(await s.order(order._id)).toMatchObject({ status: 'PAID', reservedFee: 0, refundedFee: 0 });

    await s.patchRefund(r.refundId, { lastSentAt: Date.now() - 2 * MINUTE });
    await s.sandbox.control.advanceClock(MINUTE);
    const again = await start(order._id, 1200, '重新退款');
    expect(again.refundId).not.toBe(r.refundId);
    expect(again).toMatchObject({ status: 'PROCESSING', wechatRefundId: expect.any(String) });
    await wechatFinishesRefunds();
    expect(await s.order(order._id)).toMatchObject({ status: 'REFUNDED', refundedFee: 1200, reservedFee: 0 });
  });

  it('a refund PROCESSING past the configured age raises one REFUND_STUCK alert', async () => {
    const order = await s.paidOrder('o-rf-stuck', [{ productId: 'americano', quantity: 1 }]);
    const r = await start(order._id, 1500);
    await s.patchRefund(r.refundId, { processingSince: Date.now() - 4 * 24 * 3600_000 });
    await due(r.refundId);
    expect(await s.reconcileRefunds()).toMatchObject({ scanned: 1, stuck: 1 });
    await due(r.refundId);
    expect(await s.reconcileRefunds()).toMatchObject({ scanned: 1, stuck: 0 });
    const stuck = await s.refund(r.refundId);
    expect(stuck.outbox.map((e) => e.kind)).toEqual(['REFUND_STUCK']);
    expect(stuck).toMatchObject({
      status: 'PROCESSING',
      stuckAlerted: true,
      alertsPending: true,
      outboxSeq: 1,
    });
  });
});
