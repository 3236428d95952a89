/**
 * Issue 9 item 8: the security rules shipped in cloudbase-db.json, enforced by the emulator on the mini-program's
 * client-side database (POST /client-db/<collection> with the caller's openid, as wx.cloud.database() would).
 * An order carries its buyer in `_openid` — the field creator-based permissions use — yet a customer can neither
 * flip their own order to PAID from the client nor read anyone's orders; the catalogue is read-only.
 */
import type { Order } from '@shouyin/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestStack, type TestStack } from './support/stack';

let s: TestStack;
beforeAll(async () => {
  s = await startTestStack();
});
afterAll(() => s?.stop());

const clientDb = async (collection: string, body: unknown, openid?: string) => {
  const r = await s.emulator.http('POST', `/client-db/${collection}`, JSON.stringify(body), {
    'content-type': 'application/json',
    ...(openid ? { 'x-wx-openid': openid } : {}),
  });
  return { status: r.status, body: JSON.parse(r.body) as Record<string, unknown> };
};

const DENIED = { status: 403, body: { errCode: -502003 } };

describe('orders: no client access', () => {
  it("a customer cannot update their own order's status, by id or by query", async () => {
    const start = await s.create('o-alice', [{ productId: 'latte', quantity: 1 }]);
    const before = await s.order(start.outTradeNo);
    expect(before._openid).toBe('o-alice');
    expect(before.status).toBe('NOTPAY');
    const byId = await clientDb(
      'orders',
      { action: 'doc.update', id: start.outTradeNo, data: { status: 'PAID', paidFee: before.totalFee } },
      'o-alice',
    );
    expect(byId).toMatchObject(DENIED);
    expect(byId.body.errMsg).toMatch(/^document\.update:fail -502003 database permission denied\./);
    expect(
      await clientDb(
        'orders',
        { action: 'update', where: { _openid: 'o-alice', _id: start.outTradeNo }, data: { status: 'PAID' } },
        'o-alice',
      ),
    ).toMatchObject(DENIED);
    expect(
      await clientDb(
        'orders',
        { action: 'doc.set', id: start.outTradeNo, data: { status: 'PAID' } },
        'o-alice',
      ),
    ).toMatchObject(DENIED);
    expect(await clientDb('orders', { action: 'doc.remove', id: start.outTradeNo }, 'o-alice')).toMatchObject(
      DENIED,
    );
    expect(await s.order(start.outTradeNo)).toEqual(before);
  });

  it("a customer cannot read others' orders (nor their own: functions serve those)", async () => {
    const bobs = await s.create('o-bob', [{ productId: 'americano', quantity: 1 }]);
    expect(await clientDb('orders', { action: 'get', where: { _openid: 'o-bob' } }, 'o-alice')).toMatchObject(
      DENIED,
    );
    expect(await clientDb('orders', { action: 'doc.get', id: bobs.outTradeNo }, 'o-alice')).toMatchObject(
      DENIED,
    );
    expect(await clientDb('orders', { action: 'count' }, 'o-alice')).toMatchObject(DENIED);
    expect(await clientDb('orders', { action: 'get', where: { _openid: 'o-bob' } }, 'o-bob')).toMatchObject(
      DENIED,
    );
    expect(
      await clientDb('orders', { action: 'add', data: { status: 'PAID', totalFee: 1 } }, 'o-alice'),
    ).toMatchObject(DENIED);
    expect((await s.orders()).filter((o: Order) => o.totalFee === 1)).toEqual([]);
  });

  it('the other server-only collections are closed to clients too', async () => {
    for (const c of ['refunds', 'requests', 'alerts', 'merchants'])
      expect(await clientDb(c, { action: 'get' }, 'o-demo-merchant-owner'), c).toMatchObject(DENIED);
  });
});

describe('products: read-only', () => {
  it('a customer reads the catalogue (as the shop page does) but cannot write it', async () => {
    const r = await clientDb(
      'products',
      { action: 'get', where: { onSale: true }, orderBy: [['priceFee', 'asc']] },
      'o-alice',
    );
    expect(r.status).toBe(200);
    expect(r.body.errMsg).toBe('collection.get:ok');
    expect((r.body.data as Array<{ _id: string }>).map((p) => p._id)).toEqual([
      'croissant',
      'americano',
      'latte',
      'cheesecake',
    ]);
    const one = await clientDb('products', { action: 'doc.get', id: 'latte' }, 'o-alice');
    expect(one.body).toMatchObject({ data: { _id: 'latte', priceFee: 1800 }, errMsg: 'document.get:ok' });

    expect(
      await clientDb('products', { action: 'doc.update', id: 'latte', data: { priceFee: 1 } }, 'o-alice'),
    ).toMatchObject(DENIED);
    expect(
      await clientDb(
        'products',
        { action: 'add', data: { _id: 'free', priceFee: 1, onSale: true } },
        'o-alice',
      ),
    ).toMatchObject(DENIED);
    expect(
      await clientDb('products', { action: 'remove', where: { _id: 'latte' } }, 'o-alice'),
    ).toMatchObject(DENIED);
    expect(await s.emulator.db.collection('products').get('latte')).toMatchObject({ priceFee: 1800 });
    expect(await s.emulator.db.collection('products').get('free')).toBeNull();
  });
});
