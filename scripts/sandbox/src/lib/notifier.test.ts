import { NOTIFY_SUCCESS_XML, notifyReplyXml, parseXml, verify, verifyingSignType } from '@shouyin/shared';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { call, orderFields, startTestSandbox, type TestSandbox } from '../testing/harness';
import { WECHAT_RETRY_SCHEDULE_MS } from './notifier';

let t: TestSandbox;
beforeAll(async () => {
  t = await startTestSandbox({ notify: { attemptTimeoutMs: 300 } });
});
afterAll(() => t.close());
afterEach(async () => {
  await t.sb.control.reset();
  t.receiver.received.length = 0;
  t.receiver.reply = () => ({ body: NOTIFY_SUCCESS_XML });
});

async function paid(signType: 'MD5' | 'HMAC-SHA256' = 'MD5', path = '/notify') {
  const f = orderFields(t.receiver.url(path), { attach: '中文 & <附加>' });
  const a = await call(t.sb, t.m, '/pay/unifiedorder', f, { signType });
  expect(a.fields.result_code).toBe('SUCCESS');
  return t.sb.control.pay({ prepayId: a.fields.prepay_id! });
}

describe('payment notification content', () => {
  test('MD5 order: carries sign_type=MD5, which is part of the signed string (pitfall 3)', async () => {
    const o = await paid('MD5');
    await t.sb.control.idle();
    expect(t.receiver.received).toHaveLength(1);
    const f = parseXml(t.receiver.received[0]!.body);
    expect(f).toMatchObject({
      return_code: 'SUCCESS',
      result_code: 'SUCCESS',
      appid: t.m.appid,
      mch_id: t.m.mchId,
      out_trade_no: o.outTradeNo,
      transaction_id: o.transactionId,
      total_fee: '100',
      cash_fee: '100',
      trade_type: 'JSAPI',
      openid: 'oUpF8uMuAJO_M2pxb1Q9zNjWeS6o',
      attach: '中文 & <附加>',
      sign_type: 'MD5',
      time_end: o.timeEnd,
    });
    expect(verify(f, t.m.apiKey)).toBe(true);
    const { sign_type: _dropped, ...withoutType } = f;
    expect(verify(withoutType, t.m.apiKey)).toBe(false);
  });

  test('HMAC order: no sign_type, a 64-char HMAC sign — verifying it as MD5 fails (pitfall 2)', async () => {
    await paid('HMAC-SHA256');
    await t.sb.control.idle();
    const f = parseXml(t.receiver.received[0]!.body);
    expect(f.sign_type).toBeUndefined();
    expect(f.sign).toHaveLength(64);
    expect(verify(f, t.m.apiKey, 'HMAC-SHA256')).toBe(true); // the order's own sign type
    expect(verifyingSignType(f)).toBe('HMAC-SHA256'); // the length heuristic agrees
    expect(verify(f, t.m.apiKey, 'MD5')).toBe(false);
  });
});

describe('retries (spec §4.1)', () => {
  test("WeChat's schedule under the manual clock: 16 attempts over 24 h 4 min, then it gives up", async () => {
    t.receiver.reply = () => ({ body: notifyReplyXml('FAIL', '订单不存在') });
    const o = await paid();
    await t.sb.control.idle();
    const start = (await t.sb.control.listDeliveries({ outTradeNo: o.outTradeNo }))[0]!.at;
    await t.sb.control.advanceClock(25 * 3600_000);
    const log = await t.sb.control.listDeliveries({ outTradeNo: o.outTradeNo });
    expect(log.map((d) => d.attempt)).toEqual(Array.from({ length: 16 }, (_, i) => i + 1));
    const expected = [0];
    for (const gap of WECHAT_RETRY_SCHEDULE_MS) expected.push(expected.at(-1)! + gap);
    expect(log.map((d) => d.at - start)).toEqual(expected);
    expect(expected.at(-1)).toBe((24 * 60 + 4) * 60_000);
    expect(log.every((d) => d.outcome === 'fail' && d.httpStatus === 200 && d.reply?.includes('FAIL'))).toBe(
      true,
    );
    expect(t.receiver.received).toHaveLength(16);
    expect(new Set(t.receiver.received.map((r) => r.body)).size).toBe(1); // retries are byte-identical
    const [n] = await t.sb.control.listNotifications({ outTradeNo: o.outTradeNo });
    expect(n).toMatchObject({ state: 'failed', attempts: 16 });
    expect(n).not.toHaveProperty('body');
    await t.sb.control.advanceClock(24 * 3600_000);
    expect(t.receiver.received).toHaveLength(16);
  });

  test('stops at the first SUCCESS reply', async () => {
    t.receiver.reply = () =>
      t.receiver.received.length < 3 ? { status: 500, body: 'busy' } : { body: NOTIFY_SUCCESS_XML };
    const o = await paid();
    await t.sb.control.advanceClock(3600_000);
    const log = await t.sb.control.listDeliveries({ outTradeNo: o.outTradeNo });
    expect(log.map((d) => d.outcome)).toEqual(['fail', 'fail', 'success']);
    expect((await t.sb.control.listNotifications({ outTradeNo: o.outTradeNo }))[0]!.state).toBe('delivered');
  });

  test.each([
    ['plain text', { body: 'success' }],
    ['JSON', { body: '{"return_code":"SUCCESS","return_msg":"OK"}' }],
    ['HTML', { body: '<html><body>SUCCESS</body></html>' }],
    ['literal \\n between tags', { body: '<xml>\\n<return_code><![CDATA[SUCCESS]]></return_code></xml>' }],
    ['HTTP 500 with the right XML', { status: 500, body: NOTIFY_SUCCESS_XML }],
    ['empty', { body: '' }],
  ])('a wrong reply (%s) counts as a failure (pitfall 13)', async (_name, reply) => {
    t.receiver.reply = () => reply;
    const o = await paid();
    await t.sb.control.idle();
    const log = await t.sb.control.listDeliveries({ outTradeNo: o.outTradeNo });
    expect(log).toHaveLength(1);
    expect(log[0]!.outcome).toBe('fail');
    expect((await t.sb.control.listNotifications({ outTradeNo: o.outTradeNo }))[0]!.state).toBe('pending');
  });

  test('a reply without return_msg (tenpay style) is accepted', async () => {
    t.receiver.reply = () => ({ body: '<xml><return_code><![CDATA[SUCCESS]]></return_code></xml>' });
    const o = await paid();
    await t.sb.control.idle();
    expect((await t.sb.control.listDeliveries({ outTradeNo: o.outTradeNo }))[0]!.outcome).toBe('success');
  });

  test('no reply within the attempt timeout → timeout, then retried', async () => {
    t.receiver.reply = (r) => (t.receiver.received.indexOf(r) === 0 ? 'hang' : { body: NOTIFY_SUCCESS_XML });
    const o = await paid();
    await t.sb.control.idle();
    const first = await t.sb.control.listDeliveries({ outTradeNo: o.outTradeNo });
    expect(first.map((d) => d.outcome)).toEqual(['timeout']);
    await t.sb.control.advanceClock(15_000);
    expect((await t.sb.control.listDeliveries({ outTradeNo: o.outTradeNo })).map((d) => d.outcome)).toEqual([
      'timeout',
      'success',
    ]);
  });

  test('an unreachable notify_url is logged as an error', async () => {
    const f = orderFields('http://127.0.0.1:1/notify');
    const a = await call(t.sb, t.m, '/pay/unifiedorder', f);
    await t.sb.control.pay({ prepayId: a.fields.prepay_id! });
    await t.sb.control.idle();
    const [d] = await t.sb.control.listDeliveries({ outTradeNo: String(f.out_trade_no) });
    expect(d).toMatchObject({ outcome: 'error', attempt: 1 });
    expect(d!.error).toBeTruthy();
  });
});

describe('duplicates and faults', () => {
  test('parallel copies ("several servers") are byte-identical and all logged', async () => {
    const p = await startTestSandbox({ notify: { parallel: 3 } }, { pkiFrom: t });
    try {
      const f = orderFields(p.receiver.url());
      const a = await call(p.sb, p.m, '/pay/unifiedorder', f);
      await p.sb.control.pay({ prepayId: a.fields.prepay_id! });
      await p.sb.control.idle();
      expect(p.receiver.received).toHaveLength(3);
      expect(new Set(p.receiver.received.map((r) => r.body)).size).toBe(1);
      const log = await p.sb.control.listDeliveries();
      expect(log.map((d) => [d.attempt, d.copy, d.outcome]).sort()).toEqual([
        [1, 0, 'success'],
        [1, 1, 'success'],
        [1, 2, 'success'],
      ]);
    } finally {
      await p.close();
    }
  });

  test('duplicate: the same notification arrives again after the first was answered', async () => {
    await t.sb.control.injectFault({ target: 'pay-notify', kind: 'duplicate' });
    const o = await paid();
    await t.sb.control.idle();
    expect(t.receiver.received).toHaveLength(2);
    expect(t.receiver.received[0]!.body).toBe(t.receiver.received[1]!.body);
    const ns = await t.sb.control.listNotifications({ outTradeNo: o.outTradeNo });
    expect(ns.map((n) => n.state)).toEqual(['delivered', 'delivered']);
    expect(ns[1]!.duplicateOf).toBe(ns[0]!.id);
  });

  test('reorder: a held notification arrives after a later one', async () => {
    await t.sb.control.injectFault({ target: 'pay-notify', kind: 'reorder' });
    const first = await paid('MD5', '/first');
    await t.sb.control.idle();
    expect(t.receiver.received).toHaveLength(0);
    const second = await paid('MD5', '/second');
    await t.sb.control.idle();
    expect(t.receiver.received.map((r) => parseXml(r.body).out_trade_no)).toEqual([
      second.outTradeNo,
      first.outTradeNo,
    ]);
  });

  test('reorder without a later notification: released after the hold time', async () => {
    await t.sb.control.injectFault({ target: 'notify', kind: 'reorder' });
    await paid();
    await t.sb.control.advanceClock(59_000);
    expect(t.receiver.received).toHaveLength(0);
    await t.sb.control.advanceClock(1_000);
    expect(t.receiver.received).toHaveLength(1);
  });

  test('drop: never delivered, logged as dropped', async () => {
    await t.sb.control.injectFault({ target: 'notify', kind: 'drop' });
    const o = await paid();
    await t.sb.control.advanceClock(25 * 3600_000);
    expect(t.receiver.received).toHaveLength(0);
    expect(await t.sb.control.listDeliveries({ outTradeNo: o.outTradeNo })).toMatchObject([
      { outcome: 'dropped', attempt: 0 },
    ]);
    // Only the next notification was affected.
    await paid();
    await t.sb.control.idle();
    expect(t.receiver.received).toHaveLength(1);
  });

  test('delay: the first attempt waits delayMs of virtual time', async () => {
    await t.sb.control.injectFault({ target: 'pay-notify', kind: 'delay', delayMs: 30_000 });
    await paid();
    await t.sb.control.advanceClock(29_999);
    expect(t.receiver.received).toHaveLength(0);
    await t.sb.control.advanceClock(1);
    expect(t.receiver.received).toHaveLength(1);
  });

  test('refund-notify faults leave payment notifications alone', async () => {
    await t.sb.control.injectFault({ target: 'refund-notify', kind: 'drop' });
    await paid();
    await t.sb.control.idle();
    expect(t.receiver.received).toHaveLength(1);
    expect(await t.sb.control.listFaults()).toHaveLength(1);
  });
});
