/**
 * HMAC-SHA256 orders end to end: the functions configured with the sandbox merchant whose sign type is
 * HMAC-SHA256. unifiedorder, paySign and orderquery are signed HMAC-SHA256, and the payment notification
 * arrives WITHOUT sign_type (WeChat Pay v2 notes §2.3, pitfall 2), which payNotify must still verify with the
 * order's sign type.
 */
import { NOTIFY_SUCCESS_XML, type OrderView, sign } from '@shouyin/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HMAC_MERCHANT } from './support/paths';
import { prepayIdOf, startTestStack, type TestStack } from './support/stack';

let s: TestStack;
beforeAll(async () => {
  // 'md5' (the sandbox default, spelled out): notifications of HMAC-SHA256 orders carry no sign_type.
  s = await startTestStack({ signType: 'HMAC-SHA256', notify: { includeSignType: 'md5' } });
});
afterAll(() => s?.stop());

describe('HMAC-SHA256 merchant', () => {
  it('create → pay → the notification without sign_type → PAID', async () => {
    expect(s.merchant).toMatchObject({ mchId: HMAC_MERCHANT.mchId, signType: 'HMAC-SHA256' });
    const start = await s.create('o-hana', [{ productId: 'latte', quantity: 1 }]);
    expect(start.payment.signType).toBe('HMAC-SHA256');
    const { paySign, ...signed } = start.payment;
    expect(paySign).toMatch(/^[0-9A-F]{64}$/);
    expect(paySign).toBe(sign({ appId: s.merchant.appid, ...signed }, s.merchant.apiKey, 'HMAC-SHA256'));

    const created = await s.order(start.outTradeNo);
    expect(created).toMatchObject({ status: 'NOTPAY', signType: 'HMAC-SHA256', prepayId: prepayIdOf(start) });
    // WeChat saw an HMAC-SHA256-signed unifiedorder (it verifies the request with the sign_type it names).
    expect(await s.sandboxOrder(start.outTradeNo)).toMatchObject({
      signType: 'HMAC-SHA256',
      state: 'NOTPAY',
    });

    const notify = s.track('payNotify');
    await s.pay(start);
    const notices = await s.sandbox.control.listNotifications({ outTradeNo: start.outTradeNo });
    expect(notices).toMatchObject([{ kind: 'pay', state: 'delivered', attempts: 1 }]);
    const deliveries = await s.sandbox.control.listDeliveries({ outTradeNo: start.outTradeNo });
    expect(deliveries.map((d) => d.reply)).toEqual([NOTIFY_SUCCESS_XML]);
    expect(notify.records().map((r) => [r.outcome, r.dbRequests])).toEqual([['ok', 2]]);

    const paid = await s.order(start.outTradeNo);
    const wx = (await s.sandboxOrder(start.outTradeNo))!;
    expect(paid).toMatchObject({ status: 'PAID', transactionId: wx.transactionId });
    expect(paid.outbox).toHaveLength(1);
  });

  it('a notification signed HMAC-SHA256 without sign_type settles; the same with a wrong key does not', async () => {
    const start = await s.create('o-hana', [{ productId: 'americano', quantity: 2 }]);
    await s.sandbox.control.injectFault({ target: 'pay-notify', kind: 'drop' });
    await s.pay(start);
    const order = await s.order(start.outTradeNo);
    const wx = (await s.sandboxOrder(start.outTradeNo))!;

    const forged = s.notificationFor(order, { transactionId: wx.transactionId, key: 'k'.repeat(32) });
    expect(forged.fields.sign_type).toBeUndefined();
    expect((await s.postNotify(forged.xml)).fields.return_code).toBe('FAIL');
    // Labelled MD5 but signed HMAC-SHA256: the label names the algorithm, so it cannot verify.
    const mislabelled = s.notificationFor(order, {
      transactionId: wx.transactionId,
      fields: { sign_type: 'MD5' },
    });
    expect((await s.postNotify(mislabelled.xml)).fields.return_code).toBe('FAIL');
    expect(await s.order(start.outTradeNo)).toEqual(order);

    const genuine = s.notificationFor(order, { transactionId: wx.transactionId, timeEnd: wx.timeEnd });
    expect(genuine.fields.sign_type).toBeUndefined();
    expect(genuine.fields.sign).toMatch(/^[0-9A-F]{64}$/);
    expect((await s.postNotify(genuine.xml)).body).toBe(NOTIFY_SUCCESS_XML);
    const paid = await s.order(start.outTradeNo);
    expect(paid).toMatchObject({ status: 'PAID', transactionId: wx.transactionId });
    expect(paid.outbox).toHaveLength(1);
  });

  it('resume reuses the live prepay_id; confirm settles through an HMAC-SHA256 orderquery', async () => {
    const start = await s.create('o-hiro', [{ productId: 'croissant', quantity: 1 }]);
    const resumed = await s.call<typeof start>(
      'createPayment',
      { action: 'resume', outTradeNo: start.outTradeNo },
      'o-hiro',
    );
    expect(resumed.ok && resumed.data.payment.package).toBe(start.payment.package);
    expect(resumed.ok && resumed.data.payment.signType).toBe('HMAC-SHA256');

    await s.sandbox.control.injectFault({ target: 'pay-notify', kind: 'drop' });
    await s.pay(start);
    const confirmed = await s.call<OrderView>(
      'createPayment',
      { action: 'confirm', outTradeNo: start.outTradeNo },
      'o-hiro',
    );
    const wx = (await s.sandboxOrder(start.outTradeNo))!;
    expect(confirmed).toMatchObject({ ok: true, data: { status: 'PAID', transactionId: wx.transactionId } });
    const order = await s.order(start.outTradeNo);
    expect(order.history.at(-1)).toMatchObject({ from: 'NOTPAY', to: 'PAID', by: 'confirm' });
  });
});
