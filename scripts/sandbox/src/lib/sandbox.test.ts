import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { NOTIFY_SUCCESS_XML, notifyReplyXml } from '@shouyin/shared';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  call,
  no,
  orderFields,
  request,
  seedPki,
  startReceiver,
  startTestSandbox,
  type TestSandbox,
} from '../testing/harness';
import { resolveMerchants } from './merchants';
import { startSandbox } from './sandbox';

const dirs: string[] = [];
const tmp = () => {
  const d = mkdtempSync(path.join(os.tmpdir(), 'shouyin-sandbox-'));
  dirs.push(d);
  return d;
};
let t: TestSandbox;
beforeAll(async () => {
  t = await startTestSandbox({}, { dir: tmp() });
});
afterAll(async () => {
  await t.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
/** A fresh state dir holding the same certificates and keys as `t` (no RSA generation). */
const seeded = () => {
  const d = tmp();
  seedPki(t.dir, d);
  return d;
};

describe('start, sandbox.json and the demo merchant', () => {
  test('sandbox.json holds what clients need, readable by its owner only', () => {
    const file = path.join(t.dir, 'sandbox.json');
    const json = JSON.parse(readFileSync(file, 'utf8'));
    expect(json).toEqual(t.sb.info);
    expect(statSync(file).mode & 0o077).toBe(0);
    expect(json.baseUrl).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(json.controlUrl).toBe(`${json.baseUrl}/sandbox`);
    expect(json.caFile).toBe(t.sb.caFile);
    const [m] = json.merchants;
    expect(m).toMatchObject({ appid: 'wx1234567890abcdef', mchId: '1900000109', signType: 'MD5' });
    expect(m.apiKey).toMatch(/^[0-9A-Za-z]{32}$/);
    for (const f of [m.certFile, m.keyFile, m.p12File, json.caFile]) expect(existsSync(f)).toBe(true);
    expect(statSync(m.keyFile).mode & 0o077).toBe(0);
    expect(readFileSync(m.keyFile, 'utf8')).toContain('BEGIN PRIVATE KEY');
  });

  test('the control API over HTTPS (what curl --cacert does)', async () => {
    const json = async (method: string, p: string, body?: unknown) => {
      const a = await request(t.sb, p, body === undefined ? undefined : JSON.stringify(body), {
        method,
        headers: { 'Content-Type': 'application/json' },
      });
      return { status: a.status, body: JSON.parse(a.text) };
    };
    expect((await json('GET', '/sandbox/info')).body).toEqual(t.sb.info);
    const f = orderFields(t.receiver.url());
    const uo = await call(t.sb, t.m, '/pay/unifiedorder', f);
    const paid = await json('POST', '/sandbox/pay', { prepayId: uo.fields.prepay_id });
    expect(paid).toMatchObject({ status: 200, body: { state: 'SUCCESS', outTradeNo: f.out_trade_no } });
    await json('POST', '/sandbox/idle');
    expect(t.receiver.received).toHaveLength(1);
    const orders = await json('GET', `/sandbox/orders?outTradeNo=${f.out_trade_no}`);
    expect(orders.body).toHaveLength(1);
    const deliveries = await json('GET', `/sandbox/deliveries?outTradeNo=${f.out_trade_no}`);
    expect(deliveries.body[0]).toMatchObject({ outcome: 'success', attempt: 1 });
    const clock = (await json('GET', '/sandbox/clock')).body;
    expect((await json('POST', '/sandbox/clock/advance', { ms: 60_000 })).body.now).toBe(clock.now + 60_000);
    const vendor = await json('POST', '/sandbox/refunds/vendor', {
      outTradeNo: f.out_trade_no,
      refundFee: 10,
    });
    expect(vendor.body).toMatchObject({ status: 'PROCESSING', source: 'VENDOR_PLATFORM' });
    expect(
      (await json('POST', '/sandbox/refunds/settle', { refundId: vendor.body.refundId, status: 'CHANGE' }))
        .body.status,
    ).toBe('CHANGE');
    expect((await json('GET', '/sandbox/refunds')).body).toHaveLength(1);
    expect((await json('POST', '/sandbox/balances', { available: 5 })).body).toMatchObject({
      mchId: t.m.mchId,
      available: 5,
    });
    expect(
      (await json('POST', '/sandbox/faults', { target: 'refund', kind: 'SYSTEMERROR', count: 2 })).body,
    ).toMatchObject({ count: 2 });
    expect((await json('GET', '/sandbox/faults')).body).toHaveLength(1);
    await json('DELETE', '/sandbox/faults');
    expect((await json('GET', '/sandbox/faults')).body).toHaveLength(0);
    // Errors: 404 route / unknown order, 400 bad input, 409 refused by the rules.
    expect(await json('GET', '/sandbox/nothing')).toMatchObject({
      status: 404,
      body: { error: { code: 'NO_ROUTE' } },
    });
    expect(await json('POST', '/sandbox/pay', { outTradeNo: 'NOPE_123' })).toMatchObject({
      status: 404,
      body: { error: { code: 'ORDERNOTEXIST' } },
    });
    expect(
      (await json('POST', '/sandbox/pay', { prepayId: uo.fields.prepay_id, outcome: 'maybe' })).status,
    ).toBe(400);
    expect(await json('POST', '/sandbox/pay', { prepayId: uo.fields.prepay_id })).toMatchObject({
      status: 409,
      body: { error: { code: 'ORDERPAID' } },
    });
    const bad = await request(t.sb, '/sandbox/pay', '{not json', {
      headers: { 'Content-Type': 'application/json' },
    });
    expect(bad.status).toBe(400);
    expect((await json('POST', '/sandbox/reset')).body).toEqual({ ok: true });
    expect((await json('GET', '/sandbox/orders')).body).toEqual([]);
  });

  test('API keys are generated per state dir and kept (no hard-coded secret)', () => {
    const d1 = tmp();
    const k1 = resolveMerchants(d1, undefined)[0]!.apiKey;
    expect(k1).toMatch(/^[0-9A-Za-z]{32}$/);
    expect(resolveMerchants(d1, undefined)[0]!.apiKey).toBe(k1);
    expect(resolveMerchants(tmp(), undefined)[0]!.apiKey).not.toBe(k1);
    expect(statSync(path.join(d1, 'keys.json')).mode & 0o077).toBe(0);
  });
});

describe('persistence', () => {
  test('a restart keeps keys, certificates, orders, refunds, the delivery log, the virtual clock, and resumes retries and settlements', async () => {
    const dir = seeded();
    const receiver = await startReceiver();
    receiver.reply = () => ({ body: notifyReplyXml('FAIL', 'not yet') });
    const opts = {
      stateDir: dir,
      clock: { mode: 'manual', startMs: Date.UTC(2025, 0, 6) } as const,
      allowLoopbackNotify: true,
    };
    const a = await startSandbox(opts);
    const m = a.info.merchants[0]!;
    const paidNo = no('P');
    const uo = await call(
      a,
      m,
      '/pay/unifiedorder',
      orderFields(receiver.url(), { out_trade_no: paidNo, total_fee: 300 }),
    );
    await a.control.pay({ prepayId: uo.fields.prepay_id! });
    await a.control.idle(); // first attempt fails; a retry is due 15 s later
    const outRefundNo = no('R');
    const rf = await call(
      a,
      m,
      '/secapi/pay/refund',
      { out_trade_no: paidNo, out_refund_no: outRefundNo, total_fee: 300, refund_fee: 100 },
      { cert: m },
    );
    expect(rf.fields.result_code).toBe('SUCCESS');
    const clockBefore = (await a.control.clock()).now;
    const caBefore = readFileSync(a.caFile, 'utf8');
    await a.stop();
    await a.stop(); // idempotent

    receiver.reply = () => ({ body: NOTIFY_SUCCESS_XML });
    const b = await startSandbox(opts);
    try {
      expect(b.info.merchants[0]!.apiKey).toBe(m.apiKey);
      expect(readFileSync(b.caFile, 'utf8')).toBe(caBefore);
      expect((await b.control.clock()).now).toBe(clockBefore);
      expect((await b.control.listOrders({ outTradeNo: paidNo }))[0]).toMatchObject({
        state: 'REFUND',
        refundedFee: 100,
      });
      // The old client certificate still authenticates against the restarted server.
      const q = await call(b, m, '/pay/refundquery', { out_refund_no: outRefundNo });
      expect(q.fields).toMatchObject({ refund_status_0: 'PROCESSING' });
      expect(await b.control.listDeliveries({ outTradeNo: paidNo })).toHaveLength(1);
      await b.control.advanceClock(15_000);
      const log = await b.control.listDeliveries({ outTradeNo: paidNo, kind: 'pay' });
      expect(log.map((d) => d.outcome)).toEqual(['fail', 'success']);
      expect(log[1]!.at - log[0]!.at).toBe(15_000);
      expect(
        (await call(b, m, '/pay/refundquery', { out_refund_no: outRefundNo })).fields.refund_status_0,
      ).toBe('SUCCESS');
    } finally {
      await b.stop();
      await receiver.close();
    }
  });

  test('persist:false keeps nothing; clean wipes state, keys and certificates', async () => {
    const dir = seeded();
    const a = await startSandbox({ stateDir: dir, persist: false, allowLoopbackNotify: true });
    await call(a, a.info.merchants[0]!, '/pay/unifiedorder', orderFields('https://shop.example.com/n'));
    await a.stop();
    expect(existsSync(path.join(dir, 'state.json'))).toBe(false);

    const b = await startSandbox({ stateDir: dir });
    await call(b, b.info.merchants[0]!, '/pay/unifiedorder', orderFields('https://shop.example.com/n'));
    const keyBefore = b.info.merchants[0]!.apiKey;
    const caBefore = readFileSync(b.caFile, 'utf8');
    await b.stop();
    expect(existsSync(path.join(dir, 'state.json'))).toBe(true);

    const c = await startSandbox({ stateDir: dir, clean: true });
    try {
      expect(await c.control.listOrders()).toEqual([]);
      expect(c.info.merchants[0]!.apiKey).not.toBe(keyBefore);
      expect(readFileSync(c.caFile, 'utf8')).not.toBe(caBefore);
    } finally {
      await c.stop();
    }
  });

  test('bad merchant configuration is refused', async () => {
    await expect(
      startSandbox({
        stateDir: tmp(),
        merchants: [{ appid: 'wx1234567890abcdef', mchId: '1900000109', apiKey: 'short' }],
      }),
    ).rejects.toThrow('apiKey');
    await expect(
      startSandbox({ stateDir: tmp(), merchants: [{ appid: 'nope', mchId: '1900000109' }] }),
    ).rejects.toThrow('appid');
  });
});
