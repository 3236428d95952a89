/**
 * The mini-program's own modules (client layer and page logic) driven end to end against the emulator and
 * the sandbox over HTTP: shop → checkout → WeChat pays (the sandbox's payer; its notification settles the
 * order) → confirm → my orders; a cancel then resume; a double tap; the "Me" page and the console's door.
 * Refund, shipping and receipt steps need applyRefund / fulfilOrder, which are not on this branch yet.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cartLines, readCart, writeCart } from '../../miniprogram/logic/cart';
import { createCheckout } from '../../miniprogram/logic/checkout';
import { createMe } from '../../miniprogram/logic/me';
import { createMerchantConsole } from '../../miniprogram/logic/merchant';
import { createOrders } from '../../miniprogram/logic/orders';
import { createShop } from '../../miniprogram/logic/shop';
import { productsOnSale } from '../../miniprogram/services/catalogue';
import { createApi } from '../../miniprogram/services/client';
import { MERCHANTS_SEED, startTestStack, type TestStack } from '../support/stack';
import { httpWx } from './support/http-wx';

let s: TestStack;
beforeAll(async () => {
  s = await startTestStack({ extraFunctions: ['whoami'] });
});
afterAll(() => s?.stop());

let seq = 0;
function customer(openid: string) {
  const { wx, db, payments } = httpWx(s, openid);
  const api = createApi(wx.cloud);
  const checkout = async () =>
    createCheckout({
      api,
      wx,
      storage: wx,
      lines: cartLines(readCart(wx), await productsOnSale(db)),
      templates: ['TPL_PAID'],
      newRequestId: () => `e2e-${openid}-${++seq}`,
      onPaid: () => writeCart(wx, {}),
      render: () => {},
    });
  return { wx, db, api, payments, checkout };
}

describe('mini-program against the emulator', () => {
  it('shop → pay → 已支付 → my orders, priced by the server and settled by WeChat', async () => {
    const alice = customer('o-mp-alice');
    const shop = createShop({ db: alice.db, storage: alice.wx, render: () => {} });
    await shop.load();
    // Only products on sale (not the mooncake), with the catalogue's prices.
    expect(shop.state.view.products.map((p) => [p.id, p.priceText])).toEqual([
      ['latte', '¥18.00'],
      ['americano', '¥15.00'],
      ['croissant', '¥12.00'],
      ['cheesecake', '¥26.00'],
    ]);
    shop.change('latte', 1);
    shop.change('latte', 1);
    shop.change('croissant', 1);
    expect(shop.state.view.totalText).toBe('¥48.00');

    const c = await alice.checkout();
    await c.pay();
    expect(c.state.view).toMatchObject({ phase: 'paid', message: '已支付', totalText: '¥48.00' });
    const stored = await s.order(c.state.view.outTradeNo);
    expect(stored).toMatchObject({ _openid: 'o-mp-alice', status: 'PAID', totalFee: 4800 });
    expect(alice.payments).toEqual([stored.prepayId]);
    expect(readCart(alice.wx)).toEqual({});

    const orders = createOrders({
      api: alice.api,
      wx: alice.wx,
      templates: [],
      now: Date.now,
      render: () => {},
    });
    await orders.load();
    expect(orders.state.view.orders).toEqual([
      expect.objectContaining({
        outTradeNo: stored._id,
        word: '已支付',
        totalText: '¥48.00',
        summary: '拿铁咖啡 ×2，黄油可颂 ×1',
        canPay: false,
      }),
    ]);
  });

  it('cancel keeps the order payable; the next tap resumes the same order and pays it', async () => {
    const bob = customer('o-mp-bob');
    writeCart(bob.wx, { americano: 1 });
    bob.wx.requestPayment.mockRejectedValueOnce({ errMsg: 'requestPayment:fail cancel' });
    const c = await bob.checkout();
    await c.pay();
    expect(c.state.view.phase).toBe('cancelled');
    const no = c.state.view.outTradeNo;
    expect((await s.order(no)).status).toBe('NOTPAY');

    const list = createOrders({ api: bob.api, wx: bob.wx, templates: [], now: Date.now, render: () => {} });
    await list.load();
    expect(list.state.view.orders).toEqual([
      expect.objectContaining({ outTradeNo: no, word: '待支付', canPay: true }),
    ]);

    await c.pay();
    expect(c.state.view.phase).toBe('paid');
    expect((await s.orders()).filter((o) => o._openid === 'o-mp-bob').map((o) => [o._id, o.status])).toEqual([
      [no, 'PAID'],
    ]);
  });

  it('a double tap makes one order', async () => {
    const carol = customer('o-mp-carol');
    writeCart(carol.wx, { cheesecake: 1 });
    const c = await carol.checkout();
    await Promise.all([c.pay(), c.pay(), c.pay()]);
    const mine = (await s.orders()).filter((o) => o._openid === 'o-mp-carol');
    expect(mine.map((o) => o.status)).toEqual(['PAID']);
    expect(carol.payments).toHaveLength(1);
  });

  it('Me shows the openid from the call context; only a registered merchant opens the console', async () => {
    const dave = customer('o-mp-dave');
    const me = createMe({ api: dave.api, render: () => {} });
    await me.load();
    expect(me.state.view).toMatchObject({ openid: 'o-mp-dave', isMerchant: false });
    const denied = createMerchantConsole({ api: dave.api, wx: dave.wx, now: Date.now, render: () => {} });
    await denied.load();
    expect(denied.state.view.access).toBe('denied');
    expect(dave.wx.calls.map((c) => c.name)).toEqual(['whoami', 'whoami']);

    const owner = customer(MERCHANTS_SEED[0]!.reviewerOpenids[0]!);
    const ownerMe = createMe({ api: owner.api, render: () => {} });
    await ownerMe.load();
    expect(ownerMe.state.view).toMatchObject({ isMerchant: true, shopName: '收银示例咖啡馆' });
  });
});
