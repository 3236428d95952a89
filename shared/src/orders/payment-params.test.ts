import { describe, expect, it } from 'vitest';
import { parseBeijingTime } from '../wxpay/ids';
import {
  BODY_MAX,
  MIN_EXPIRE_MINUTES,
  orderBody,
  paymentWindow,
  TIME_EXPIRE_MARGIN_MS,
  unifiedOrderFor,
} from './payment-params';

// 2026-11-22 16:30:15.500 UTC = 2026-11-23 00:30:15 in Beijing: the date changes too.
const NOW = Date.UTC(2026, 10, 22, 16, 30, 15, 500);
const bytes = (s: string) => Buffer.byteLength(s, 'utf8');

describe('paymentWindow', () => {
  it('is in Beijing time, whole seconds, default length as configured', () => {
    const w = paymentWindow(NOW, 30);
    expect(w.timeStart).toBe('20261123003015');
    expect(w.timeExpire).toBe('20261123010115');
    expect(w.expireAt).toBe(Date.UTC(2026, 10, 22, 17, 1, 15));
    expect(parseBeijingTime(w.timeExpire)).toBe(w.expireAt);
  });

  it.each([
    [0, MIN_EXPIRE_MINUTES],
    [1, MIN_EXPIRE_MINUTES],
    [4.9, MIN_EXPIRE_MINUTES],
    [5, 5],
    [6, 6],
    [Number.NaN, MIN_EXPIRE_MINUTES],
    [1440, 1440],
  ])('%s minutes → at least 5 (%s)', (asked, minutes) => {
    const w = paymentWindow(NOW, asked);
    expect(w.expireAt - Math.floor(NOW / 1000) * 1000).toBe(minutes * 60_000 + TIME_EXPIRE_MARGIN_MS);
  });

  // Issue 9.1: with ORDER_EXPIRE_MINUTES=5 the window used to be exactly 5 minutes from the second the
  // request started, so WeChat — reading it a moment later — saw less than its 5-minute minimum.
  it.each([0, 1, 499, 999])(
    'leaves WeChat over 5 minutes even when it reads the request 30 s later (+%s ms)',
    (ms) => {
      const now = Date.UTC(2026, 10, 22, 16, 30, 15, ms);
      const w = paymentWindow(now, MIN_EXPIRE_MINUTES);
      const seenByWeChat = now + 30_000;
      expect(parseBeijingTime(w.timeExpire)! - seenByWeChat).toBeGreaterThan(5 * 60_000);
    },
  );
});

describe('orderBody', () => {
  it('names a single item', () => {
    expect(orderBody([{ name: '乌龙茶', quantity: 1 }])).toBe('乌龙茶');
  });

  it('counts several items', () => {
    expect(orderBody([{ name: '乌龙茶', quantity: 2 }])).toBe('乌龙茶 等2件');
    expect(
      orderBody([
        { name: 'Tea', quantity: 1 },
        { name: 'Cake', quantity: 3 },
      ]),
    ).toBe('Tea 等4件');
  });

  it('drops 4-byte characters and control characters', () => {
    const body = orderBody([{ name: '奶茶🧋\u0007大杯', quantity: 1 }]);
    expect(body).toBe('奶茶大杯');
    expect(/[\uD800-\uDFFF]/.test(body)).toBe(false);
  });

  it('stays within 127 bytes and 127 characters, suffix included', () => {
    const long = orderBody([
      { name: '长'.repeat(200), quantity: 1 },
      { name: 'x', quantity: 1 },
    ]);
    expect(bytes(long)).toBeLessThanOrEqual(BODY_MAX);
    expect(long.endsWith(' 等2件')).toBe(true);
    const ascii = orderBody([{ name: 'a'.repeat(300), quantity: 1 }]);
    expect(ascii).toBe('a'.repeat(127));
  });

  it('falls back when nothing printable is left', () => {
    expect(orderBody([{ name: '🧋🧋', quantity: 1 }])).toBe('商品');
    expect(orderBody([{ name: '   ', quantity: 1 }])).toBe('商品');
  });
});

describe('unifiedOrderFor', () => {
  it('builds the JSAPI parameters once, for storing and re-entry', () => {
    const { params, expireAt } = unifiedOrderFor({
      outTradeNo: 'SY20261123003015ABCDEFGHJKMN',
      totalFee: 1990,
      openid: 'oPayer',
      lines: [{ productId: 'tea', name: '乌龙茶', unitFee: 1990, quantity: 1, lineFee: 1990 }],
      nowMs: NOW,
      expireMinutes: 30,
      notifyUrl: 'https://example.com/wxpay/pay-notify',
      spbillCreateIp: '10.0.0.1',
      signType: 'HMAC-SHA256',
    });
    expect(params).toEqual({
      body: '乌龙茶',
      out_trade_no: 'SY20261123003015ABCDEFGHJKMN',
      total_fee: 1990,
      spbill_create_ip: '10.0.0.1',
      notify_url: 'https://example.com/wxpay/pay-notify',
      openid: 'oPayer',
      trade_type: 'JSAPI',
      time_start: '20261123003015',
      time_expire: '20261123010115',
      // Issue 9.5: what is signed is stored, so a re-entry after the merchant switches sign type is identical.
      sign_type: 'HMAC-SHA256',
    });
    expect(params).not.toHaveProperty('nonce_str');
    expect(expireAt).toBe(Date.UTC(2026, 10, 22, 17, 1, 15));
  });
});
