/**
 * The project's own client (shared/src/wxpay/client.ts) against the sandbox: every endpoint, the errors
 * the sandbox produces, mutual TLS with PEM and .p12, and the client's retry of injected faults.
 */
import { readFileSync } from 'node:fs';
import {
  type ClientCertificate,
  closeTransportAgents,
  createWxPayClient,
  SignatureError,
  type SignType,
  WxPayBusinessError,
  WxPayCertificateError,
  WxPayProtocolError,
  WxPayTransportError,
} from '@shouyin/shared';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { type MerchantInfo, no, startTestSandbox, type TestSandbox } from '../testing/harness';

let t: TestSandbox;
let md5: MerchantInfo;
let hmac: MerchantInfo;
beforeAll(async () => {
  t = await startTestSandbox({
    merchants: [
      { appid: 'wx1234567890abcdef', mchId: '1900000109' },
      {
        appid: 'wx00000000000000b2',
        mchId: '1900000002',
        signType: 'HMAC-SHA256',
        fundFlow: 'new',
        balances: { available: 1000 },
      },
    ],
  });
  [md5, hmac] = t.sb.info.merchants as [MerchantInfo, MerchantInfo];
});
afterAll(async () => {
  closeTransportAgents();
  await t.close();
});
afterEach(() => t.sb.control.clearFaults());

const pem = (m: MerchantInfo): ClientCertificate => ({
  kind: 'pem',
  cert: readFileSync(m.certFile),
  key: readFileSync(m.keyFile),
});

function client(
  m: MerchantInfo,
  o: {
    certificate?: ClientCertificate;
    apiKey?: string;
    appid?: string;
    timeoutMs?: number;
    signType?: SignType;
  } = {},
) {
  return createWxPayClient(
    {
      appid: o.appid ?? m.appid,
      mchId: m.mchId,
      apiKey: o.apiKey ?? m.apiKey,
      signType: o.signType ?? m.signType,
      baseUrl: t.sb.baseUrl,
      backupBaseUrl: null,
      ca: readFileSync(t.sb.caFile),
      certificate: o.certificate === undefined ? pem(m) : o.certificate,
      timeoutMs: o.timeoutMs ?? 5000,
      maxRetries: 1,
    },
    { sleep: async () => {} },
  );
}

const order = (extra: Record<string, unknown> = {}) => ({
  body: '收银测试-咖啡',
  out_trade_no: no('C'),
  total_fee: 500,
  spbill_create_ip: '127.0.0.1',
  notify_url: t.receiver.url(),
  openid: 'oUpF8uMuAJO_M2pxb1Q9zNjWeS6o',
  ...extra,
});

async function paid(m: MerchantInfo) {
  const req = order();
  const { prepay_id } = await client(m).unifiedOrder(req);
  const o = await t.sb.control.pay({ prepayId: prepay_id, mchId: m.mchId });
  return { req, transactionId: o.transactionId! };
}

describe('every endpoint through createWxPayClient', () => {
  test.each(['MD5', 'HMAC-SHA256'] as const)(
    '%s: order → query → pay → query → refund → refundquery → close',
    async (signType) => {
      const m = signType === 'MD5' ? md5 : hmac;
      const c = client(m);
      const req = order({ attach: 'a&b<c>' });
      const uo = await c.unifiedOrder(req);
      expect(uo.prepay_id).toMatch(/^wx/);
      expect((await c.unifiedOrder(req)).prepay_id).toBe(uo.prepay_id); // re-entry, new nonce
      expect((await c.orderQuery({ out_trade_no: req.out_trade_no })).trade_state).toBe('NOTPAY');
      await t.sb.control.pay({ prepayId: uo.prepay_id, mchId: m.mchId });
      const q = await c.orderQuery({ out_trade_no: req.out_trade_no });
      expect(q).toMatchObject({ trade_state: 'SUCCESS', total_fee: 500, cash_fee: 500, openid: req.openid });
      expect(q.raw.attach).toBe('a&b<c>');
      const r = await c.refund({
        out_trade_no: req.out_trade_no,
        out_refund_no: no('CR'),
        total_fee: 500,
        refund_fee: 200,
      });
      expect(r).toMatchObject({ refund_fee: 200, total_fee: 500, transaction_id: q.transaction_id });
      const rq = await c.refundQuery({ out_trade_no: req.out_trade_no });
      expect(rq).toMatchObject({
        refund_count: 1,
        total_fee: 500,
        refunds: [{ refund_id: r.refund_id, refund_fee: 200, refund_status: 'PROCESSING' }],
      });
      await t.sb.control.advanceClock(10_000);
      expect((await c.refundQuery({ refund_id: r.refund_id })).refunds[0]!.refund_status).toBe('SUCCESS');
      expect((await c.orderQuery({ transaction_id: q.transaction_id! })).trade_state).toBe('REFUND');

      const other = order();
      await c.unifiedOrder(other);
      await expect(c.closeOrder({ out_trade_no: other.out_trade_no })).rejects.toMatchObject({
        errCode: 'TRADE_STATE_ERROR',
        retryable: false,
      });
      await t.sb.control.advanceClock(5 * 60_000);
      expect(await c.closeOrder({ out_trade_no: other.out_trade_no })).toMatchObject({
        alreadyClosed: false,
      });
      expect(await c.closeOrder({ out_trade_no: other.out_trade_no })).toMatchObject({ alreadyClosed: true });
    },
  );

  test('the .p12 certificate works as well as the PEM pair', async () => {
    const { req } = await paid(md5);
    const c = client(md5, {
      certificate: { kind: 'p12', pfx: readFileSync(md5.p12File), passphrase: md5.mchId },
    });
    const r = await c.refund({
      out_trade_no: req.out_trade_no,
      out_refund_no: no('CR'),
      total_fee: 500,
      refund_fee: 1,
    });
    expect(r.refund_fee).toBe(1);
  });
});

describe('errors as the client sees them', () => {
  test('business errors: ORDERPAID, ORDERCLOSED, INVALID_REQUEST, ORDERNOTEXIST, APPID_MCHID_NOT_MATCH, REFUNDNOTEXIST', async () => {
    const c = client(md5);
    const { req } = await paid(md5);
    await expect(c.unifiedOrder(req)).rejects.toMatchObject({ errCode: 'ORDERPAID' });
    await expect(c.unifiedOrder({ ...req, out_trade_no: no('C') })).resolves.toBeTruthy();
    const closed = order();
    await c.unifiedOrder(closed);
    await t.sb.control.advanceClock(5 * 60_000);
    await c.closeOrder({ out_trade_no: closed.out_trade_no });
    await expect(c.unifiedOrder(closed)).rejects.toMatchObject({ errCode: 'ORDERCLOSED' });
    const changed = order();
    await c.unifiedOrder(changed);
    await expect(c.unifiedOrder({ ...changed, total_fee: 501 })).rejects.toMatchObject({
      errCode: 'INVALID_REQUEST',
    });
    await expect(c.orderQuery({ out_trade_no: 'NO_SUCH_ORDER' })).rejects.toBeInstanceOf(WxPayBusinessError);
    await expect(
      client(md5, { appid: 'wx00000000000000ff' }).orderQuery({ out_trade_no: req.out_trade_no }),
    ).rejects.toMatchObject({
      errCode: 'APPID_MCHID_NOT_MATCH',
    });
    await expect(c.refundQuery({ out_refund_no: 'NOPE' })).rejects.toMatchObject({
      errCode: 'REFUNDNOTEXIST',
    });
  });

  test('wrong API key → WxPayProtocolError 签名错误 (pitfall 1)', async () => {
    const err = await client(md5, { apiKey: 'K'.repeat(32) })
      .orderQuery({ out_trade_no: 'ANY_ORDER_1' })
      .catch((e) => e);
    expect(err).toBeInstanceOf(WxPayProtocolError);
    expect(err.returnMsg).toBe('签名错误');
  });

  test('refund rules: NOTENOUGH is retryable later; the 1-minute rule; different amounts for one number', async () => {
    const c = client(hmac);
    const { req } = await paid(hmac);
    await t.sb.control.setBalance({ mchId: hmac.mchId, available: 0 });
    const r = { out_trade_no: req.out_trade_no, out_refund_no: no('CR'), total_fee: 500, refund_fee: 100 };
    await expect(c.refund(r)).rejects.toMatchObject({ errCode: 'NOTENOUGH', retryable: true });
    await t.sb.control.setBalance({ mchId: hmac.mchId, available: 1000 });
    await c.refund(r);
    await expect(c.refund({ ...r, out_refund_no: no('CR') })).rejects.toMatchObject({
      errCode: 'FREQUENCY_LIMITED',
      retryable: true,
    });
    await expect(c.refund({ ...r, refund_fee: 99 })).rejects.toMatchObject({
      errCode: 'ERROR',
      retryable: false,
    });
  });

  test("another merchant's certificate → WxPayCertificateError (HTTP 400 The SSL certificate error)", async () => {
    const { req } = await paid(md5);
    const err = await client(md5, { certificate: pem(hmac) })
      .refund({ out_trade_no: req.out_trade_no, out_refund_no: no('CR'), total_fee: 500, refund_fee: 1 })
      .catch((e) => e);
    expect(err).toBeInstanceOf(WxPayCertificateError);
    expect(err.message).toContain('The SSL certificate error');
  });
});

describe('faults and the client’s retries', () => {
  test('SYSTEMERROR after processing on refund: the identical retry returns the refund that was made (no double refund)', async () => {
    const { req } = await paid(md5);
    await t.sb.control.injectFault({ target: 'refund', kind: 'SYSTEMERROR', afterProcessing: true });
    const r = await client(md5).refund({
      out_trade_no: req.out_trade_no,
      out_refund_no: no('CR'),
      total_fee: 500,
      refund_fee: 500,
    });
    expect(r.refund_fee).toBe(500);
    expect(await t.sb.control.listRefunds({ outTradeNo: req.out_trade_no })).toHaveLength(1);
  });

  test('two SYSTEMERRORs exhaust maxRetries=1 → WxPayBusinessError, retryable', async () => {
    await t.sb.control.injectFault({ target: 'orderquery', kind: 'SYSTEMERROR', count: 2 });
    await expect(client(md5).orderQuery({ out_trade_no: 'ANY_ORDER_2' })).rejects.toMatchObject({
      errCode: 'SYSTEMERROR',
      retryable: true,
    });
  });

  test('a reset connection is retried; a hang past the timeout is an unknown outcome', async () => {
    const { req } = await paid(md5);
    await t.sb.control.injectFault({ target: 'orderquery', kind: 'reset' });
    expect((await client(md5).orderQuery({ out_trade_no: req.out_trade_no })).trade_state).toBe('SUCCESS');
    await t.sb.control.injectFault({ target: 'orderquery', kind: 'hang', count: 2, hangMs: 2000 });
    const err = await client(md5, { timeoutMs: 200 })
      .orderQuery({ out_trade_no: req.out_trade_no })
      .catch((e) => e);
    expect(err).toBeInstanceOf(WxPayTransportError);
    expect(err.delivered).toBe('unknown');
  });

  test('a bad response signature → SignatureError', async () => {
    await t.sb.control.injectFault({ target: 'unifiedorder', kind: 'badsign' });
    await expect(client(hmac).unifiedOrder(order())).rejects.toBeInstanceOf(SignatureError);
  });
});
