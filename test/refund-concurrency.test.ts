/**
 * Refund limits under concurrency, through the emulator and sandbox over HTTP, with warm instances so the
 * calls really run side by side: 20 approvals of one request make one WeChat refund; concurrent partial
 * requests or merchant starts whose sum exceeds the total never over-refund (the reservation is one
 * conditional update on the exact amounts read, retried on conflict).
 */
import type { RefundChange } from '@shouyin/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MERCHANT_OPENID, startTestStack, type TestStack } from './support/stack';

let s: TestStack;
beforeAll(async () => {
  s = await startTestStack();
  await Promise.all(Array.from({ length: 20 }, () => s.refundCall('warm-up', {}, 'o-warm-up')));
});
afterAll(() => s?.stop());

describe('concurrent refunds', () => {
  it('20 concurrent approvals of one request → one transition, one WeChat refund', async () => {
    const order = await s.paidOrder('o-conc-a', [{ productId: 'latte', quantity: 1 }]);
    const asked = await s.refundCall<RefundChange>(
      'request',
      { outTradeNo: order._id, reason: '重复了' },
      'o-conc-a',
    );
    if (!asked.ok) throw new Error(asked.error.message);
    const refundId = asked.data.refund.refundId;

    const answers = await Promise.all(
      Array.from({ length: 20 }, () => s.refundCall<RefundChange>('approve', { refundId }, MERCHANT_OPENID)),
    );
    expect(answers.every((a) => a.ok)).toBe(true);
    expect(answers.filter((a) => a.ok && a.data.changed)).toHaveLength(1);
    expect(await s.sandboxRefunds({ outTradeNo: order._id })).toHaveLength(1);
    const r = await s.refund(refundId);
    expect(r).toMatchObject({ status: 'PROCESSING', sends: 1 });
    expect(r.history.filter((h) => h.to === 'PROCESSING')).toHaveLength(1);
  });

  it('concurrent merchant starts whose sum exceeds the total: never over-refunded', async () => {
    const order = await s.paidOrder('o-conc-b', [{ productId: 'cheesecake', quantity: 1 }]); // 2600
    const answers = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        s.refundCall<RefundChange>(
          'start',
          { outTradeNo: order._id, refundFee: 700, reason: `部分退款${i}` },
          MERCHANT_OPENID,
        ),
      ),
    );
    const won = answers.filter((a) => a.ok);
    const refused = answers.filter((a) => !a.ok);
    expect(won).toHaveLength(3); // 3 × 700 = 2100 ≤ 2600 < 4 × 700
    expect(refused.every((a) => !a.ok && a.error.code === 'REFUND_EXCEEDS_PAID')).toBe(true);
    const o = await s.order(order._id);
    expect(o.reservedFee + o.refundedFee).toBe(2100);
    expect(o.refundHolds).toHaveLength(3);
    expect(o.refundCount).toBe(3);
    const mine = (await s.refunds()).filter((r) => r.outTradeNo === order._id);
    expect(mine.map((r) => r.refundFee).reduce((a, b) => a + b, 0)).toBe(2100);
  });

  it('concurrent customer requests: one open request per order, the rest refused', async () => {
    const order = await s.paidOrder('o-conc-c', [{ productId: 'americano', quantity: 2 }]); // 3000
    const answers = await Promise.all(
      Array.from({ length: 10 }, () =>
        s.refundCall<RefundChange>(
          'request',
          { outTradeNo: order._id, reason: '全退', refundFee: 2000 },
          'o-conc-c',
        ),
      ),
    );
    expect(answers.filter((a) => a.ok)).toHaveLength(1);
    expect(
      answers.every(
        (a) => a.ok || a.error.code === 'REFUND_IN_PROGRESS' || a.error.code === 'REFUND_EXCEEDS_PAID',
      ),
    ).toBe(true);
    const o = await s.order(order._id);
    expect(o).toMatchObject({ reservedFee: 2000, refundedFee: 0, refundCount: 1 });
    expect((await s.refunds()).filter((r) => r.outTradeNo === order._id)).toHaveLength(1);
  });
});
