// @vitest-environment jsdom
/**
 * The pages' real WXML rendered by miniprogram-simulate with their controllers' state, tapped like a user:
 * the checkout pays once on a double tap, a cancel shows the order kept, a customer opening the merchant
 * console sees no console, the refund form shows its errors.
 */
import { describe, expect, it, vi } from 'vitest';
import { refund } from './support/fixtures';
import { checkoutState, merchantState, orderState, type PageState, shopState } from './support/page-states';
import { type PageName, renderPage, settle } from './support/render-page';

async function mount(name: PageName, s: PageState) {
  await s.load();
  const page = renderPage(name, s.view(), s.methods);
  s.sink.setData = (p) => page.comp.setData(p as Record<string, unknown>);
  return page;
}

describe('rendered pages (miniprogram-simulate)', () => {
  it('shop: tapping ＋ adds to the cart and the total follows', async () => {
    const s = shopState();
    const page = await mount('shop', s);
    expect(page.text()).toContain('共3件合计¥48.00');
    page.comp.querySelector('.plus')!.dispatchEvent('tap');
    await settle();
    expect(page.text()).toContain('共4件合计¥66.00');
  });

  it('checkout: a double tap on 微信支付 pays once and shows 已支付', async () => {
    const s = checkoutState();
    const page = await mount('checkout', s);
    expect(page.text()).toContain('拿铁咖啡×2');
    expect(page.text()).toContain('¥48.00');
    const pay = page.comp.querySelector('.pay')!;
    pay.dispatchEvent('tap');
    pay.dispatchEvent('tap');
    await vi.waitFor(() => expect(page.text()).toContain('已支付'));
    expect(s.wx.callsOf('createPayment', 'create')).toHaveLength(1);
    expect(s.wx.requestPayment).toHaveBeenCalledTimes(1);
    expect(page.text()).toContain('已支付');
    expect(page.count('pay')).toBe(0);
    expect(page.count('view-order')).toBe(1);
  });

  it('checkout: a cancel says the order is kept and offers 继续支付', async () => {
    const s = checkoutState();
    s.wx.requestPayment.mockRejectedValueOnce({ errMsg: 'requestPayment:fail cancel' });
    const page = await mount('checkout', s);
    page.comp.querySelector('.pay')!.dispatchEvent('tap');
    await settle();
    await settle();
    expect(page.text()).toContain('已取消支付。订单已保留，支付期限内可继续支付');
    expect(page.text()).toContain('继续支付');
    page.comp.querySelector('.pay')!.dispatchEvent('tap');
    await vi.waitFor(() => expect(page.text()).toContain('已支付'));
    expect(s.wx.callsOf('createPayment', 'create')).toHaveLength(1);
    expect(s.wx.callsOf('createPayment', 'resume')).toHaveLength(1);
  });

  it('merchant console: a customer sees only 仅商家可见', async () => {
    const s = merchantState(undefined, false);
    const page = await mount('merchant', s);
    expect(page.text()).toContain('仅商家可见');
    for (const c of ['feed', 'shipping', 'refunds', 'alerts', 'approve']) expect(page.count(c)).toBe(0);
  });

  it('merchant console: a merchant approves from the refund queue', async () => {
    const s = merchantState();
    s.wx.answer('applyRefund', 'approve', () => ({
      changed: true,
      refund: refund({ refundId: 'RF-1', status: 'PROCESSING', label: '退款中' }),
    }));
    const page = await mount('merchant', s);
    expect(page.text()).toContain('退款待处理');
    expect(page.text()).toContain('已等待2天3小时');
    page.comp.querySelector('.approve')!.dispatchEvent('tap');
    await settle();
    await settle();
    expect(s.wx.callsOf('applyRefund', 'approve')).toEqual([{ action: 'approve', refundId: 'RF-1' }]);
    expect(page.text()).toContain('已同意退款，微信处理中');
  });

  it('merchant console: opened from an alert, the order is shown first', async () => {
    const s = merchantState(undefined, true, 'SY20261203080000E5');
    const page = await mount('merchant', s);
    expect(page.count('focus')).toBe(1);
    expect(page.text()).toContain('提醒中的订单SY20261203080000E5');
    expect(page.text()).toContain('待发货¥26.00·已等待2天3小时（已超时）');
    expect(page.count('focused')).toBe(1);
  });

  it('order detail: the refund form shows what is wrong', async () => {
    const s = orderState();
    const page = await mount('order', s);
    expect(page.text()).toContain('已发货');
    expect(page.text()).toContain('顺丰速运');
    page.comp.querySelector('.open-refund')!.dispatchEvent('tap');
    await settle();
    page.comp.querySelector('.submit-refund')!.dispatchEvent('tap');
    await settle();
    expect(page.text()).toContain('请填写退款原因');
    expect(s.wx.callsOf('applyRefund', 'request')).toEqual([]);
  });
});
