/** The merchant console: only merchants see it; refund review, ship, alert grants, reprint. */
import { describe, expect, it } from 'vitest';
import { createMerchantConsole, type MerchantView, templatesToOffer } from '../../miniprogram/logic/merchant';
import type { AlertStatus, FulfilmentStatusView, RefundView } from '../../miniprogram/services/api-types';
import { createApi } from '../../miniprogram/services/client';
import { type FakeWx, fakeWx, recorder } from './support/fake-wx';
import { merchantShipment, refund, T0 } from './support/fixtures';

const HOUR = 3600_000;

const ALERTS: AlertStatus = {
  openid: 'o-owner',
  receivesAlerts: true,
  templates: [
    { slot: 'order', templateId: 'TPL_NEW', estimatedGrants: 12, exhausted: false },
    { slot: 'refund', templateId: 'TPL_REFUND', estimatedGrants: 2, exhausted: false },
    { slot: 'anomaly', templateId: 'TPL_ANOMALY', estimatedGrants: 5, exhausted: true },
  ],
  resubscribe: true,
  pending: 1,
  failed: 1,
  lastDeliveryAt: T0 - HOUR,
  recentFailures: [
    {
      id: 'd1',
      kind: 'REFUND_FAILED',
      channel: 'subscribe',
      reason: '43101 user refuse to accept the msg',
      at: T0 - HOUR,
    },
  ],
  printer: { configured: true, id: '960238952', lastJob: { status: 'SENT', jobId: 'J1', at: T0 - 2 * HOUR } },
  robot: { configured: false },
};

const SHIPPING: FulfilmentStatusView = {
  tradeManaged: true,
  // The server lists oldest first; the console keeps that order whatever it gets.
  awaitingShipment: [
    { outTradeNo: 'SY-NEW', paidAt: T0 - 2 * HOUR, totalFee: 1800, ageHours: 2, late: false },
    { outTradeNo: 'SY-OLD', paidAt: T0 - 50 * HOUR, totalFee: 4800, ageHours: 50, late: true },
  ],
  uploadsPending: [merchantShipment({ outTradeNo: 'SY-X', upload: { status: 'PENDING', attempts: 2 } })],
  uploadsFailed: [],
};

const change = (r: RefundView) => ({ changed: true, refund: r });

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
        kind: 'ORDER_PAID' as const,
        title: '新订单已支付',
        status: '已支付',
        at: T0 - 2 * HOUR,
        outTradeNo: 'SY-NEW',
        amountFee: 1800,
      },
      {
        id: 'REFUND_REQUESTED:RF-1',
        kind: 'REFUND_REQUESTED' as const,
        title: '顾客申请退款',
        status: '待审核',
        at: T0 - HOUR,
        outTradeNo: 'SY-OLD',
        amountFee: 1200,
      },
    ],
    nextCursor: null,
  }));
  wx.answer('orderAlert', 'status', () => ALERTS);
  wx.answer('fulfilOrder', 'status', () => SHIPPING);
  wx.answer('applyRefund', 'queue', (i) => ({
    refunds:
      i.status === 'REQUESTED'
        ? [refund({ refundId: 'RF-1', outTradeNo: 'SY-OLD' })]
        : [
            refund({
              refundId: 'RF-2',
              status: 'FAILED',
              label: '退款失败',
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

function open(wx: FakeWx, focus?: string) {
  const rec = recorder<MerchantView>();
  let n = 0;
  const c = createMerchantConsole({
    api: createApi(wx.cloud),
    wx,
    now: () => T0,
    newRequestId: () => `reprint-${++n}-abcdef`,
    ...(focus ? { focus } : {}),
    render: rec.render,
  });
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
    expect(c.state.view.feed.items).toHaveLength(2);
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
    expect(v.shipping).toMatchObject({
      managedText: '已开通微信发货信息管理',
      uploadsText: '发货信息待同步 1 笔，失败 0 笔',
    });
    expect(v.alerts).toMatchObject({
      lowGrants: true,
      needsResubscribe: true,
      notReceiving: false,
      pendingText: '待发送 1 条，发送失败 1 条，最近送达 12-05 09:00',
      failures: ['12-05 09:00 退款失败 · 订阅消息：43101 user refuse to accept the msg'],
      printerText: '打印机 960238952：最近一张小票已打印（12-05 08:00）',
      printerConfigured: true,
    });
    // An exhausted template has no grant left whatever the estimate says.
    expect(v.alerts.templates.map((t) => [t.title, t.grants, t.low])).toEqual([
      ['新订单提醒', 12, false],
      ['退款提醒', 2, true],
      ['异常提醒', 0, true],
    ]);
    expect(v.feed.items.map((i) => [i.word, i.amountText, i.canReprint])).toEqual([
      ['新订单', '¥18.00', true],
      ['退款申请', '¥12.00', false],
    ]);
    expect(v.focus).toEqual({ outTradeNo: '', lines: [] });
  });

  it('approve: one call even on a double tap, then the queue reloads', async () => {
    const wx = merchantWx();
    wx.answer('applyRefund', 'approve', (i) =>
      change(refund({ refundId: i.refundId, status: 'PROCESSING', label: '退款中' })),
    );
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
    wx.answer('applyRefund', 'reject', (i) => change(refund({ refundId: i.refundId, status: 'REJECTED' })));
    wx.answer('applyRefund', 'retry', (i) => change(refund({ refundId: i.refundId, status: 'PROCESSING' })));
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
      change(refund({ refundFee: i.refundFee, status: 'PROCESSING', requestedBy: 'merchant' })),
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
      changed: true,
      shipment: merchantShipment({ outTradeNo: i.outTradeNo }),
    }));
    const { c } = open(wx);
    await c.load();
    c.openShip('SY-OLD');
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
    c.editShip('itemDesc', '拿铁咖啡 ×2，黄油可颂 ×1');
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
    // A second tap that lost the race (the server answers changed: false) says so.
    wx.answer('fulfilOrder', 'ship', (i) => ({
      changed: false,
      shipment: merchantShipment({ outTradeNo: i.outTradeNo }),
    }));
    c.openShip('SY-NEW');
    c.pickLogistics(3); // pickup: no company, no tracking number, item description left to the server
    await c.submitShip();
    expect(wx.callsOf('fulfilOrder', 'ship').at(-1)).toEqual({
      action: 'ship',
      outTradeNo: 'SY-NEW',
      logisticsType: 4,
    });
    expect(c.state.view.message).toBe('这笔订单已发货');
    expect(c.state.view.ship.open).toBe(false);
  });

  it('subscribe: at most 3 templates, the emptiest first; the answers are recorded', async () => {
    const wx = merchantWx();
    wx.answer('orderAlert', 'subscribe', (i) => ({
      accepted: Object.keys(i.results).filter((k) => i.results[k] === 'accept'),
      ignored: [],
      released: 1,
      delivery: { drained: 0, due: 1, delivered: 1, accepted: 0, retry: 0, failed: 0, skipped: 0, left: 0 },
    }));
    wx.requestSubscribeMessage.mockResolvedValueOnce({
      errMsg: 'requestSubscribeMessage:ok',
      TPL_ANOMALY: 'accept',
      TPL_REFUND: 'accept',
      TPL_NEW: 'reject',
    });
    const { c } = open(wx);
    await c.load();
    await c.subscribeAlerts();
    expect(wx.requestSubscribeMessage).toHaveBeenCalledWith({
      tmplIds: ['TPL_ANOMALY', 'TPL_REFUND', 'TPL_NEW'],
    });
    expect(wx.callsOf('orderAlert', 'subscribe')).toEqual([
      { action: 'subscribe', results: { TPL_ANOMALY: 'accept', TPL_REFUND: 'accept', TPL_NEW: 'reject' } },
    ]);
    expect(c.state.view.message).toBe('已增加 2 条提醒额度，1 条待发提醒已发出');
    const four = ['A', 'B', 'C', 'D'].map((t, i) => ({
      templateId: t,
      title: t,
      grants: 4 - i,
      exhausted: false,
    }));
    expect(templatesToOffer(four)).toEqual(['D', 'C', 'B']);
  });

  it('subscribe: all declined records nothing', async () => {
    const wx = merchantWx();
    wx.requestSubscribeMessage.mockResolvedValueOnce({ errMsg: 'requestSubscribeMessage:ok' });
    const { c } = open(wx);
    await c.load();
    await c.subscribeAlerts();
    expect(wx.callsOf('orderAlert', 'subscribe')).toEqual([]);
    expect(c.state.view.message).toBe('未接受任何提醒');
  });

  it('reprint: one requestId per tap, reused when the call failed, fresh after an answer', async () => {
    const wx = merchantWx();
    let fail = true;
    wx.raw('orderAlert', 'reprint', (d) => {
      if (fail) throw { errCode: -504003, errMsg: 'cloud.callFunction:fail timeout' };
      return {
        ok: true,
        data: { deliveryId: `x|reprint:${String(d.requestId)}`, status: 'SENT', printJobId: 'J9' },
      };
    });
    const { c } = open(wx);
    await c.load();
    await c.reprint('SY-NEW');
    expect(c.state.view.message).toBe('网络或服务异常，请稍后重试（-504003）');
    fail = false;
    await c.reprint('SY-NEW');
    expect(c.state.view.message).toBe('小票已打印');
    await c.reprint('SY-NEW');
    expect(wx.callsOf('orderAlert', 'reprint')).toEqual([
      { action: 'reprint', outTradeNo: 'SY-NEW', requestId: 'reprint-1-abcdef' },
      { action: 'reprint', outTradeNo: 'SY-NEW', requestId: 'reprint-1-abcdef' },
      { action: 'reprint', outTradeNo: 'SY-NEW', requestId: 'reprint-2-abcdef' },
    ]);
  });

  it('opened from an alert (?outTradeNo=): what each section holds of that order comes first', async () => {
    const { c } = open(merchantWx(), 'SY-OLD');
    await c.load();
    const v = c.state.view;
    expect(v.focus).toEqual({
      outTradeNo: 'SY-OLD',
      lines: [
        '退款申请 ¥12.00 · 12-05 09:00',
        '待发货 ¥48.00 · 已等待 2 天 2 小时（已超时）',
        '退款待审核 ¥12.00 · 少了一个可颂',
      ],
    });
    expect(v.shipping.items.map((i) => [i.outTradeNo, i.focus])).toEqual([
      ['SY-OLD', true],
      ['SY-NEW', false],
    ]);
  });
});
