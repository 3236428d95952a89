/**
 * payNotify against everything that is not a genuine, matching payment notification (WeChat Pay v2 notes §4,
 * §9 pitfalls 2, 8, 13), POSTed raw to the HTTP route as WeChat (or an attacker) would: the FAIL reply and
 * nothing changed in the database — except a correctly signed report that does not match its order, which is
 * recorded once in `alerts`. Then 100 concurrent copies of one genuine notification: one transition, one
 * outbox entry, 100 × SUCCESS. Under both emulator context-keys modes (and both HTTP body encodings).
 */
import { NOTIFY_SUCCESS_XML, type Order, type PaymentStart } from '@shouyin/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EMULATOR_MODES, type NotifyReply, startTestStack, type TestStack } from './support/stack';

let s: TestStack;
beforeAll(async () => {
  s = await startTestStack();
});
afterAll(() => s?.stop());

/** Everything payNotify could touch, as a comparable snapshot. */
async function snapshot(): Promise<string> {
  const [orders, alerts, requests] = await Promise.all([
    s.orders(),
    s.alerts(),
    s.emulator.db.collection('requests').find(),
  ]);
  return JSON.stringify({ orders, alerts, requests });
}

function expectFail(r: NotifyReply, message?: string): void {
  expect(r.status).toBe(200);
  expect(r.fields.return_code, r.body).toBe('FAIL');
  if (message) expect(r.fields.return_msg).toBe(message);
}

describe.each(EMULATOR_MODES)('payNotify verification ($name)', (mode) => {
  const customer = `o-dora-${mode.contextKeysMode}`;
  let start: PaymentStart;
  let target: Order;

  beforeAll(async () => {
    s.emulator.configure({ contextKeysMode: mode.contextKeysMode, base64Bodies: mode.base64Bodies });
    start = await s.create(customer, [{ productId: 'latte', quantity: 1 }]);
    target = await s.order(start.outTradeNo);
    // A paid order next to it, so "nothing changed" covers a settled order too.
    await s.pay(await s.create(customer, [{ productId: 'americano', quantity: 3 }]));
  });

  /** POSTs `body`, expects the FAIL reply and the database exactly as before. */
  async function rejected(body: string | Buffer, message?: string, headers?: Record<string, string>) {
    const before = await snapshot();
    const r = await s.postNotify(body, headers);
    expectFail(r, message);
    expect(await snapshot()).toBe(before);
    return r;
  }

  it('a forged signature (wrong key, or a field changed after signing) → FAIL, nothing changed', async () => {
    await rejected(s.notificationFor(target, { key: 'F0rg3dK3y'.padEnd(32, 'x') }).xml, 'invalid signature');
    const genuine = s.notificationFor(target).xml;
    const tampered = genuine.replace(`<total_fee>${target.totalFee}</total_fee>`, '<total_fee>1</total_fee>');
    expect(tampered).not.toBe(genuine);
    await rejected(tampered, 'invalid signature');
    await rejected(
      s.notificationFor(target, { fields: { sign_type: 'HMAC-SHA256' } }).xml,
      'invalid signature',
    );
    // The other sandbox merchant's genuine signature is still not ours.
    const other = s.sandbox.info.merchants.find((m) => m.mchId !== s.merchant.mchId)!;
    await rejected(
      s.notificationFor(target, {
        key: other.apiKey,
        signType: 'HMAC-SHA256',
        fields: { appid: other.appid, mch_id: other.mchId },
      }).xml,
      'invalid signature',
    );
  });

  it('correctly signed for another mch_id or appid → FAIL, nothing changed', async () => {
    await rejected(s.notificationFor(target, { fields: { mch_id: '1900000999' } }).xml, 'rejected');
    await rejected(s.notificationFor(target, { fields: { appid: 'wx9999999999999999' } }).xml, 'rejected');
  });

  it('an unknown order → FAIL (WeChat retries), nothing changed', async () => {
    await rejected(
      s.notificationFor({ _id: 'SY20990101000000UNKNOWN00001', totalFee: 1800, _openid: customer }).xml,
      'unknown order',
    );
  });

  it('malformed XML, DOCTYPE/entity bomb, XXE, oversized body, empty or non-XML bodies → FAIL', async () => {
    const genuine = s.notificationFor(target).xml;
    await rejected(genuine.replace('</xml>', ''), 'invalid XML');
    await rejected(genuine.replace('<return_code>', '<return_code attr="1">'), 'invalid XML');
    await rejected(`<xml><xml>${genuine}</xml></xml>`, 'invalid XML');
    const lol = [
      '<!ENTITY lol "lol">',
      ...Array.from({ length: 9 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i || ''};`.repeat(10)}">`),
    ].join('');
    await rejected(
      `<?xml version="1.0"?><!DOCTYPE xml [${lol}]>${genuine.replace('OTHERS', '&lol9;')}`,
      'invalid XML',
    );
    await rejected(
      `<!DOCTYPE xml [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>${genuine.replace('OTHERS', '&xxe;')}`,
      'invalid XML',
    );
    // Correctly signed, but over the 64 KiB a notification can be.
    const big = s.notificationFor(target, { fields: { attach: 'a'.repeat(70 * 1024) } }).xml;
    expect(Buffer.byteLength(big)).toBeGreaterThan(64 * 1024);
    await rejected(big, 'invalid XML');
    await rejected('', 'invalid XML');
    await rejected(JSON.stringify({ return_code: 'SUCCESS' }), 'invalid XML', {
      'content-type': 'application/json',
    });
    await rejected(Buffer.from([0xff, 0xfe, 0x3c, 0x00, 0x78, 0x00]), 'invalid XML');
  });

  it('a return_code=FAIL envelope → FAIL, nothing changed; a signed result_code=FAIL → SUCCESS, nothing changed', async () => {
    await rejected(
      '<xml><return_code><![CDATA[FAIL]]></return_code><return_msg><![CDATA[签名失败]]></return_msg></xml>',
    );
    await rejected(
      s.notificationFor(target, { fields: { return_code: 'FAIL', return_msg: 'x' } }).xml,
      'rejected',
    );
    // A signed report that the payment failed (handle-pay-notify.ts: nothing to do, nothing to resend).
    const before = await snapshot();
    const r = await s.postNotify(
      s.notificationFor(target, {
        fields: { result_code: 'FAIL', err_code: 'SYSTEMERROR', transaction_id: undefined },
      }).xml,
    );
    expect(r.body).toBe(NOTIFY_SUCCESS_XML);
    expect(await snapshot()).toBe(before);
    // Signed, but without the fields we act on.
    await rejected(s.notificationFor(target, { fields: { transaction_id: undefined } }).xml, 'rejected');
    await rejected(s.notificationFor(target, { fields: { out_trade_no: 'bad no!' } }).xml, 'rejected');
  });

  // Issue 9.6: correctly signed, but without what WeChat always sends — not proof of payment.
  it('correctly signed but missing openid, result_code or cash_fee, a foreign fee_type, or signed with the other algorithm → FAIL, nothing changed', async () => {
    for (const fields of [
      { openid: undefined },
      { result_code: undefined },
      { cash_fee: undefined },
      { bank_type: undefined },
      { fee_type: 'USD' },
      { time_end: undefined },
    ])
      await rejected(s.notificationFor(target, { fields }).xml, 'rejected');
    // No sign_type: the configured algorithm (MD5 here) decides, never the signature's length.
    await rejected(
      s.notificationFor(target, { signType: 'HMAC-SHA256', includeSignType: false }).xml,
      'invalid signature',
    );
    const logs = s
      .invocations('payNotify')
      .flatMap((r) => r.logs)
      .join('\n');
    expect(logs).toContain('"fields":["openid"]');
    expect(logs).toContain('"fields":["fee_type"]');
  });

  it('correctly signed with the wrong amount or payer → FAIL, order unchanged, the anomaly recorded once', async () => {
    const ordersBefore = JSON.stringify(await s.orders());
    const alertsBefore = await s.alerts();
    const wrongAmount = s.notificationFor(target, {
      transactionId: '4200000000000000000000000001',
      fields: { total_fee: 1, cash_fee: 1 },
    }).xml;
    expectFail(await s.postNotify(wrongAmount), 'order mismatch');
    expectFail(await s.postNotify(wrongAmount), 'order mismatch'); // WeChat's retry: recorded once
    const wrongPayer = s.notificationFor(target, {
      transactionId: '4200000000000000000000000002',
      fields: { openid: 'o-someone-else' },
    }).xml;
    expectFail(await s.postNotify(wrongPayer), 'order mismatch');
    expect(JSON.stringify(await s.orders())).toBe(ordersBefore);

    const added = (await s.alerts()).filter((a) => !alertsBefore.some((b) => b._id === a._id));
    expect(added.map(({ at: _at, ...a }) => a)).toEqual([
      {
        _id: `PAYMENT_MISMATCH:${target._id}:4200000000000000000000000001`,
        kind: 'PAYMENT_MISMATCH',
        outTradeNo: target._id,
        transactionId: '4200000000000000000000000001',
        mismatch: ['amount'],
        expectedFee: target.totalFee,
        reportedFee: 1,
        source: 'notification',
        alertsPending: true,
      },
      {
        _id: `PAYMENT_MISMATCH:${target._id}:4200000000000000000000000002`,
        kind: 'PAYMENT_MISMATCH',
        outTradeNo: target._id,
        transactionId: '4200000000000000000000000002',
        mismatch: ['payer'],
        expectedFee: target.totalFee,
        reportedFee: target.totalFee,
        source: 'notification',
        alertsPending: true,
      },
    ]);
  });

  it('after all that, the genuine payment still settles; no log line carries the key or a signature', async () => {
    await s.pay(start);
    const paid = await s.order(start.outTradeNo);
    expect(paid.status).toBe('PAID');
    expect(paid.outbox).toHaveLength(1);
    const logs = s
      .invocations('payNotify')
      .flatMap((r) => r.logs)
      .join('\n');
    expect(logs).toContain('"reason":"signature"');
    expect(logs).not.toContain(s.merchant.apiKey);
    expect(logs).not.toMatch(/[0-9A-F]{32}/); // no MD5 (or HMAC-SHA256) signature value
    expect(logs).not.toMatch(/<xml>/);
  });

  it('100 concurrent copies of one notification → one transition, one outbox entry, 100 × SUCCESS', async () => {
    const order = await s.create(customer, [{ productId: 'cheesecake', quantity: 2 }]);
    // WeChat takes the money; its own notification is lost, we replay its content 100× at once.
    await s.sandbox.control.injectFault({ target: 'pay-notify', kind: 'drop' });
    await s.pay(order);
    const wx = (await s.sandboxOrder(order.outTradeNo))!;
    const { xml } = s.notificationFor(await s.order(order.outTradeNo), {
      transactionId: wx.transactionId,
      timeEnd: wx.timeEnd,
    });
    await s.warmUp();
    const notify = s.track('payNotify');
    const replies = await Promise.all(Array.from({ length: 100 }, () => s.postNotify(xml)));

    expect(replies.filter((r) => r.status === 200 && r.body === NOTIFY_SUCCESS_XML)).toHaveLength(100);
    const records = notify.records();
    expect(records).toHaveLength(100);
    expect(records.every((r) => r.outcome === 'ok')).toBe(true);
    const paid = await s.order(order.outTradeNo);
    expect(paid.status).toBe('PAID');
    expect(paid.transactionId).toBe(wx.transactionId);
    expect(paid.history.filter((h) => h.to === 'PAID')).toHaveLength(1);
    expect(paid.outbox).toEqual([
      expect.objectContaining({ kind: 'ORDER_PAID', transactionId: wx.transactionId }),
    ]);
  });
});
