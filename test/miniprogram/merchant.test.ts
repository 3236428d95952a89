/** The merchant console: only merchants see it; refund review, ship, alert grants, reprint. */
import { describe, expect, it } from 'vitest';
import { createMerchantConsole, type MerchantView, templatesToOffer } from '../../miniprogram/logic/merchant';
import { createApi } from '../../miniprogram/services/client';
import type { AlertStatus, FulfilmentStatus } from '../../miniprogram/services/pending-api';
import { type FakeWx, fakeWx, recorder } from './support/fake-wx';
import { refund, T0 } from './support/fixtures';

const HOUR = 3600_000;

const ALERTS: AlertStatus = {
  templates: [
    { templateId: 'TPL_NEW', title: '新订单提醒', grants: 12 },
    { templateId: 'TPL_REFUND', title: '退款申请提醒', grants: 2 },
    { templateId: 'TPL_DONE', title: '退款结果提醒', grants: 5 },
    { templateId: 'TPL_ANOMALY', title: '异常提醒', grants: 0 },
  ],
  needsResubscribe: false,
  pending: 1,
  failed: 0,
  printer: { configured: true, state: 'ONLINE' },
};

const SHIPPING: FulfilmentStatus = {
  managed: true,
  awaiting: [
    { outTradeNo: 'SY-NEW', paidAt: T0 - 2 * HOUR, totalFee: 1800, summary: '拿铁咖啡 ×1' },
    { outTradeNo: 'SY-OLD', paidAt: T0 - 50 * HOUR, totalFee: 4800, summary: '拿铁咖啡 ×2，黄油可颂 ×1' },
  ],
  uploadsPending: 0,
  uploadsFailed: 0,
  expressCompanies: [
    { code: 'SF', name: '顺丰速运' },
    { code: 'ZTO', name: '中通快递' },
  ],
};

function merchantWx(): FakeWx {
  const wx = fakeWx();
  wx.answer('whoami', 'get', () => ({
    openid: 'o-owner',
    merchant: { id: 'demo-shop', name: '收银示例咖啡馆' },
  }));
  wx.answer('orderAlert', 'feed', () => ({
    items: [
      {
        id: 'ORDER_PAID:SY-NEW',
        kind: 'ORDER_PAID',
        at: T0 - 2 * HOUR,
        outTradeNo: 'SY-NEW',
        totalFee: 1800,
      },
    ],
    nextCursor: null,
  }));
  wx.answer('orderAlert', 'status', () => ALERTS);
  wx.answer('fulfilOrder', 'status', () => SHIPPING);
  wx.answer('applyRefund', 'queue', (i) => ({
    items:
      i.status === 'REQUESTED'
        ? [refund({ refundId: 'RF-1' })]
        : [
            refund({
              refundId: 'RF-2',
              status: 'FAILED',
              failure: {
                code: 'NOTENOUGH',
                message: '交易未结算资金不足，请使用可用余额退款',
                hint: '可改用可用余额退款',
              },
            }),
          ],
    nextCursor: null,
  }));
  return wx;
}

function open(wx: FakeWx) {
  const rec = recorder<MerchantView>();
  const c = createMerchantConsole({ api: createApi(wx.cloud), wx, now: () => T0, render: rec.render });
  return { c, rec };
}

describe('merchant console access', () => {
  it('a customer sees "merchants only" and no merchant action is ever called', async () => {
    const wx = fakeWx();
    wx.answer('whoami', 'get', () => ({ openid: 'o-alice', merchant: null }));
    const { c, rec } = open(wx);
    await c.load();
    await c.approve('RF-1');
    await c.subscribeAlerts();
    await c.load();
    expect(c.state.view.access).toBe('denied');
    expect(new Set(wx.calls.map((x) => x.name))).toEqual(new Set(['whoami']));
    // Nothing of the console was ever rendered for them.
    expect(rec.patches.some((p) => p.feed || p.refunds || p.shipping || p.alerts)).toBe(false);
  });

  it('NOT_MERCHANT from any section (a merchant removed meanwhile) closes the console', async () => {
    const wx = merchantWx();
    wx.raw('orderAlert', 'feed', () => ({
      ok: false,
      error: { code: 'NOT_MERCHANT', message: 'not a merchant' },
    }));
    const { c } = open(wx);
    await c.load();
    expect(c.state.view.access).toBe('denied');
  });

  it('one section failing leaves the others', async () => {
    const wx = merchantWx();
    wx.raw('fulfilOrder', 'status', () => {
      throw { errCode: -501000, errMsg: 'cloud.callFunction:fail function not found' };
    });
    const { c } = open(wx);
    await c.load();
    expect(c.state.view.shipping.error).toBe('网络或服务异常，请稍后重试（-501000）');
    expect(c.state.view.feed.items).toHaveLength(1);
    expect(c.state.view.refunds.items).toHaveLength(2);
  });
});

describe('merchant console', () => {
  it('shows the feed, awaiting orders oldest first with their age, the refund queue and alert grants', async () => {
    const { c } = open(merchantWx());
    await c.load();
    const v = c.state.view;
    expect(v.access).toBe('merchant');
    expect(v.feed.items[0]).toMatchObject({ word: '新订单', amountText: '¥18.00', outTradeNo: 'SY-NEW' });
    expect(v.shipping.items.map((i) => [i.outTradeNo, i.ageText, i.late])).toEqual([
      ['SY-OLD', '2 天 2 小时', true],
      ['SY-NEW', '2 小时 0 分', false],
    ]);
    expect(v.refunds.items.map((r) => [r.refundId, r.word, r.canReview, r.canRetry])).toEqual([
      ['RF-1', '待审核', true, false],
      ['RF-2', '退款失败', false, true],
    ]);
    expect(v.refunds.items[1]!.note).toBe('交易未结算资金不足，请使用可用余额退款（可改用可用余额退款）');
    expect(v.alerts).toMatchObject({ lowGrants: true, printerText: '打印机：在线' });
  });

  it('approve: one call even on a double tap, then the queue reloads', async () => {
    const wx = merchantWx();
    wx.answer('applyRefund', 'approve', (i) => refund({ refundId: i.refundId, status: 'PROCESSING' }));
    const { c } = open(wx);
    await c.load();
    const queued = wx.callsOf('applyRefund', 'queue').length;
    await Promise.all([c.approve('RF-1'), c.approve('RF-1')]);
    expect(wx.callsOf('applyRefund', 'approve')).toEqual([{ action: 'approve', refundId: 'RF-1' }]);
    expect(c.state.view.message).toBe('已同意退款，微信处理中');
    expect(wx.callsOf('applyRefund', 'queue').length).toBe(queued + 2);
  });

  it('reject needs a reason; retry can take the available balance', async () => {
    const wx = merchantWx();
    wx.answer('applyRefund', 'reject', (i) => refund({ refundId: i.refundId, status: 'REJECTED' }));
    wx.answer('applyRefund', 'retry', (i) => refund({ refundId: i.refundId, status: 'PROCESSING' }));
    const { c } = open(wx);
    await c.load();
    await c.reject('RF-1', '  ');
    expect(c.state.view.message).toBe('请填写拒绝原因');
    expect(wx.callsOf('applyRefund', 'reject')).toEqual([]);
    await c.reject('RF-1', '商品已使用');
    expect(wx.callsOf('applyRefund', 'reject')).toEqual([
      { action: 'reject', refundId: 'RF-1', reason: '商品已使用' },
    ]);
    await c.retry('RF-2', 'available');
    expect(wx.callsOf('applyRefund', 'retry')).toEqual([
      { action: 'retry', refundId: 'RF-2', fundSource: 'available' },
    ]);
    expect(c.state.view.message).toBe('已重新提交退款');
  });

  it('a merchant-started refund is checked, then sent in fen', async () => {
    const wx = merchantWx();
    wx.answer('applyRefund', 'start', (i) =>
      refund({ refundFee: i.refundFee, status: 'PROCESSING', requestedBy: 'merchant' }),
    );
    const { c } = open(wx);
    await c.load();
    c.openStart('SY-OLD');
    c.editStart('amountText', '0');
    await c.submitStart();
    expect(c.state.view.start.errors).toEqual({ amount: '退款金额必须大于 0', reason: '请填写退款原因' });
    c.editStart('amountText', '12.80');
    c.editStart('reason', '缺货');
    await c.submitStart();
    expect(wx.callsOf('applyRefund', 'start')).toEqual([
      { action: 'start', outTradeNo: 'SY-OLD', refundFee: 1280, reason: '缺货' },
    ]);
    expect(c.state.view.message).toBe('已发起退款 ¥12.80');
  });

  it('ship: the form is validated, the barcode scan fills the tracking number, SF contact masked', async () => {
    const wx = merchantWx();
    wx.answer('fulfilOrder', 'ship', (i) => ({
      outTradeNo: i.outTradeNo,
      state: 'SHIPPED' as const,
      upload: { status: 'UPLOADED' as const, attempts: 1 },
    }));
    const { c } = open(wx);
    await c.load();
    c.openShip('SY-OLD', '拿铁咖啡 ×2，黄油可颂 ×1');
    await c.submitShip();
    expect(c.state.view.ship.errors).toEqual({
      expressCompany: '请选择快递公司',
      trackingNo: '请填写快递单号',
    });
    expect(wx.callsOf('fulfilOrder', 'ship')).toEqual([]);
    c.pickCompany(0); // SF
    wx.scanCode.mockResolvedValueOnce({ result: 'sf 1234 5678 90' });
    await c.scanTrackingNo();
    expect(c.state.view.ship.trackingNo).toBe('SF1234567890');
    await c.submitShip();
    expect(c.state.view.ship.errors).toEqual({ receiverContact: '顺丰快递需要收件人手机号' });
    c.editShip('receiverContact', '13812345678');
    await c.submitShip();
    expect(wx.callsOf('fulfilOrder', 'ship')).toEqual([
      {
        action: 'ship',
        outTradeNo: 'SY-OLD',
        logisticsType: 1,
        expressCompany: 'SF',
        trackingNo: 'SF1234567890',
        receiverContact: '138****5678',
        itemDesc: '拿铁咖啡 ×2，黄油可颂 ×1',
      },
    ]);
    expect(c.state.view.message).toBe('已发货（快递），已同步微信');
    expect(c.state.view.ship.open).toBe(false);
  });

  it('subscribe: at most 3 templates, the emptiest first; the answers are recorded', async () => {
    const wx = merchantWx();
    wx.answer('orderAlert', 'subscribe', () => ({ templates: ALERTS.templates }));
    wx.requestSubscribeMessage.mockResolvedValueOnce({
      errMsg: 'requestSubscribeMessage:ok',
      TPL_ANOMALY: 'accept',
      TPL_REFUND: 'accept',
      TPL_DONE: 'reject',
    });
    const { c } = open(wx);
    await c.load();
    expect(templatesToOffer(ALERTS.templates)).toEqual(['TPL_ANOMALY', 'TPL_REFUND', 'TPL_DONE']);
    await c.subscribeAlerts();
    expect(wx.requestSubscribeMessage).toHaveBeenCalledWith({
      tmplIds: ['TPL_ANOMALY', 'TPL_REFUND', 'TPL_DONE'],
    });
    expect(wx.callsOf('orderAlert', 'subscribe')).toEqual([
      { action: 'subscribe', results: { TPL_ANOMALY: 'accept', TPL_REFUND: 'accept', TPL_DONE: 'reject' } },
    ]);
    expect(c.state.view.message).toBe('已增加 2 条提醒额度');
  });

  it('reprint a receipt', async () => {
    const wx = merchantWx();
    wx.answer('orderAlert', 'reprint', () => ({ queued: true }));
    const { c } = open(wx);
    await c.load();
    await c.reprint('SY-NEW');
    expect(wx.callsOf('orderAlert', 'reprint')).toEqual([{ action: 'reprint', outTradeNo: 'SY-NEW' }]);
    expect(c.state.view.message).toBe('已发送打印');
  });
});
