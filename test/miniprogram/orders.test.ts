/** My orders and one order: status words, pay again, refund request and cancel, confirm receipt. */
import { describe, expect, it } from 'vitest';
import { createOrderDetail, type OrderDetailView } from '../../miniprogram/logic/order-detail';
import { createOrders, type OrdersView } from '../../miniprogram/logic/orders';
import { orderWord } from '../../miniprogram/logic/words';
import type { OrderView } from '../../miniprogram/services/api-types';
import { createApi } from '../../miniprogram/services/client';
import { type FakeWx, fakeWx, recorder } from './support/fake-wx';
import { order, paymentStart, refund, shipment, T0 } from './support/fixtures';

describe('status in words', () => {
  it.each<[string, Partial<OrderView>]>([
    ['待支付', { status: 'NOTPAY' }],
    ['已支付', { status: 'PAID' }],
    ['已发货', { shipment: shipment() }],
    ['已收货', { shipment: shipment({ status: 'RECEIVED', receivedAt: T0 + 7200_000 }) }],
    ['退款中', { refunds: [refund({ status: 'PROCESSING', label: '退款中' })] }],
    ['退款中', { refunds: [refund({ status: 'FAILED', label: '退款失败' })] }],
    ['退款中', { refunds: [refund({ status: 'REQUESTED' })], shipment: shipment() }],
    [
      '已收货',
      {
        refunds: [refund({ status: 'CANCELLED', label: '已取消' })],
        shipment: shipment({ status: 'RECEIVED' }),
      },
    ],
    ['已支付', { status: 'PARTIALLY_REFUNDED', refundedFee: 100, refunds: [refund({ status: 'SUCCESS' })] }],
    ['已退款', { status: 'REFUNDED', refundedFee: 4800 }],
    ['已关闭', { status: 'CLOSED' }],
  ])('%s', (word, over) => expect(orderWord(order(over))).toBe(word));
});

describe('my orders', () => {
  it('lists the own orders through createPayment.list, pages on, pays an unpaid one again', async () => {
    const wx = fakeWx();
    wx.answer('createPayment', 'list', (i) =>
      i.cursor
        ? { orders: [order({ outTradeNo: 'SY-2', status: 'CLOSED' })], nextCursor: null }
        : { orders: [order({ outTradeNo: 'SY-1', status: 'NOTPAY' })], nextCursor: 'c1' },
    );
    wx.answer('createPayment', 'resume', (i) => paymentStart(i.outTradeNo));
    wx.answer('createPayment', 'confirm', (i) => order({ outTradeNo: i.outTradeNo }));
    const rec = recorder<OrdersView>();
    const l = createOrders({
      api: createApi(wx.cloud),
      wx,
      templates: [],
      now: () => T0,
      render: rec.render,
    });
    await l.load();
    expect(l.state.view.orders).toEqual([
      {
        outTradeNo: 'SY-1',
        word: '待支付',
        totalText: '¥48.00',
        summary: '拿铁咖啡 ×2，黄油可颂 ×1',
        timeText: '12-05 10:00',
        canPay: true,
      },
    ]);
    expect(l.state.view.hasMore).toBe(true);
    await l.loadMore();
    expect(l.state.view.orders.map((o) => [o.outTradeNo, o.word, o.canPay])).toEqual([
      ['SY-1', '待支付', true],
      ['SY-2', '已关闭', false],
    ]);
    await l.pay('SY-1');
    expect(wx.callsOf('createPayment', 'resume')).toEqual([{ action: 'resume', outTradeNo: 'SY-1' }]);
    expect(l.state.view.message).toBe('已支付');
  });

  it('shows a load failure instead of an empty list', async () => {
    const wx = fakeWx();
    wx.raw('createPayment', 'list', () => ({
      ok: false,
      error: { code: 'INTERNAL', message: 'internal error' },
    }));
    const l = createOrders({ api: createApi(wx.cloud), wx, templates: [], now: () => T0, render: () => {} });
    await l.load();
    expect(l.state.view).toMatchObject({ loading: false, error: '服务暂时不可用，请稍后重试' });
  });
});

describe('order detail', () => {
  function detail(wx: FakeWx, o: () => OrderView) {
    wx.answer('createPayment', 'get', () => o());
    const rec = recorder<OrderDetailView>();
    return createOrderDetail({
      api: createApi(wx.cloud),
      wx,
      templates: [],
      outTradeNo: 'SY20261205100000A1',
      now: () => T0,
      render: rec.render,
    });
  }

  it('requests a partial refund (validated first), shows its progress, cancels it while pending', async () => {
    const wx = fakeWx();
    let current = order();
    wx.answer('applyRefund', 'request', (i) => {
      const r = refund({ refundFee: i.refundFee ?? 4800, reason: i.reason });
      current = order({ refunds: [r] });
      return { changed: true, refund: r };
    });
    wx.answer('applyRefund', 'cancel', (i) => {
      const r = refund({ refundId: i.refundId, status: 'CANCELLED', label: '已取消' });
      current = order({ refunds: [r] });
      return { changed: true, refund: r };
    });
    const d = detail(wx, () => current);
    await d.load();
    expect(d.state.view).toMatchObject({
      word: '已支付',
      canRefund: true,
      canPay: false,
      totalText: '¥48.00',
    });
    d.openRefundForm();
    expect(d.state.view.form).toMatchObject({ open: true, maxText: '¥48.00' });
    d.editRefundForm('amountText', '60');
    await d.submitRefund();
    expect(d.state.view.form.errors).toEqual({ amount: '最多可退 ¥48.00', reason: '请填写退款原因' });
    expect(wx.callsOf('applyRefund', 'request')).toEqual([]);
    d.editRefundForm('amountText', '12');
    d.editRefundForm('reason', '少了一个可颂');
    await d.submitRefund();
    expect(wx.callsOf('applyRefund', 'request')).toEqual([
      { action: 'request', outTradeNo: 'SY20261205100000A1', reason: '少了一个可颂', refundFee: 1200 },
    ]);
    expect(d.state.view).toMatchObject({
      word: '退款中',
      canRefund: false,
      message: '已提交退款申请 ¥12.00，等待商家审核',
    });
    expect(d.state.view.refunds).toEqual([
      {
        refundId: 'RF20261205100500B2',
        word: '待审核',
        amountText: '¥12.00',
        reason: '少了一个可颂',
        timeText: '12-05 10:05',
        canCancel: true,
        note: '',
        tone: 'warn',
      },
    ]);
    await d.cancelRefund('RF20261205100500B2');
    expect(wx.callsOf('applyRefund', 'cancel')).toEqual([
      { action: 'cancel', refundId: 'RF20261205100500B2' },
    ]);
    expect(d.state.view).toMatchObject({ message: '已撤销退款申请', canRefund: true });
    expect(d.state.view.refunds).toEqual([
      expect.objectContaining({ word: '已取消', canCancel: false, tone: '' }),
    ]);
  });

  it("confirm receipt: WeChat's confirmation page, then ours; a cancel there changes nothing", async () => {
    const wx = fakeWx();
    let current = order({ shipment: shipment({ shippedAt: T0 + HOUR }) });
    wx.answer('fulfilOrder', 'confirmReceipt', (i) => {
      current = order({
        outTradeNo: i.outTradeNo,
        shipment: shipment({ shippedAt: T0 + HOUR, status: 'RECEIVED', receivedAt: T0 + 2 * HOUR }),
      });
      return { changed: true, shipment: current.shipment! };
    });
    const d = detail(wx, () => current);
    await d.load();
    expect(d.state.view).toMatchObject({ word: '已发货', canConfirm: true });
    expect(d.state.view.shipping).toMatchObject({
      method: '快递',
      company: '顺丰速运',
      trackingNo: 'SF1234567890',
      itemDesc: '拿铁咖啡 ×2，黄油可颂 ×1',
      shippedText: '12-05 11:00',
      receivedText: '',
    });
    wx.openBusinessView.mockRejectedValueOnce({ errMsg: 'openBusinessView:fail cancel' });
    await d.confirmReceipt();
    expect(wx.callsOf('fulfilOrder', 'confirmReceipt')).toEqual([]);
    expect(d.state.view.message).toBe('已取消确认收货');
    await d.confirmReceipt();
    expect(wx.openBusinessView).toHaveBeenLastCalledWith({
      businessType: 'weappOrderConfirm',
      extraData: { transaction_id: '4200000000202612050000000001' },
    });
    expect(wx.callsOf('fulfilOrder', 'confirmReceipt')).toEqual([
      { action: 'confirmReceipt', outTradeNo: 'SY20261205100000A1' },
    ]);
    expect(d.state.view).toMatchObject({ word: '已收货', canConfirm: false, message: '已确认收货' });
    expect(d.state.view.shipping?.receivedText).toBe('12-05 12:00');
  });
});

const HOUR = 3600_000;
