import { parseXml, verify } from '@shouyin/shared';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { call, no, orderFields, startTestSandbox, type TestSandbox } from '../testing/harness';
import { Faults } from './faults';

let t: TestSandbox;
beforeAll(async () => {
  t = await startTestSandbox();
});
afterAll(() => t.close());
afterEach(() => t.sb.control.clearFaults());

const order = (extra = {}) => call(t.sb, t.m, '/pay/unifiedorder', orderFields(t.receiver.url(), extra));

async function paidOrder() {
  const f = orderFields(t.receiver.url());
  const a = await call(t.sb, t.m, '/pay/unifiedorder', f);
  await t.sb.control.pay({ prepayId: a.fields.prepay_id! });
  return String(f.out_trade_no);
}

describe('API faults', () => {
  test.each(['SYSTEMERROR', 'BIZERR_NEED_RETRY', 'FREQUENCY_LIMITED'] as const)(
    '%s: a signed result_code=FAIL answer, nothing done, the next call is normal',
    async (kind) => {
      await t.sb.control.injectFault({ target: 'unifiedorder', kind });
      const f = orderFields(t.receiver.url());
      const a = await call(t.sb, t.m, '/pay/unifiedorder', f);
      expect(a.fields).toMatchObject({ return_code: 'SUCCESS', result_code: 'FAIL', err_code: kind });
      expect(a.signed).toBe(true);
      expect(await t.sb.control.listOrders({ outTradeNo: String(f.out_trade_no) })).toHaveLength(0);
      expect((await call(t.sb, t.m, '/pay/unifiedorder', f)).fields.result_code).toBe('SUCCESS');
    },
  );

  test('afterProcessing: SYSTEMERROR on refund although the refund was made; the retry with the same number finds it', async () => {
    const outTradeNo = await paidOrder();
    await t.sb.control.injectFault({ target: 'refund', kind: 'SYSTEMERROR', afterProcessing: true });
    const r = { out_trade_no: outTradeNo, out_refund_no: no('R'), total_fee: 100, refund_fee: 100 };
    const a = await call(t.sb, t.m, '/secapi/pay/refund', r, { cert: t.m });
    expect(a.fields.err_code).toBe('SYSTEMERROR');
    const refunds = await t.sb.control.listRefunds({ outTradeNo });
    expect(refunds).toHaveLength(1);
    const retry = await call(t.sb, t.m, '/secapi/pay/refund', r, { cert: t.m });
    expect(retry.fields).toMatchObject({ result_code: 'SUCCESS', refund_id: refunds[0]!.refundId });
    // A fresh number would have been refused: the order is fully refunded (the double-refund trap, spec §6).
    const fresh = await call(
      t.sb,
      t.m,
      '/secapi/pay/refund',
      { ...r, out_refund_no: no('R') },
      { cert: t.m },
    );
    expect(fresh.fields.result_code).toBe('FAIL');
  });

  test('count N faults the next N calls; probability 1 every call until cleared; 0 never', async () => {
    await t.sb.control.injectFault({ target: 'orderquery', kind: 'SYSTEMERROR', count: 2 });
    const q = () =>
      call(t.sb, t.m, '/pay/orderquery', { out_trade_no: 'NO_SUCH_ORDER' }).then((a) => a.fields.err_code);
    expect([await q(), await q(), await q()]).toEqual(['SYSTEMERROR', 'SYSTEMERROR', 'ORDERNOTEXIST']);
    await t.sb.control.injectFault({ target: '*', kind: 'BIZERR_NEED_RETRY', probability: 1 });
    expect([await q(), await q()]).toEqual(['BIZERR_NEED_RETRY', 'BIZERR_NEED_RETRY']);
    expect((await order()).fields.err_code).toBe('BIZERR_NEED_RETRY');
    expect((await t.sb.control.listFaults())[0]).toMatchObject({ target: '*', probability: 1, fired: 3 });
    await t.sb.control.clearFaults();
    await t.sb.control.injectFault({ target: '*', kind: 'SYSTEMERROR', probability: 0 });
    expect(await q()).toBe('ORDERNOTEXIST');
  });

  test('faults only hit requests that pass the signature check', async () => {
    await t.sb.control.injectFault({ target: 'unifiedorder', kind: 'SYSTEMERROR' });
    const bad = await call(
      t.sb,
      { ...t.m, apiKey: 'K'.repeat(32) },
      '/pay/unifiedorder',
      orderFields(t.receiver.url()),
    );
    expect(bad.fields.return_msg).toBe('签名错误');
    expect((await order()).fields.err_code).toBe('SYSTEMERROR');
  });

  test('hang: no answer; the client times out (and a short hangMs ends the connection)', async () => {
    await t.sb.control.injectFault({ target: 'unifiedorder', kind: 'hang' });
    await expect(
      call(t.sb, t.m, '/pay/unifiedorder', orderFields(t.receiver.url()), { timeoutMs: 300 }),
    ).rejects.toThrow('client timeout');
    await t.sb.control.injectFault({ target: 'unifiedorder', kind: 'hang', hangMs: 50 });
    await expect(order()).rejects.toThrow(/socket hang up|ECONNRESET/);
  });

  test('hang after processing: the order exists although the caller saw no answer', async () => {
    await t.sb.control.injectFault({
      target: 'unifiedorder',
      kind: 'hang',
      hangMs: 50,
      afterProcessing: true,
    });
    const f = orderFields(t.receiver.url());
    await expect(call(t.sb, t.m, '/pay/unifiedorder', f)).rejects.toThrow();
    expect(await t.sb.control.listOrders({ outTradeNo: String(f.out_trade_no) })).toHaveLength(1);
  });

  test('reset: the connection is reset without an answer', async () => {
    await t.sb.control.injectFault({ target: 'orderquery', kind: 'reset' });
    await expect(call(t.sb, t.m, '/pay/orderquery', { out_trade_no: 'X1234567' })).rejects.toThrow(
      /ECONNRESET|socket hang up/,
    );
  });

  test('badsign: the real answer, with a signature that does not verify', async () => {
    await t.sb.control.injectFault({ target: 'unifiedorder', kind: 'badsign' });
    const a = await order();
    expect(a.fields).toMatchObject({ return_code: 'SUCCESS', result_code: 'SUCCESS' });
    expect(a.fields.prepay_id).toBeTruthy();
    expect(a.fields.sign).toHaveLength(32);
    expect(a.signed).toBe(false);
    expect(verify(parseXml(a.text), t.m.apiKey)).toBe(false);
  });

  test('invalid fault specs are refused', async () => {
    await expect(t.sb.control.injectFault({ target: 'unifiedorder', kind: 'drop' })).rejects.toThrow(
      'does not apply',
    );
    await expect(t.sb.control.injectFault({ target: 'notify', kind: 'SYSTEMERROR' })).rejects.toThrow(
      'does not apply',
    );
    await expect(t.sb.control.injectFault({ target: 'micropay' as never, kind: 'reset' })).rejects.toThrow(
      'unknown fault target',
    );
    await expect(
      t.sb.control.injectFault({ target: '*', kind: 'reset', count: 1, probability: 0.5 }),
    ).rejects.toThrow();
    await expect(t.sb.control.injectFault({ target: '*', kind: 'reset', probability: 2 })).rejects.toThrow();
    await expect(t.sb.control.injectFault({ target: '*', kind: 'reset', count: 0 })).rejects.toThrow();
  });
});

describe('Faults (unit)', () => {
  test('probability uses the injected random source; count faults are consumed', () => {
    const rolls = [0.2, 0.8];
    const f = new Faults(() => rolls.shift() ?? 1);
    f.inject({ target: 'refund', kind: 'SYSTEMERROR', probability: 0.5 });
    expect(f.takeApi('refund')?.kind).toBe('SYSTEMERROR');
    expect(f.takeApi('refund')).toBeUndefined();
    expect(f.takeApi('orderquery')).toBeUndefined();
    f.clear();
    f.inject({ target: 'pay-notify', kind: 'drop', count: 1 });
    expect(f.takeNotify('refund-notify')).toBeUndefined();
    expect(f.takeNotify('pay-notify')?.kind).toBe('drop');
    expect(f.takeNotify('pay-notify')).toBeUndefined();
  });
});
