/**
 * The mini-program's own modules (client layer and page logic) driven end to end against the emulator and
 * the sandbox over HTTP: shop (products through the client-side database, under the security rules) →
 * checkout → WeChat pays (the sandbox's payer; its notification settles the order) → confirm → my orders;
 * a cancel then resume; a double tap; the "Me" page and the console's door; and the whole life of an
 * order through the real functions: pay → the merchant ships from the console (fulfilOrder) → the buyer
 * confirms receipt → asks a refund → the merchant approves (applyRefund) → WeChat's refund notification
 * (refundNotify) → 已退款, with the console's feed, focus, subscribe and reprint (orderAlert) on the way.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { cartLines, readCart, writeCart } from '../../miniprogram/logic/cart';
import { createCheckout } from '../../miniprogram/logic/checkout';
import { createMe } from '../../miniprogram/logic/me';
import { createMerchantConsole } from '../../miniprogram/logic/merchant';
import { createOrderDetail } from '../../miniprogram/logic/order-detail';
import { createOrders } from '../../miniprogram/logic/orders';
import { createShop } from '../../miniprogram/logic/shop';
import { productsOnSale } from '../../miniprogram/services/catalogue';
import { createApi } from '../../miniprogram/services/client';
import { DEMO_ALERT_TEMPLATES } from '../../scripts/emulator/src/lib/alerts/stand-ins';
import { MERCHANT_OPENID, MERCHANTS_SEED, startTestStack, type TestStack } from '../support/stack';
import { httpWx } from './support/http-wx';

let s: TestStack;
beforeAll(async () => {
  s = await startTestStack({ extraFunctions: ['whoami'], alerts: true });
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

let reprints = 0;
function merchantConsole(focus?: string) {
  const owner = customer(MERCHANT_OPENID);
  const console = createMerchantConsole({
    api: owner.api,
    wx: owner.wx,
    now: Date.now,
    newRequestId: () => `e2e-reprint-${++reprints}`,
    ...(focus ? { focus } : {}),
    render: () => {},
  });
  return { owner, console };
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
    const denied = createMerchantConsole({
      api: dave.api,
      wx: dave.wx,
      now: Date.now,
      newRequestId: () => 'never-used-0',
      render: () => {},
    });
    await denied.load();
    expect(denied.state.view.access).toBe('denied');
    expect(dave.wx.calls.map((c) => c.name)).toEqual(['whoami', 'whoami']);

    const owner = customer(MERCHANTS_SEED[0]!.reviewerOpenids[0]!);
    const ownerMe = createMe({ api: owner.api, render: () => {} });
    await ownerMe.load();
    expect(ownerMe.state.view).toMatchObject({ isMerchant: true, shopName: '收银示例咖啡馆' });
  });

  it('the client-side database serves the catalogue to anyone and orders to no one', async () => {
    const eve = customer('o-mp-eve');
    await expect(
      eve.db.collection('orders').where({ _openid: 'o-mp-eve' }).limit(20).get(),
    ).rejects.toMatchObject({
      errCode: -502003,
    });
    const { data } = await eve.db.collection('products').where({ onSale: false }).limit(20).get();
    expect(data).toEqual([expect.objectContaining({ _id: 'mooncake', onSale: false })]);
  });

  it('pay → merchant ships → buyer confirms receipt → refund → merchant approves → WeChat settles → 已退款', async () => {
    // The customer shops (catalogue through the client-side database) and pays.
    const erin = customer('o-mp-erin');
    const shop = createShop({ db: erin.db, storage: erin.wx, render: () => {} });
    await shop.load();
    shop.change('americano', 1);
    shop.change('cheesecake', 1);
    expect(shop.state.view.totalText).toBe('¥41.00');
    const c = await erin.checkout();
    await c.pay();
    expect(c.state.view).toMatchObject({ phase: 'paid', message: '已支付' });
    const no = c.state.view.outTradeNo;
    const order = createOrderDetail({
      api: erin.api,
      wx: erin.wx,
      templates: [],
      outTradeNo: no,
      now: Date.now,
      render: () => {},
    });
    await order.load();
    expect(order.state.view).toMatchObject({
      word: '已支付',
      canRefund: true,
      canConfirm: false,
      shipping: null,
    });

    // The merchant opens the console from the new-order alert (ALERT_PAGE?outTradeNo=…) and ships.
    const { owner, console } = merchantConsole(no);
    await vi.waitFor(
      async () => {
        await console.load();
        expect(console.state.view.feed.items).toContainEqual(
          expect.objectContaining({ outTradeNo: no, word: '新订单', amountText: '¥41.00', focus: true }),
        );
      },
      { timeout: 15_000, interval: 200 },
    );
    expect(console.state.view).toMatchObject({ access: 'merchant', shopName: '收银示例咖啡馆' });
    expect(console.state.view.shipping.items).toContainEqual(
      expect.objectContaining({ outTradeNo: no, totalText: '¥41.00', late: false, focus: true }),
    );
    expect(console.state.view.focus.lines).toEqual([
      expect.stringMatching(/^新订单 ¥41\.00 · /),
      expect.stringMatching(/^待发货 ¥41\.00 · 已等待 \d+ 分钟$/),
    ]);
    console.openShip(no);
    console.pickCompany(console.state.view.companies.findIndex((x) => x.code === 'ZTO'));
    owner.wx.scanCode.mockResolvedValueOnce({ result: '7800 1234 5678' });
    await console.scanTrackingNo();
    await console.submitShip();
    expect(console.state.view.message).toMatch(/^已发货（快递），/);
    expect(console.state.view.shipping.items.map((i) => i.outTradeNo)).not.toContain(no);
    expect((await s.order(no)).status).toBe('PAID');

    // The receipt from the printer again, once per tap.
    await console.reprint(no);
    expect(console.state.view.message).not.toMatch(/失败|异常/);
    expect(owner.wx.callsOf('orderAlert', 'reprint')).toEqual([
      { action: 'reprint', outTradeNo: no, requestId: 'e2e-reprint-1' },
    ]);

    // The buyer sees the shipment and confirms receipt (WeChat's page, then ours).
    await order.load();
    expect(order.state.view).toMatchObject({ word: '已发货', canConfirm: true });
    expect(order.state.view.shipping).toMatchObject({
      method: '快递',
      company: '中通快递',
      trackingNo: '780012345678',
      itemDesc: '美式咖啡*1;重乳酪蛋糕*1', // the server's default: the order lines
    });
    await order.confirmReceipt();
    expect(erin.wx.openBusinessView).toHaveBeenCalledWith({
      businessType: 'weappOrderConfirm',
      extraData: { transaction_id: (await s.order(no)).transactionId },
    });
    expect(order.state.view).toMatchObject({ word: '已收货', canConfirm: false, message: '已确认收货' });

    // A full refund request, with a reason.
    order.openRefundForm();
    expect(order.state.view.form.maxText).toBe('¥41.00');
    order.editRefundForm('reason', '蛋糕压坏了');
    await order.submitRefund();
    expect(order.state.view).toMatchObject({
      word: '退款中',
      canRefund: false,
      message: '已提交退款申请 ¥41.00，等待商家审核',
    });
    expect(order.state.view.refunds).toEqual([
      expect.objectContaining({
        word: '待审核',
        amountText: '¥41.00',
        reason: '蛋糕压坏了',
        canCancel: true,
      }),
    ]);
    const refundId = (await s.refunds()).find((r) => r.outTradeNo === no)!._id;

    // The merchant approves from the refund queue; WeChat accepts (still 退款中 for the buyer).
    await console.load();
    expect(console.state.view.refunds.items).toContainEqual(
      expect.objectContaining({ refundId, word: '待审核', canReview: true, focus: true }),
    );
    await Promise.all([console.approve(refundId), console.approve(refundId)]);
    expect(console.state.view.message).toBe('已同意退款，微信处理中');
    expect(owner.wx.callsOf('applyRefund', 'approve')).toEqual([{ action: 'approve', refundId }]);
    expect(console.state.view.refunds.items.map((r) => r.refundId)).not.toContain(refundId);
    await order.load();
    expect(order.state.view.refunds[0]).toMatchObject({ word: '退款中', canCancel: false });

    // WeChat finishes the refund (10 s virtual) and notifies refundNotify: the order is 已退款.
    await s.sandbox.control.advanceClock(10_000);
    await s.sandbox.control.idle();
    await order.load();
    expect(order.state.view).toMatchObject({ word: '已退款', refundedText: '¥41.00', canRefund: false });
    expect(order.state.view.refunds).toEqual([
      expect.objectContaining({ refundId, word: '退款完成', amountText: '¥41.00', tone: '' }),
    ]);
    const list = createOrders({ api: erin.api, wx: erin.wx, templates: [], now: Date.now, render: () => {} });
    await list.load();
    expect(list.state.view.orders).toContainEqual(
      expect.objectContaining({ outTradeNo: no, word: '已退款' }),
    );
    expect(await s.order(no)).toMatchObject({ status: 'REFUNDED', refundedFee: 4100 });
  });

  it('the console records alert grants from wx.requestSubscribeMessage', async () => {
    const { owner, console } = merchantConsole();
    await console.load();
    const before = console.state.view.alerts.templates;
    expect(before.map((t) => t.templateId).sort()).toEqual(
      Object.values(DEMO_ALERT_TEMPLATES)
        .map((t) => t.id)
        .sort(),
    );
    owner.wx.requestSubscribeMessage.mockImplementationOnce(async ({ tmplIds }) => ({
      errMsg: 'requestSubscribeMessage:ok',
      ...Object.fromEntries(tmplIds.map((id) => [id, 'accept'])),
    }));
    await console.subscribeAlerts();
    expect(console.state.view.message).toMatch(/^已增加 3 条提醒额度/);
    // What was recorded: one accept per template (alerts waiting for a grant may spend it at once).
    expect(owner.wx.callsOf('orderAlert', 'subscribe')).toEqual([
      { action: 'subscribe', results: Object.fromEntries(before.map((t) => [t.templateId, 'accept'])) },
    ]);
    expect(console.state.view.alerts.error).toBe('');
  });
});
