/**
 * The console's way to the WeChat Pay sandbox: the emulator forwards /sandbox/<route> to the sandbox's HTTPS
 * control API (same origin for the page, the sandbox's CA trusted by the emulator). Only the routes the console
 * uses are forwarded — never GET /sandbox/info, which holds the merchants' API keys.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { paperColumns, printedLines } from '../scripts/console/app/receipt';
import { renderOrderReceipt } from '../shared/src/alerts/receipt';
import { startTestStack, type TestStack } from './support/stack';

let s: TestStack;
beforeAll(async () => {
  s = await startTestStack();
});
afterAll(() => s?.stop());

const call = async (method: string, path: string, body?: unknown) => {
  const r = await fetch(`${s.emulator.baseUrl}${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: r.status, text: await r.text() };
};

describe('/sandbox/* through the emulator', () => {
  it('never forwards /sandbox/info (API keys) nor routes the console does not use', async () => {
    const info = await call('GET', '/sandbox/info');
    expect(info.status).toBe(404);
    expect(info.text).not.toContain(s.merchant.apiKey);
    for (const [m, p] of [
      ['POST', '/sandbox/reset'],
      ['POST', '/sandbox/balances'],
      ['POST', '/sandbox/refunds/vendor'],
    ] as const) {
      expect((await call(m, p, {})).status).toBe(404);
    }
  });

  it('forwards the console calls: clock, faults, pay — and the payment settles the order', async () => {
    const clock = await call('GET', '/sandbox/clock');
    expect(clock.status).toBe(200);
    expect(JSON.parse(clock.text)).toMatchObject({
      mode: 'manual',
      now: (await s.sandbox.control.clock()).now,
    });

    expect((await call('POST', '/sandbox/clock/advance', { ms: 60_000 })).status).toBe(200);
    expect((await call('POST', '/sandbox/faults', { target: 'refund', kind: 'SYSTEMERROR' })).status).toBe(
      200,
    );
    expect(await s.sandbox.control.listFaults()).toMatchObject([{ target: 'refund', kind: 'SYSTEMERROR' }]);
    expect((await call('POST', '/sandbox/faults/clear')).status).toBe(200);
    expect(await s.sandbox.control.listFaults()).toEqual([]);

    const start = await s.create('o-console-api', [{ productId: 'latte', quantity: 1 }]);
    const pay = await call('POST', '/sandbox/pay', { outTradeNo: start.outTradeNo, outcome: 'success' });
    expect(pay.status).toBe(200);
    await s.sandbox.control.idle();
    expect((await s.order(start.outTradeNo)).status).toBe('PAID');
    const n = await call('GET', `/sandbox/notifications?outTradeNo=${start.outTradeNo}`);
    expect(JSON.parse(n.text)).toMatchObject([{ kind: 'pay', state: 'delivered', attempts: 1 }]);
  });

  it('passes the sandbox refusals through (status and code)', async () => {
    const r = await call('POST', '/sandbox/pay', { outTradeNo: 'SY-no-such-order-000000' });
    expect(r.status).toBe(404);
    expect(JSON.parse(r.text)).toMatchObject({ error: { code: expect.any(String) } });
  });
});

describe("the console's 58 mm receipt", () => {
  it("prints orderAlert's receipt within 32 columns, double size and QR code as the printer does", () => {
    const content = renderOrderReceipt({
      shopName: '守银咖啡示范店（朝阳门旗舰店）',
      title: '新订单 已支付',
      outTradeNo: 'SY20261205184016T7AWJ0X6MDJ2',
      at: Date.UTC(2026, 11, 5, 10, 40),
      lines: [
        { name: '拿铁咖啡（大杯，燕麦奶，少冰）', unitFee: 1800, quantity: 2, lineFee: 3600 },
        { name: 'Croissant', unitFee: 1200, quantity: 1, lineFee: 1200 },
      ],
      totalFee: 4800,
    });
    const lines = printedLines(content);
    const text = lines.flatMap((l) => (l.kind === 'text' ? [l] : []));
    for (const l of text) expect(paperColumns(l), l.text).toBeLessThanOrEqual(32);
    // The double-size shop name (16 wide characters at most per line) wraps onto two centred lines.
    expect(text.filter((l) => l.size === 2 && l.center).map((l) => l.text)).toEqual([
      '守银咖啡示范店（',
      '朝阳门旗舰店）',
    ]);
    expect(text.some((l) => l.text === '合计：¥48.00' && l.size === 2)).toBe(true);
    // It ends with the QR code of the order and the cut, nothing printed after them.
    expect(lines.slice(-2)).toEqual([{ kind: 'qr', value: 'SY20261205184016T7AWJ0X6MDJ2' }, { kind: 'cut' }]);
  });
});
