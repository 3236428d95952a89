/**
 * WeChat misbehaving on unifiedorder (sandbox faults: SYSTEMERROR, a hang past the client's timeout, a
 * connection reset, an answer that does not verify), with and without WeChat having carried the request out.
 * Every case ends in a clear error (PAYMENT_PENDING, retryable) or a successful retry — never two payable
 * orders for one cart: a retried create with the same requestId returns the same order, and `resume`
 * re-enters unifiedorder with byte-identical parameters (WeChat would answer INVALID_REQUEST otherwise).
 */
import { CONFIRM_INTERVAL_MS, type PaymentStart } from '@shouyin/shared';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { FaultSpec } from '../scripts/sandbox/src/index';
import { prepayIdOf, startTestStack, type TestStack } from './support/stack';

let s: TestStack;
beforeAll(async () => {
  // The client's shortest timeout, so a hang costs one second.
  s = await startTestStack({ functionEnv: { createPayment: { WXPAY_TIMEOUT_MS: '1000' } } });
});
afterEach(() => s.sandbox.control.clearFaults());
afterAll(() => s?.stop());

const CART = [{ productId: 'latte', quantity: 1 }];

function create(openid: string, requestId: string) {
  return s.call<PaymentStart>('createPayment', { action: 'create', items: CART, requestId }, openid);
}

/** One order for this customer here and at most one at WeChat: never two payable orders for one cart. */
async function expectOneOrder(openid: string): Promise<string> {
  const mine = (await s.orders()).filter((o) => o._openid === openid);
  expect(mine).toHaveLength(1);
  expect(
    (await s.sandbox.control.listOrders()).filter((o) => o.openid === openid).length,
  ).toBeLessThanOrEqual(1);
  return mine[0]!._id;
}

async function faultOnce(spec: Omit<FaultSpec, 'target'>): Promise<void> {
  await s.sandbox.control.injectFault({ target: 'unifiedorder', ...spec } as FaultSpec);
}

describe('unifiedorder faults', () => {
  it('SYSTEMERROR once: the client resends the identical request and the order is created', async () => {
    await faultOnce({ kind: 'SYSTEMERROR', count: 1 });
    const a = await create('o-sys1', 'sys-once-0001');
    expect(a.ok).toBe(true);
    const id = await expectOneOrder('o-sys1');
    expect((await s.sandboxOrder(id))!.prepayId).toBe(prepayIdOf((a as { data: PaymentStart }).data));
  });

  it('SYSTEMERROR twice: PAYMENT_PENDING, the order stays NOTPAY; the retry with the same requestId creates it', async () => {
    await faultOnce({ kind: 'SYSTEMERROR', count: 2 });
    const first = await create('o-sys2', 'sys-twice-0001');
    expect(first).toMatchObject({ ok: false, error: { code: 'PAYMENT_PENDING' } });
    const id = await expectOneOrder('o-sys2');
    const pending = await s.order(id);
    expect(pending.status).toBe('NOTPAY');
    expect(pending.prepayId).toBeUndefined();
    expect(await s.sandboxOrder(id)).toBeUndefined();

    const retry = await create('o-sys2', 'sys-twice-0001');
    expect(retry).toMatchObject({ ok: true, data: { outTradeNo: id } });
    await expectOneOrder('o-sys2');
    await s.pay((retry as { data: PaymentStart }).data);
    expect((await s.order(id)).status).toBe('PAID');
  });

  it('SYSTEMERROR after WeChat created the order: resume re-enters with identical parameters', async () => {
    await faultOnce({ kind: 'SYSTEMERROR', count: 2, afterProcessing: true });
    expect(await create('o-sys3', 'sys-after-0001')).toMatchObject({
      ok: false,
      error: { code: 'PAYMENT_PENDING' },
    });
    const id = await expectOneOrder('o-sys3');
    const atWeChat = (await s.sandboxOrder(id))!;
    expect(atWeChat.state).toBe('NOTPAY');

    const resumed = await s.call<PaymentStart>(
      'createPayment',
      { action: 'resume', outTradeNo: id },
      'o-sys3',
    );
    expect(resumed).toMatchObject({ ok: true, data: { outTradeNo: id } });
    // WeChat accepted the re-entry as identical: the same prepay_id, still one order.
    expect(prepayIdOf((resumed as { data: PaymentStart }).data)).toBe(atWeChat.prepayId);
    expect((await s.sandboxOrder(id))!.prepayIds).toEqual([atWeChat.prepayId]);
    const retry = await create('o-sys3', 'sys-after-0001');
    expect(retry).toMatchObject({
      ok: true,
      data: { outTradeNo: id, payment: { package: `prepay_id=${atWeChat.prepayId}` } },
    });
    await expectOneOrder('o-sys3');
  });

  it('a hang past the client timeout (after WeChat created the order): the resend is an identical re-entry', async () => {
    await faultOnce({ kind: 'hang', count: 1, hangMs: 1500, afterProcessing: true });
    const a = await create('o-hang', 'hang-once-0001');
    expect(a.ok).toBe(true);
    const id = await expectOneOrder('o-hang');
    const atWeChat = (await s.sandboxOrder(id))!;
    expect(prepayIdOf((a as { data: PaymentStart }).data)).toBe(atWeChat.prepayId);
    expect(atWeChat.prepayIds).toHaveLength(1);
    expect((await s.order(id)).prepayId).toBe(atWeChat.prepayId);
  });

  it('connection resets: PAYMENT_PENDING, then the retry with the same requestId gives the same order', async () => {
    await faultOnce({ kind: 'reset', count: 2 });
    expect(await create('o-reset', 'reset-twice-001')).toMatchObject({
      ok: false,
      error: { code: 'PAYMENT_PENDING' },
    });
    const id = await expectOneOrder('o-reset');
    expect((await s.order(id)).status).toBe('NOTPAY');
    const retry = await create('o-reset', 'reset-twice-001');
    expect(retry).toMatchObject({ ok: true, data: { outTradeNo: id } });
    await expectOneOrder('o-reset');
  });

  it('an answer that does not verify (WeChat did create the order): PAYMENT_PENDING, then one order', async () => {
    await faultOnce({ kind: 'badsign', count: 1 });
    expect(await create('o-badsign', 'badsign-00001')).toMatchObject({
      ok: false,
      error: { code: 'PAYMENT_PENDING' },
    });
    const id = await expectOneOrder('o-badsign');
    expect(await s.order(id)).toMatchObject({ status: 'NOTPAY' });
    const atWeChat = (await s.sandboxOrder(id))!;
    const retry = await create('o-badsign', 'badsign-00001');
    expect(retry).toMatchObject({
      ok: true,
      data: { outTradeNo: id, payment: { package: `prepay_id=${atWeChat.prepayId}` } },
    });
    await expectOneOrder('o-badsign');
  });

  it('confirm while orderquery fails: PAYMENT_PENDING and the order unchanged', async () => {
    const a = await create('o-confirm', 'confirm-fault-01');
    const start = (a as { data: PaymentStart }).data;
    await s.sandbox.control.injectFault({ target: 'pay-notify', kind: 'drop' });
    await s.pay(start);
    const before = await s.order(start.outTradeNo);
    await s.sandbox.control.injectFault({ target: 'orderquery', kind: 'SYSTEMERROR', count: 2 });
    const c = await s.call('createPayment', { action: 'confirm', outTradeNo: start.outTradeNo }, 'o-confirm');
    expect(c).toMatchObject({ ok: false, error: { code: 'PAYMENT_PENDING' } });
    // Unchanged but for the time of the confirm (one orderquery per CONFIRM_INTERVAL_MS per order).
    const { lastConfirmAt, ...after } = await s.order(start.outTradeNo);
    expect(after).toEqual(before);
    expect(lastConfirmAt).toBeGreaterThan(0);
    // A moment later: the customer taps again.
    await s.patchOrder(start.outTradeNo, { lastConfirmAt: lastConfirmAt! - CONFIRM_INTERVAL_MS });
    const again = await s.call(
      'createPayment',
      { action: 'confirm', outTradeNo: start.outTradeNo },
      'o-confirm',
    );
    expect(again).toMatchObject({ ok: true, data: { status: 'PAID' } });
  });
});
