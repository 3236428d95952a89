/**
 * Checkout and pay (issue 14): success, cancel (order kept payable, resumed), WeChat's failure message,
 * double tap and retries (one requestId per checkout → one order), a reopened page, an expired order.
 */
import { describe, expect, it } from 'vitest';
import type { CartLine } from '../../miniprogram/logic/cart';
import { type CheckoutView, createCheckout } from '../../miniprogram/logic/checkout';
import { createApi } from '../../miniprogram/services/client';
import { type FakeWx, fakeWx, recorder } from './support/fake-wx';
import { order, paymentStart } from './support/fixtures';

const LINES: CartLine[] = [
  { productId: 'latte', name: '拿铁咖啡', unitFee: 1800, quantity: 2, lineFee: 3600 },
  { productId: 'croissant', name: '黄油可颂', unitFee: 1200, quantity: 1, lineFee: 1200 },
];

function setup(wx: FakeWx = fakeWx()) {
  let n = 0;
  let paid = 0;
  const rec = recorder<CheckoutView>();
  wx.answer('createPayment', 'create', () => paymentStart('SY-A', 4800));
  wx.answer('createPayment', 'resume', (i) => paymentStart(i.outTradeNo, 4800));
  wx.answer('createPayment', 'confirm', (i) => order({ outTradeNo: i.outTradeNo, status: 'PAID' }));
  const make = () =>
    createCheckout({
      api: createApi(wx.cloud),
      wx,
      storage: wx,
      lines: LINES,
      templates: ['TPL_PAID', 'TPL_SHIPPED', 'TPL_REFUND'],
      newRequestId: () => `req-${++n}-abcdefgh`,
      onPaid: () => paid++,
      render: rec.render,
    });
  return { wx, rec, make, paid: () => paid };
}

const cancel = { errMsg: 'requestPayment:fail cancel' };

describe('checkout', () => {
  it('pays: create → requestPayment(payment as is) → subscribe offer + confirm → 已支付, cart cleared', async () => {
    const { wx, make, paid } = setup();
    const c = make();
    expect(c.state.view).toMatchObject({ totalText: '¥48.00', canPay: true, payLabel: '微信支付' });
    await c.pay();
    expect(wx.callsOf('createPayment', 'create')).toEqual([
      {
        action: 'create',
        items: [
          { productId: 'latte', quantity: 2 },
          { productId: 'croissant', quantity: 1 },
        ],
        requestId: 'req-1-abcdefgh',
      },
    ]);
    expect(wx.requestPayment).toHaveBeenCalledExactlyOnceWith(paymentStart('SY-A').payment);
    expect(wx.requestSubscribeMessage).toHaveBeenCalledWith({
      tmplIds: ['TPL_PAID', 'TPL_SHIPPED', 'TPL_REFUND'],
    });
    expect(wx.callsOf('createPayment', 'confirm')).toEqual([{ action: 'confirm', outTradeNo: 'SY-A' }]);
    expect(c.state.view).toMatchObject({ phase: 'paid', message: '已支付', canPay: false, busy: false });
    expect(paid()).toBe(1);
  });

  it('a declined subscription popup never fails the payment', async () => {
    const { wx, make } = setup();
    wx.requestSubscribeMessage.mockRejectedValueOnce({ errMsg: 'requestSubscribeMessage:fail cancel' });
    const c = make();
    await c.pay();
    expect(c.state.view.phase).toBe('paid');
  });

  it('cancel keeps the order payable and says so; the next tap resumes the same order', async () => {
    const { wx, make } = setup();
    wx.requestPayment.mockRejectedValueOnce(cancel);
    const c = make();
    await c.pay();
    expect(c.state.view).toMatchObject({
      phase: 'cancelled',
      canPay: true,
      payLabel: '继续支付',
      outTradeNo: 'SY-A',
      message: '已取消支付。订单已保留，支付期限内可继续支付',
    });
    expect(wx.callsOf('createPayment', 'confirm')).toEqual([]);

    await c.pay();
    expect(wx.callsOf('createPayment', 'create')).toHaveLength(1);
    expect(wx.callsOf('createPayment', 'resume')).toEqual([{ action: 'resume', outTradeNo: 'SY-A' }]);
    expect(c.state.view.phase).toBe('paid');
  });

  it("shows WeChat's own message on another failure, and the order stays payable", async () => {
    const { wx, make } = setup();
    wx.requestPayment.mockRejectedValueOnce({ errMsg: 'requestPayment:fail 零钱余额不足，请更换支付方式' });
    const c = make();
    await c.pay();
    expect(c.state.view).toMatchObject({
      phase: 'failed',
      canPay: true,
      message: '支付失败：零钱余额不足，请更换支付方式',
    });
    await c.pay();
    expect(wx.callsOf('createPayment', 'resume')).toHaveLength(1);
  });

  it('a double tap joins the running payment: one create, one requestPayment', async () => {
    const { wx, make } = setup();
    const c = make();
    await Promise.all([c.pay(), c.pay(), c.pay()]);
    expect(wx.callsOf('createPayment', 'create')).toHaveLength(1);
    expect(wx.requestPayment).toHaveBeenCalledTimes(1);
  });

  it('a failed create is retried with the same requestId (the server answers the same order)', async () => {
    const { wx, make } = setup();
    let first = true;
    wx.raw('createPayment', 'create', () => {
      if (first) {
        first = false;
        throw { errCode: -404011, errMsg: 'cloud.callFunction:fail timeout' };
      }
      return { ok: true, data: paymentStart('SY-A') };
    });
    const c = make();
    await c.pay();
    expect(c.state.view).toMatchObject({ phase: 'failed', payLabel: '重试', canPay: true });
    expect(c.state.view.message).toContain('网络或服务异常');
    await c.pay();
    const ids = wx.callsOf('createPayment', 'create').map((d) => d.requestId);
    expect(ids).toEqual(['req-1-abcdefgh', 'req-1-abcdefgh']);
    expect(c.state.view.phase).toBe('paid');
  });

  it('a reopened checkout of the same cart keeps its requestId and resumes its order', async () => {
    const { wx, make } = setup();
    wx.requestPayment.mockRejectedValueOnce(cancel);
    await make().pay();
    const again = make();
    expect(again.state.view).toMatchObject({ payLabel: '继续支付', outTradeNo: 'SY-A' });
    await again.pay();
    expect(wx.callsOf('createPayment', 'create')).toHaveLength(1);
    expect(wx.callsOf('createPayment', 'resume')).toHaveLength(1);
    // Paid: the next checkout starts afresh with a new requestId.
    await make().pay();
    expect(wx.callsOf('createPayment', 'create').map((d) => d.requestId)).toEqual([
      'req-1-abcdefgh',
      'req-2-abcdefgh',
    ]);
  });

  it('an expired order ends the checkout with the reason; no pay button', async () => {
    const { wx, make } = setup();
    wx.requestPayment.mockRejectedValueOnce(cancel);
    const c = make();
    await c.pay();
    wx.raw('createPayment', 'resume', () => ({
      ok: false,
      error: { code: 'ORDER_EXPIRED', message: 'expired' },
    }));
    await c.pay();
    expect(c.state.view).toMatchObject({
      phase: 'ended',
      canPay: false,
      message: '订单已超过支付时间，请重新下单',
    });
  });

  it('confirm still NOTPAY (notification not in yet) → pending, not an error', async () => {
    const { wx, make } = setup();
    wx.answer('createPayment', 'confirm', (i) => order({ outTradeNo: i.outTradeNo, status: 'NOTPAY' }));
    const c = make();
    await c.pay();
    expect(c.state.view).toMatchObject({ phase: 'pending', canPay: false });
  });
});
