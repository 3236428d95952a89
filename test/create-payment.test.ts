/**
 * createPayment as the mini-program calls it (callFunction over HTTP, the payer = the context's OPENID):
 * prices come from `products` only, the payer from the context only; one customer cannot read, resume or
 * confirm another's order; a requestId makes retries and racing duplicates return one order.
 */
import type { OrderPage, OrderView, PaymentStart } from '@shouyin/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestStack, type TestStack } from './support/stack';

let s: TestStack;
beforeAll(async () => {
  s = await startTestStack();
});
afterAll(() => s?.stop());

const createData = (items: unknown, requestId: string, extra: Record<string, unknown> = {}) => ({
  action: 'create',
  items,
  requestId,
  ...extra,
});

describe('pricing and payer come from the server', () => {
  it('prices, totals and an openid in the request have no effect', async () => {
    const a = await s.call<PaymentStart>(
      'createPayment',
      createData(
        [{ productId: 'cheesecake', quantity: 2, priceFee: 1, unitFee: 1, price: 1, name: 'x' }],
        'tamper-0001',
        {
          totalFee: 1,
          total_fee: 1,
          price: 1,
          openid: 'o-victim',
          _openid: 'o-victim',
          OPENID: 'o-victim',
          userInfo: { openId: 'o-victim', appId: 'wx9999999999999999' },
        },
      ),
      'o-mallory',
    );
    expect(a).toMatchObject({ ok: true, data: { totalFee: 5200 } });
    const outTradeNo = (a as { data: PaymentStart }).data.outTradeNo;
    const order = await s.order(outTradeNo);
    expect(order).toMatchObject({
      _openid: 'o-mallory',
      totalFee: 5200,
      lines: [{ productId: 'cheesecake', name: '重乳酪蛋糕', unitFee: 2600, quantity: 2, lineFee: 5200 }],
    });
    expect(order.unifiedOrder).toMatchObject({ total_fee: 5200, openid: 'o-mallory' });
    // WeChat was asked for the server's price, for the caller.
    expect(await s.sandboxOrder(outTradeNo)).toMatchObject({ totalFee: 5200, openid: 'o-mallory' });
    // The would-be victim has nothing.
    const page = await s.call<OrderPage>('createPayment', { action: 'list' }, 'o-victim');
    expect(page).toEqual({ ok: true, data: { orders: [], nextCursor: null } });
  });

  it('products that do not exist or are off sale, and malformed carts, are refused before any order', async () => {
    const before = (await s.orders()).length;
    const cases: Array<[unknown, string]> = [
      [[{ productId: 'mooncake', quantity: 1 }], 'PRODUCT_UNAVAILABLE'],
      [[{ productId: 'no-such-thing', quantity: 1 }], 'PRODUCT_UNAVAILABLE'],
      [[], 'INVALID_INPUT'],
      [[{ productId: 'latte', quantity: 0 }], 'INVALID_INPUT'],
      [[{ productId: 'latte', quantity: 1000 }], 'INVALID_INPUT'],
      [[{ productId: 'latte', quantity: 1.5 }], 'INVALID_INPUT'],
      [[{ productId: 'latte', quantity: '1' }], 'INVALID_INPUT'],
      [Array.from({ length: 51 }, (_, i) => ({ productId: `p${i}`, quantity: 1 })), 'INVALID_INPUT'],
      [
        [
          { productId: 'latte', quantity: 1 },
          { productId: 'latte', quantity: 1 },
        ],
        'INVALID_INPUT',
      ],
    ];
    for (const [i, [items, code]] of cases.entries()) {
      const a = await s.call('createPayment', createData(items, `bad-cart-${i}-0000`), 'o-eve');
      expect(a, JSON.stringify(items)).toMatchObject({ ok: false, error: { code } });
    }
    expect(
      await s.call('createPayment', createData([{ productId: 'latte', quantity: 1 }], 'short'), 'o-eve'),
    ).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    expect(await s.call('createPayment', { action: 'refundEverything' }, 'o-eve')).toMatchObject({
      ok: false,
      error: { code: 'INVALID_INPUT' },
    });
    expect((await s.orders()).length).toBe(before);
  });

  it('product names with 4-byte characters and over 127 bytes still make a body WeChat accepts', async () => {
    await s.emulator.db
      .collection('products')
      .put({ _id: 'birthday-cake', name: `🎂${'生日蛋糕'.repeat(20)}🎉`, priceFee: 9900, onSale: true });
    const start = await s.create('o-party', [
      { productId: 'birthday-cake', quantity: 1 },
      { productId: 'latte', quantity: 2 },
    ]);
    expect(start.totalFee).toBe(9900 + 3600);
    const body = (await s.order(start.outTradeNo)).unifiedOrder.body;
    expect(Buffer.byteLength(body, 'utf8')).toBeLessThanOrEqual(127);
    expect(body).not.toMatch(/[\u{10000}-\u{10FFFF}]/u);
    expect(body).toMatch(/^生日蛋糕.* 等3件$/);
    // The sandbox refuses 4-byte characters and over-long bodies: it took this one as sent.
    expect((await s.sandboxOrder(start.outTradeNo))!.params.body).toBe(body);
  });

  it('list pages through the caller’s own orders only', async () => {
    const ids = [];
    for (const productId of ['latte', 'americano', 'croissant'])
      ids.push((await s.create('o-lister', [{ productId, quantity: 1 }])).outTradeNo);
    await s.create('o-other-lister', [{ productId: 'latte', quantity: 1 }]);
    const first = await s.call<OrderPage>('createPayment', { action: 'list', limit: 2 }, 'o-lister');
    expect(first.ok && first.data.orders).toHaveLength(2);
    const cursor = first.ok ? first.data.nextCursor : null;
    expect(cursor).toEqual(expect.any(String));
    const second = await s.call<OrderPage>('createPayment', { action: 'list', limit: 2, cursor }, 'o-lister');
    expect(second).toMatchObject({ ok: true, data: { nextCursor: null } });
    const seen = [first, second].flatMap((p) => (p.ok ? p.data.orders.map((o) => o.outTradeNo) : []));
    expect([...seen].sort()).toEqual([...ids].sort());
  });

  it('a call without a mini-program user is refused', async () => {
    const a = await s.call('createPayment', createData([{ productId: 'latte', quantity: 1 }], 'anon-00001'));
    expect(a).toMatchObject({ ok: false, error: { code: 'UNAUTHENTICATED' } });
  });

  it('a customer with too many unpaid orders gets a clear error', async () => {
    for (let i = 0; i < 5; i++) await s.create('o-hoarder', [{ productId: 'latte', quantity: 1 }]);
    const sixth = await s.call(
      'createPayment',
      createData([{ productId: 'latte', quantity: 1 }], 'hoard-0006'),
      'o-hoarder',
    );
    expect(sixth).toMatchObject({ ok: false, error: { code: 'TOO_MANY_UNPAID_ORDERS' } });
    expect((await s.orders()).filter((o) => o._openid === 'o-hoarder')).toHaveLength(5);
  });

  // Issue 9.3: 150 concurrent creates used to leave 56–98 unpaid orders behind a limit of 5.
  it('150 concurrent creates with different requestIds → never more than 5 unpaid orders', async () => {
    await s.warmUp();
    const replies = await Promise.all(
      Array.from({ length: 150 }, (_, i) =>
        s.call(
          'createPayment',
          createData([{ productId: 'americano', quantity: 1 }], `burst-${String(i).padStart(4, '0')}`),
          'o-burst',
        ),
      ),
    );
    const ok = replies.filter((r) => r.ok);
    expect(ok).toHaveLength(5);
    for (const r of replies) if (!r.ok) expect(r.error.code).toBe('TOO_MANY_UNPAID_ORDERS');
    expect((await s.orders()).filter((o) => o._openid === 'o-burst' && o.status === 'NOTPAY')).toHaveLength(
      5,
    );
    // A refused requestId is not burnt: once an order is paid, the same checkout retried goes through.
    await s.pay(ok[0]!.data as PaymentStart);
    const refusedId = replies.findIndex((r) => !r.ok);
    const retried = await s.call(
      'createPayment',
      createData([{ productId: 'americano', quantity: 1 }], `burst-${String(refusedId).padStart(4, '0')}`),
      'o-burst',
    );
    expect(retried.ok).toBe(true);
    expect((await s.orders()).filter((o) => o._openid === 'o-burst' && o.status === 'NOTPAY')).toHaveLength(
      5,
    );
  });
});

describe('customers are isolated', () => {
  it('customer A cannot get, resume, confirm or list B’s order', async () => {
    const bStart = await s.create('o-b', [{ productId: 'americano', quantity: 1 }]);
    const bOrder = await s.order(bStart.outTradeNo);
    const wxBefore = await s.sandboxOrder(bStart.outTradeNo);
    for (const action of ['get', 'resume', 'confirm']) {
      const a = await s.call('createPayment', { action, outTradeNo: bStart.outTradeNo }, 'o-a');
      expect(a, action).toEqual({ ok: false, error: { code: 'NOT_FOUND', message: 'no such order' } });
      // Exactly what a non-existent order answers: existence is not revealed.
      const none = await s.call(
        'createPayment',
        { action, outTradeNo: 'SY20990101000000NOSUCHORDER1' },
        'o-a',
      );
      expect(none).toEqual(a);
    }
    // Even with B's openid in the body.
    const a = await s.call(
      'createPayment',
      { action: 'get', outTradeNo: bStart.outTradeNo, openid: 'o-b' },
      'o-a',
    );
    expect(a).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    const page = await s.call<OrderPage>('createPayment', { action: 'list', openid: 'o-b' }, 'o-a');
    expect(page).toEqual({ ok: true, data: { orders: [], nextCursor: null } });

    expect(await s.order(bStart.outTradeNo)).toEqual(bOrder);
    expect(await s.sandboxOrder(bStart.outTradeNo)).toEqual(wxBefore);
    // B sees it.
    const own = await s.call<OrderView>(
      'createPayment',
      { action: 'get', outTradeNo: bStart.outTradeNo },
      'o-b',
    );
    expect(own).toMatchObject({ ok: true, data: { outTradeNo: bStart.outTradeNo, status: 'NOTPAY' } });
    expect(Object.keys((own as { data: OrderView }).data)).not.toContain('_openid');
  });
});

describe('requestId idempotency', () => {
  it('two concurrent create calls with the same requestId → one order', async () => {
    const data = createData(
      [
        { productId: 'latte', quantity: 1 },
        { productId: 'croissant', quantity: 1 },
      ],
      'twin-tap-0001',
    );
    await s.warmUp();
    const answers = await Promise.all([
      s.call<PaymentStart>('createPayment', data, 'o-twin'),
      s.call<PaymentStart>('createPayment', data, 'o-twin'),
    ]);
    for (const a of answers) expect(a).toMatchObject({ ok: true, data: { totalFee: 3000 } });
    const [x, y] = answers.map((a) => (a as { data: PaymentStart }).data);
    expect(y!.outTradeNo).toBe(x!.outTradeNo);
    expect(y!.payment.package).toBe(x!.payment.package);

    const mine = (await s.orders()).filter((o) => o._openid === 'o-twin');
    expect(mine.map((o) => o._id)).toEqual([x!.outTradeNo]);
    expect(await s.emulator.db.collection('requests').count({ openid: 'o-twin' })).toBe(1);
    expect((await s.sandbox.control.listOrders()).filter((o) => o.openid === 'o-twin')).toHaveLength(1);

    // A later retry gets the same order; the same requestId for another cart is refused.
    const retry = await s.call<PaymentStart>('createPayment', data, 'o-twin');
    expect(retry).toMatchObject({
      ok: true,
      data: { outTradeNo: x!.outTradeNo, payment: { package: x!.payment.package } },
    });
    const other = await s.call(
      'createPayment',
      createData([{ productId: 'latte', quantity: 2 }], 'twin-tap-0001'),
      'o-twin',
    );
    expect(other).toMatchObject({ ok: false, error: { code: 'REQUEST_ID_REUSED' } });
    // The same requestId from another customer is another checkout.
    const stranger = await s.call<PaymentStart>('createPayment', data, 'o-stranger');
    expect(stranger.ok && stranger.data.outTradeNo).not.toBe(x!.outTradeNo);
    expect((await s.orders()).filter((o) => o._openid === 'o-twin')).toHaveLength(1);
  });

  it('five racing creates with the same requestId → one order, the same answer for all', async () => {
    const data = createData([{ productId: 'americano', quantity: 2 }], 'five-taps-0001');
    await s.warmUp();
    const answers = await Promise.all(
      Array.from({ length: 5 }, () => s.call<PaymentStart>('createPayment', data, 'o-five')),
    );
    // A loser that outwaits its patience may say REQUEST_IN_PROGRESS (retryable); none gets another order.
    const numbers = new Set(answers.flatMap((a) => (a.ok ? [a.data.outTradeNo] : [])));
    expect(numbers.size).toBe(1);
    for (const a of answers) if (!a.ok) expect(a.error.code).toBe('REQUEST_IN_PROGRESS');
    expect((await s.orders()).filter((o) => o._openid === 'o-five')).toHaveLength(1);
    expect((await s.sandbox.control.listOrders()).filter((o) => o.openid === 'o-five')).toHaveLength(1);
  });
});
