/**
 * refundNotify over HTTP (/wxpay/refund-notify): everything that does not authenticate as the WeChat Pay v2 notes
 * §5.5 recommends is answered FAIL with nothing changed (the database compared before and after) and no
 * secret or plaintext in the log; a 商户平台 refund (VENDOR_PLATFORM) of one of our orders is recorded and
 * settles the order's amounts. Also: a refund without the merchant's own client certificate is refused by
 * the sandbox and surfaced as a certificate error.
 */
import path from 'node:path';
import { buildXml, type RefundChange } from '@shouyin/shared';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { refundNotificationPlaintext } from '../scripts/sandbox/src/index';
import { HMAC_MERCHANT } from './support/paths';
import { MERCHANT_OPENID, startTestStack, type TestStack } from './support/stack';

let s: TestStack;
beforeAll(async () => {
  s = await startTestStack();
});
afterAll(() => s?.stop());

async function snapshot() {
  return {
    orders: await s.orders(),
    refunds: await s.refunds(),
    alerts: await s.alerts(),
  };
}

describe('refund notifications that do not authenticate → FAIL, nothing changed', () => {
  it('forged, garbage, wrong merchant, unknown refund, amount mismatch, return_code=FAIL, a payment notification', async () => {
    const order = await s.paidOrder('o-rn-alice', [{ productId: 'latte', quantity: 2 }]);
    const started = await s.refundCall<RefundChange>(
      'start',
      { outTradeNo: order._id, refundFee: 1800, reason: '部分退款' },
      MERCHANT_OPENID,
    );
    if (!started.ok) throw new Error(started.error.message);
    const id = started.data.refund.refundId;
    const [wx] = await s.sandboxRefunds({ outRefundNo: id });
    const done = { ...wx!, status: 'SUCCESS' as const, finishedAt: Date.now() };
    const otherKey = 'Z'.repeat(32);
    const plainFor = (edit: (xml: string) => string) =>
      s.refundNotificationFor(done, { plaintext: edit(refundNotificationPlaintext(done)) });
    const bad: Array<[string, string]> = [
      ['forged (another key)', s.refundNotificationFor(done, { key: otherKey })],
      ['garbage req_info', s.refundNotificationFor(done, { outer: { req_info: 'bm90IGVuY3J5cHRlZA==' } })],
      ['not base64', s.refundNotificationFor(done, { outer: { req_info: '%%%%' } })],
      ['wrong mch_id', s.refundNotificationFor(done, { outer: { mch_id: '1900000999' } })],
      ['wrong appid', s.refundNotificationFor(done, { outer: { appid: 'wx0000000000000000' } })],
      ['no req_info', s.refundNotificationFor(done, { outer: { req_info: undefined } })],
      [
        'unknown out_refund_no',
        s.refundNotificationFor({ ...done, outRefundNo: 'RF20990101000000UNKNOWN00000' }),
      ],
      ['amount mismatch', s.refundNotificationFor({ ...done, refundFee: 3600 })],
      ['total mismatch', s.refundNotificationFor({ ...done, totalFee: 9999 })],
      ['another order', s.refundNotificationFor({ ...done, outTradeNo: 'SY20990101000000XXXXXXXXXXXX' })],
      ['plaintext root is <xml>', plainFor((x) => x.replace(/<(\/?)root>/g, '<$1xml>'))],
      [
        'plaintext without refund_status',
        plainFor((x) => x.replace(/<refund_status>.*?<\/refund_status>/, '')),
      ],
      ['plaintext with an unknown status', plainFor((x) => x.replace('SUCCESS', 'MAYBE'))],
      ['plaintext is JSON', plainFor(() => JSON.stringify({ out_refund_no: id, refund_status: 'SUCCESS' }))],
      ['return_code=FAIL', buildXml({ return_code: 'FAIL', return_msg: '签名失败' })],
      ['a payment notification', s.notificationFor(order, { transactionId: order.transactionId }).xml],
      ['not XML', 'hello'],
    ];
    const before = await snapshot();
    const notify = s.track('refundNotify');
    for (const [name, body] of bad) {
      const reply = await s.postRefundNotify(body);
      expect([name, reply.status, reply.fields.return_code]).toEqual([name, 200, 'FAIL']);
    }
    expect(await snapshot()).toEqual(before);
    const records = notify.records();
    expect(records.every((r) => r.outcome === 'ok')).toBe(true);
    const logs = records.flatMap((r) => r.logs).join('\n');
    expect(logs).not.toContain(s.merchant.apiKey);
    expect(logs).not.toContain('<root>');
    expect(logs).toContain('payment-notification');
    // Nothing that failed to authenticate reached the database.
    const early = records.filter(
      (_, i) =>
        !['unknown out_refund_no', 'amount mismatch', 'total mismatch', 'another order'].includes(bad[i]![0]),
    );
    expect(early.map((r) => r.dbRequests)).toEqual(early.map(() => 0));

    // The genuine one settles.
    const good = await s.postRefundNotify(s.refundNotificationFor(done));
    expect(good.fields.return_code).toBe('SUCCESS');
    expect(await s.refund(id)).toMatchObject({ status: 'SUCCESS' });
    expect(await s.order(order._id)).toMatchObject({
      status: 'PARTIALLY_REFUNDED',
      refundedFee: 1800,
      reservedFee: 0,
    });
  });
});

describe('a refund made by hand in 商户平台', () => {
  it('VENDOR_PLATFORM notification → recorded as a refund, the order’s amounts settled', async () => {
    const order = await s.paidOrder('o-rn-bob', [{ productId: 'cheesecake', quantity: 1 }]);
    const vendor = await s.sandbox.control.vendorRefund({
      mchId: s.merchant.mchId,
      outTradeNo: order._id,
      refundFee: 600,
      notifyUrl: `${s.emulator.baseUrl}/wxpay/refund-notify`,
    });
    const notify = s.track('refundNotify');
    await s.sandbox.control.advanceClock(10_000);
    await s.sandbox.control.idle();
    expect(notify.records().length).toBeGreaterThanOrEqual(1);
    expect(notify.records().every((r) => r.outcome === 'ok')).toBe(true);
    // Refund read, order read, refund insert, then the settlement: order read + write, refund write.
    const vendorRun = notify.records().filter((r) => r.logs.some((l) => l.includes(vendor.outRefundNo)));
    expect(vendorRun.map((r) => r.dbRequests)).toEqual([6]);
    const recorded = await s.refund(vendor.outRefundNo);
    expect(recorded).toMatchObject({
      status: 'SUCCESS',
      source: 'VENDOR_PLATFORM',
      requestedBy: 'vendor-platform',
      refundFee: 600,
      refundId: vendor.refundId,
    });
    expect(recorded.outbox.map((e) => e.kind)).toEqual(['REFUND_SUCCEEDED']);
    expect(await s.order(order._id)).toMatchObject({
      status: 'PARTIALLY_REFUNDED',
      refundedFee: 600,
      reservedFee: 0,
      refundCount: 1,
    });
    expect((await s.sandbox.control.listDeliveries({ outRefundNo: vendor.outRefundNo }))[0]).toMatchObject({
      outcome: 'success',
    });
    // The remaining 2000 can still be refunded through Shouyin, not more.
    expect(
      await s.refundCall('start', { outTradeNo: order._id, refundFee: 2001, reason: 'x' }, MERCHANT_OPENID),
    ).toMatchObject({ ok: false, error: { code: 'REFUND_EXCEEDS_PAID' } });
  });
});

describe('the merchant certificate', () => {
  let other: TestStack;
  beforeAll(async () => {
    // applyRefund presents another merchant's certificate: the sandbox refuses the TLS client.
    const dir = path.join(inject('sandboxPkiDir'), 'certs', 'merchants', HMAC_MERCHANT.mchId);
    other = await startTestStack({
      functionEnv: {
        applyRefund: {
          WXPAY_CERT_PATH: path.join(dir, 'apiclient_cert.pem'),
          WXPAY_KEY_PATH: path.join(dir, 'apiclient_key.pem'),
        },
      },
    });
  });
  afterAll(() => other?.stop());

  it('a refund without our client certificate is refused by the sandbox and shown as a certificate error', async () => {
    const order = await other.paidOrder('o-rn-cert', [{ productId: 'latte', quantity: 1 }]);
    const r = await other.refundCall<RefundChange>(
      'start',
      { outTradeNo: order._id, refundFee: 1800, reason: '证书' },
      MERCHANT_OPENID,
    );
    expect(r).toMatchObject({
      ok: true,
      data: {
        refund: { status: 'FAILED', failure: { code: 'WXPAY_CERTIFICATE', hint: expect.any(String) } },
      },
    });
    expect(await other.sandboxRefunds({ outTradeNo: order._id })).toEqual([]);
    expect(await other.order(order._id)).toMatchObject({ status: 'PAID', reservedFee: 0, refundedFee: 0 });
  });
});
