/**
 * The client against a local HTTPS "WeChat Pay" started here (127.0.0.1, port 0) with a CA, server and
 * merchant certificates generated at test time. The fake gateway signs with the same codec (sign.ts/xml.ts)
 * using the request's sign_type, and refuses /secapi/ without a trusted client certificate the way WeChat's
 * nginx front does (HTTP 400 pages, spec §9 item 10).
 */
import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  InputError,
  ShouyinError,
  SignatureError,
  WxPayBusinessError,
  WxPayCertificateError,
  WxPayProtocolError,
  WxPayTransportError,
} from '../errors';
import { businessRetry, createWxPayClient, MIN_ATTEMPT_MS } from './client';
import type { ClientCertificate, WxPayClientOptions } from './client-api';
import { sign, verify } from './sign';
import {
  createTestPki,
  type RecordedRequest,
  refusedPort,
  startTestServer,
  type TestPki,
  type TestServer,
  toP12,
} from './test-certs';
import { closeTransportAgents } from './transport';
import type { SignType, WxFields } from './types';
import { buildXml, parseXml } from './xml';

const APPID = 'wxd930ea5d5a258f4f';
const MCH_ID = '10000100';
const KEY = '192006250b4c09247ec02edce69f6a2d';
const NOTIFY = 'https://shop.example.com/wxpay/pay-notify';

type Action =
  | { fields: Record<string, string>; tamper?: boolean; unsigned?: boolean }
  | { status: number; text: string }
  | { hang: true }
  | { raw: string };
type Override = (req: WxFields, rec: RecordedRequest) => Action | undefined;

let pki: TestPki;
let gw: TestServer;
let backupGw: TestServer;
const queue: Override[] = [];
const hanging: Array<() => void> = [];
const errorsSeen: Error[] = [];

function happy(path: string, q: WxFields): Record<string, string> {
  const base = {
    appid: APPID,
    mch_id: MCH_ID,
    nonce_str: randomBytes(8).toString('hex'),
    result_code: 'SUCCESS',
  };
  switch (path) {
    case '/pay/unifiedorder':
      return { ...base, trade_type: 'JSAPI', prepay_id: `wx201411101639507cbf6ffd8b0779950874` };
    case '/pay/orderquery':
      return {
        ...base,
        trade_state: 'SUCCESS',
        trade_state_desc: '支付成功',
        out_trade_no: q.out_trade_no ?? 'SY20250101000000ABCDEFGHJKMN',
        transaction_id: q.transaction_id ?? '4200000001202501010000000001',
        openid: 'oUpF8uMuAJO_M2pxb1Q9zNjWeS6o',
        total_fee: '1999',
        cash_fee: '1999',
        time_end: '20250101120000',
        bank_type: 'OTHERS',
      };
    case '/pay/closeorder':
      return { ...base, result_msg: 'OK' };
    case '/secapi/pay/refund':
      return {
        ...base,
        transaction_id: '4200000001202501010000000001',
        out_trade_no: q.out_trade_no ?? 'SY20250101000000ABCDEFGHJKMN',
        out_refund_no: q.out_refund_no!,
        refund_id: '50000000012025010100000000001',
        refund_fee: q.refund_fee!,
        total_fee: q.total_fee!,
        cash_fee: q.total_fee!,
      };
    case '/pay/refundquery':
      return {
        ...base,
        transaction_id: '4200000001202501010000000001',
        out_trade_no: 'SY20250101000000ABCDEFGHJKMN',
        total_fee: '1999',
        cash_fee: '1999',
        refund_count: '2',
        out_refund_no_0: 'RF0',
        refund_id_0: '50000000012025010100000000001',
        refund_channel_0: 'ORIGINAL',
        refund_fee_0: '500',
        refund_status_0: 'SUCCESS',
        refund_recv_accout_0: '支付用户零钱',
        refund_success_time_0: '2025-01-01 12:30:00',
        out_refund_no_1: 'RF1',
        refund_id_1: '50000000012025010100000000002',
        refund_fee_1: '300',
        settlement_refund_fee_1: '300',
        refund_status_1: 'PROCESSING',
      };
    default:
      throw new Error(`unknown path ${path}`);
  }
}

function signed(fields: Record<string, string>, signType: SignType, tamper = false): string {
  const doc: Record<string, string> = { return_code: 'SUCCESS', return_msg: 'OK', ...fields };
  let s = sign(doc, KEY, signType);
  if (tamper) s = (s[0] === 'A' ? 'B' : 'A') + s.slice(1);
  return buildXml({ ...doc, sign: s });
}

async function startGateway(): Promise<TestServer> {
  return startTestServer(pki, (rec, res) => {
    if (rec.path.startsWith('/secapi/')) {
      if (!rec.presentedCert)
        return void res
          .writeHead(400)
          .end('<html><center>No required SSL certificate was sent</center></html>');
      if (!rec.authorized)
        return void res.writeHead(400).end('<html><center>The SSL certificate error</center></html>');
    }
    const q = parseXml(rec.body);
    const signType = (q.sign_type ?? 'MD5') as SignType;
    if (!verify(q, KEY, signType)) {
      return void res.end(buildXml({ return_code: 'FAIL', return_msg: '签名错误' }));
    }
    const action: Action = queue.shift()?.(q, rec) ?? { fields: happy(rec.path, q) };
    res.setHeader('Content-Type', 'text/plain'); // spec §1.4: parse as XML whatever the Content-Type says
    if ('hang' in action) return void hanging.push(() => res.destroy());
    if ('raw' in action) return void res.end(action.raw);
    if ('status' in action) return void res.writeHead(action.status).end(action.text);
    if (action.unsigned) return void res.end(buildXml({ return_code: 'SUCCESS', ...action.fields }));
    res.end(signed(action.fields, signType, action.tamper));
  });
}

beforeAll(async () => {
  pki = createTestPki(MCH_ID);
  gw = await startGateway();
  backupGw = await startGateway();
});

afterEach(() => {
  queue.length = 0;
  for (const h of hanging.splice(0)) h();
});

afterAll(async () => {
  closeTransportAgents();
  await gw.close();
  await backupGw.close();
  // No error raised anywhere in this file carried the API key or a request signature.
  const signs = [...gw.requests, ...backupGw.requests].map((r) => parseXml(r.body).sign!).filter(Boolean);
  expect(errorsSeen.length).toBeGreaterThan(20);
  for (const e of errorsSeen) {
    const text = `${e.message} ${String((e as { cause?: unknown }).cause ?? '')}`;
    expect(text).not.toContain(KEY);
    for (const s of signs) expect(text).not.toContain(s);
  }
});

let sleeps: number[] = [];

function client(over: Partial<WxPayClientOptions> = {}) {
  sleeps = [];
  return createWxPayClient(
    {
      appid: APPID,
      mchId: MCH_ID,
      apiKey: KEY,
      signType: 'MD5',
      baseUrl: gw.baseUrl,
      backupBaseUrl: null,
      ca: pki.ca.cert,
      certificate: { kind: 'pem', cert: pki.client.cert, key: pki.client.key },
      timeoutMs: 2000,
      retryDelayMs: 10,
      ...over,
    },
    { sleep: async (ms) => void sleeps.push(ms) },
  );
}

async function failure(p: Promise<unknown>): Promise<Error & Record<string, unknown>> {
  try {
    await p;
  } catch (e) {
    errorsSeen.push(e as Error);
    return e as Error & Record<string, unknown>;
  }
  throw new Error('expected a failure');
}

const since = (n: number) => gw.requests.slice(n);
const orderReq = (over: Record<string, unknown> = {}) => ({
  body: '收银台-测试商品',
  out_trade_no: 'SY20250101000000ABCDEFGHJKMN',
  total_fee: 1999,
  spbill_create_ip: '192.0.2.2',
  notify_url: NOTIFY,
  openid: 'oUpF8uMuAJO_M2pxb1Q9zNjWeS6o',
  ...over,
});
const refundReq = (over: Record<string, unknown> = {}) => ({
  out_trade_no: 'SY20250101000000ABCDEFGHJKMN',
  out_refund_no: 'RF20250101000000ABCDEFGHJKMN',
  total_fee: 1999,
  refund_fee: 500,
  ...over,
});

describe.each(['MD5', 'HMAC-SHA256'] as const)('happy paths with %s', (signType) => {
  function sent(n: number, path: string, nonce = /^[0-9a-f]{32}$/): WxFields {
    const reqs = since(n);
    expect(reqs).toHaveLength(1);
    expect(reqs[0]!.path).toBe(path);
    const q = parseXml(reqs[0]!.body);
    expect(q.sign_type).toBe(signType); // always explicit (spec §2.2)
    expect(q.appid).toBe(APPID);
    expect(q.mch_id).toBe(MCH_ID);
    expect(q.nonce_str).toMatch(nonce);
    expect(q.sign).toHaveLength(signType === 'MD5' ? 32 : 64);
    expect(verify(q, KEY, signType)).toBe(true);
    return q;
  }

  it('unifiedOrder', async () => {
    const n = gw.requests.length;
    const r = await client({ signType }).unifiedOrder(
      orderReq({ attach: 'a&b<c>', time_expire: '20250101123000' }),
    );
    expect(r.prepay_id).toBe('wx201411101639507cbf6ffd8b0779950874');
    expect(r.trade_type).toBe('JSAPI');
    const q = sent(n, '/pay/unifiedorder');
    expect(q).toMatchObject({
      body: '收银台-测试商品',
      out_trade_no: 'SY20250101000000ABCDEFGHJKMN',
      total_fee: '1999',
      trade_type: 'JSAPI',
      attach: 'a&b<c>',
      notify_url: NOTIFY,
      time_expire: '20250101123000',
    });
  });

  it('unifiedOrder uses the given nonce (re-entry)', async () => {
    const n = gw.requests.length;
    await client({ signType }).unifiedOrder(orderReq({ nonce_str: 'abcDEF123' }));
    expect(sent(n, '/pay/unifiedorder', /^abcDEF123$/).nonce_str).toBe('abcDEF123');
  });

  it('orderQuery', async () => {
    const n = gw.requests.length;
    const r = await client({ signType }).orderQuery({ out_trade_no: 'SY20250101000000ABCDEFGHJKMN' });
    expect(r).toMatchObject({
      trade_state: 'SUCCESS',
      trade_state_desc: '支付成功',
      out_trade_no: 'SY20250101000000ABCDEFGHJKMN',
      transaction_id: '4200000001202501010000000001',
      total_fee: 1999,
      cash_fee: 1999,
      time_end: '20250101120000',
    });
    expect(r.raw.bank_type).toBe('OTHERS');
    expect(sent(n, '/pay/orderquery').out_trade_no).toBe('SY20250101000000ABCDEFGHJKMN');
  });

  it('closeOrder', async () => {
    const n = gw.requests.length;
    const r = await client({ signType }).closeOrder({ out_trade_no: 'SY20250101000000ABCDEFGHJKMN' });
    expect(r.alreadyClosed).toBe(false);
    sent(n, '/pay/closeorder');
  });

  it('refund (mutual TLS with the PEM pair)', async () => {
    const n = gw.requests.length;
    const r = await client({ signType }).refund(refundReq({ refund_desc: '商品退款' }));
    expect(r).toMatchObject({
      refund_id: '50000000012025010100000000001',
      out_refund_no: 'RF20250101000000ABCDEFGHJKMN',
      out_trade_no: 'SY20250101000000ABCDEFGHJKMN',
      refund_fee: 500,
      total_fee: 1999,
    });
    expect(sent(n, '/secapi/pay/refund')).toMatchObject({
      refund_fee: '500',
      total_fee: '1999',
      refund_desc: '商品退款',
    });
    expect(since(n)[0]!.authorized).toBe(true);
  });

  it('refundQuery parses the _$n fields', async () => {
    const n = gw.requests.length;
    const r = await client({ signType }).refundQuery({ out_trade_no: 'SY20250101000000ABCDEFGHJKMN' });
    expect(r.refund_count).toBe(2);
    expect(r.total_fee).toBe(1999);
    expect(r.refunds).toEqual([
      {
        out_refund_no: 'RF0',
        refund_id: '50000000012025010100000000001',
        refund_fee: 500,
        refund_status: 'SUCCESS',
        refund_channel: 'ORIGINAL',
        refund_recv_accout: '支付用户零钱',
        refund_success_time: '2025-01-01 12:30:00',
      },
      {
        out_refund_no: 'RF1',
        refund_id: '50000000012025010100000000002',
        refund_fee: 300,
        settlement_refund_fee: 300,
        refund_status: 'PROCESSING',
      },
    ]);
    sent(n, '/pay/refundquery');
  });
});

describe('the merchant certificate', () => {
  it('refund without a certificate is refused before anything is sent', async () => {
    const n = gw.requests.length;
    const err = await failure(client({ certificate: undefined }).refund(refundReq()));
    expect(err).toBeInstanceOf(WxPayCertificateError);
    expect(err.message).toContain('WXPAY_CERT_PATH');
    expect(since(n)).toHaveLength(0);
  });

  it('another merchant’s certificate: WeChat’s HTTP 400 page → WxPayCertificateError, not retried', async () => {
    const n = gw.requests.length;
    const certificate: ClientCertificate = { kind: 'pem', ...pki.foreignClient };
    const err = await failure(client({ certificate, maxRetries: 3 }).refund(refundReq()));
    expect(err).toBeInstanceOf(WxPayCertificateError);
    expect(err.message).toContain('The SSL certificate error');
    expect(since(n)).toHaveLength(1);
  });

  it.each(['aes256', '3des'] as const)(
    'a .p12 (%s) with password = mch_id works on this Node',
    async (algorithm) => {
      const certificate: ClientCertificate = {
        kind: 'p12',
        pfx: toP12(pki.client, MCH_ID, algorithm),
        passphrase: MCH_ID,
      };
      const n = gw.requests.length;
      const r = await client({ certificate }).refund(refundReq());
      expect(r.refund_fee).toBe(500);
      expect(since(n)[0]!.authorized).toBe(true);
    },
  );

  it('a legacy RC2-40 .p12 → WxPayCertificateError naming the PEM alternative; nothing sent', async () => {
    const certificate: ClientCertificate = {
      kind: 'p12',
      pfx: toP12(pki.client, MCH_ID, 'rc2-40'),
      passphrase: MCH_ID,
    };
    const n = gw.requests.length;
    const err = await failure(client({ certificate }).refund(refundReq()));
    expect(err).toBeInstanceOf(WxPayCertificateError);
    expect(err.message).toMatch(/legacy encryption.*OpenSSL 3/);
    expect(err.message).toContain('apiclient_cert.pem + apiclient_key.pem');
    expect(since(n)).toHaveLength(0);
  });

  it('the certificate is not sent to /pay/ APIs', async () => {
    const n = gw.requests.length;
    await client().orderQuery({ out_trade_no: 'SY20250101000000ABCDEFGHJKMN' });
    expect(since(n)[0]!.presentedCert).toBe(false);
  });
});

describe('answers that must not be trusted', () => {
  it('a tampered signature → SignatureError', async () => {
    queue.push((q) => ({ fields: happy('/pay/orderquery', q), tamper: true }));
    const err = await failure(client().orderQuery({ out_trade_no: 'SY20250101000000ABCDEFGHJKMN' }));
    expect(err).toBeInstanceOf(SignatureError);
  });

  it('a changed field under a valid-looking signature → SignatureError', async () => {
    queue.push((q) => {
      const f = happy('/pay/orderquery', q);
      const xml = signed(f, 'MD5').replace('<total_fee><![CDATA[1999]]>', '<total_fee><![CDATA[1]]>');
      return { raw: xml };
    });
    expect(
      await failure(client().orderQuery({ out_trade_no: 'SY20250101000000ABCDEFGHJKMN' })),
    ).toBeInstanceOf(SignatureError);
  });

  it('an HMAC-SHA256 request whose answer is signed with MD5 → SignatureError (§2.2)', async () => {
    queue.push((q) => ({ raw: signed(happy('/pay/orderquery', q), 'MD5') }));
    const err = await failure(
      client({ signType: 'HMAC-SHA256' }).orderQuery({ out_trade_no: 'SY20250101000000ABCDEFGHJKMN' }),
    );
    expect(err).toBeInstanceOf(SignatureError);
  });

  // Issue 9.5: a re-entry repeats the algorithm the order was first signed with, whatever is configured now.
  it('unifiedOrder signs with the request’s own sign_type and verifies the answer with it', async () => {
    const n = gw.requests.length;
    const r = await client({ signType: 'HMAC-SHA256' }).unifiedOrder(orderReq({ sign_type: 'MD5' }));
    expect(r.prepay_id).toBeTruthy();
    const q = parseXml(since(n)[0]!.body);
    expect(q.sign_type).toBe('MD5');
    expect(verify(q, KEY, 'MD5')).toBe(true);
    await expect(client().unifiedOrder(orderReq({ sign_type: 'SHA1' as unknown as 'MD5' }))).rejects.toThrow(
      /sign_type/,
    );
  });

  it('an unsigned SUCCESS answer → SignatureError', async () => {
    queue.push((q) => ({ fields: happy('/pay/unifiedorder', q), unsigned: true }));
    expect(await failure(client().unifiedOrder(orderReq()))).toBeInstanceOf(SignatureError);
  });

  it.each([
    ['appid', 'wx0000000000000000'],
    ['mch_id', '99999999'],
  ])('a correctly signed answer for another %s → SignatureError', async (field, value) => {
    queue.push((q) => ({ fields: { ...happy('/pay/unifiedorder', q), [field]: value } }));
    const err = await failure(client().unifiedOrder(orderReq()));
    expect(err).toBeInstanceOf(SignatureError);
    expect(err.message).toContain(field);
  });

  it('return_code=FAIL → WxPayProtocolError with return_msg', async () => {
    const err = await failure(
      client({ apiKey: 'x'.repeat(32) }).orderQuery({ out_trade_no: 'SY20250101000000ABCDEFGHJKMN' }),
    );
    expect(err).toBeInstanceOf(WxPayProtocolError);
    expect(err.returnMsg).toBe('签名错误');
  });

  it('a signed answer about another out_refund_no → WXPAY_BAD_RESPONSE', async () => {
    queue.push((q) => ({ fields: { ...happy('/secapi/pay/refund', q), out_refund_no: 'RF-other' } }));
    const err = await failure(client().refund(refundReq()));
    expect(err).toBeInstanceOf(ShouyinError);
    expect(err.code).toBe('WXPAY_BAD_RESPONSE');
  });

  it('an unknown trade_state → WXPAY_BAD_RESPONSE', async () => {
    queue.push((q) => ({ fields: { ...happy('/pay/orderquery', q), trade_state: 'MAYBE' } }));
    expect((await failure(client().orderQuery({ out_trade_no: 'SY20250101000000ABCDEFGHJKMN' }))).code).toBe(
      'WXPAY_BAD_RESPONSE',
    );
  });
});

describe('business errors and retries', () => {
  const fail =
    (code: string, des = '') =>
    (q: WxFields) => ({
      fields: {
        appid: APPID,
        mch_id: MCH_ID,
        nonce_str: q.nonce_str!,
        result_code: 'FAIL',
        err_code: code,
        err_code_des: des,
      },
    });

  it('SYSTEMERROR is retried with the byte-identical body', async () => {
    queue.push(fail('SYSTEMERROR', '系统超时'));
    const n = gw.requests.length;
    const r = await client().unifiedOrder(orderReq());
    expect(r.prepay_id).toBeTruthy();
    const [a, b] = since(n);
    expect(since(n)).toHaveLength(2);
    expect(a!.body.equals(b!.body)).toBe(true);
    expect(sleeps).toHaveLength(1);
  });

  it('SYSTEMERROR until maxRetries is exhausted → WxPayBusinessError retryable, all bodies identical', async () => {
    for (let i = 0; i < 3; i++) queue.push(fail('SYSTEMERROR'));
    const n = gw.requests.length;
    const err = await failure(client({ maxRetries: 2 }).refund(refundReq()));
    expect(err).toBeInstanceOf(WxPayBusinessError);
    expect(err.errCode).toBe('SYSTEMERROR');
    expect(err.retryable).toBe(true);
    const bodies = since(n).map((r) => r.body);
    expect(bodies).toHaveLength(3);
    expect(bodies.every((b) => b.equals(bodies[0]!))).toBe(true);
    expect(parseXml(bodies[0]!).out_refund_no).toBe('RF20250101000000ABCDEFGHJKMN');
  });

  it('BIZERR_NEED_RETRY on refund is retried identically', async () => {
    queue.push(fail('BIZERR_NEED_RETRY'));
    const n = gw.requests.length;
    await client().refund(refundReq());
    const [a, b] = since(n);
    expect(a!.body.equals(b!.body)).toBe(true);
  });

  it.each([
    ['refund', 'FREQUENCY_LIMITED', true],
    ['refund', 'INVALID_REQ_TOO_MUCH', true],
    ['refund', 'NOTENOUGH', true],
    ['unifiedOrder', 'NOTENOUGH', false],
    ['unifiedOrder', 'ORDERPAID', false],
    ['unifiedOrder', 'OUT_TRADE_NO_USED', false],
    ['refund', 'ERROR', false],
  ] as const)('%s %s: retryable=%s, never retried automatically', async (api, code, retryable) => {
    queue.push(fail(code, '说明'));
    const n = gw.requests.length;
    const c = client({ maxRetries: 3 });
    const err = await failure(api === 'refund' ? c.refund(refundReq()) : c.unifiedOrder(orderReq()));
    expect(err).toBeInstanceOf(WxPayBusinessError);
    expect(err).toMatchObject({ errCode: code, errCodeDes: '说明', retryable });
    expect(since(n)).toHaveLength(1);
  });

  it('businessRetry follows spec §3.6', () => {
    expect(businessRetry('orderQuery', 'SYSTEMERROR')).toBe('auto');
    expect(businessRetry('refund', 'BIZERR_NEED_RETRY')).toBe('auto');
    expect(businessRetry('refund', 'FREQUENCY_LIMITED')).toBe('later');
    expect(businessRetry('refundQuery', 'REFUNDNOTEXIST')).toBe('no');
  });

  it('closeOrder ORDERCLOSED → alreadyClosed', async () => {
    queue.push(fail('ORDERCLOSED', '订单已关闭'));
    const r = await client().closeOrder({ out_trade_no: 'SY20250101000000ABCDEFGHJKMN' });
    expect(r.alreadyClosed).toBe(true);
  });

  it('a hang past the timeout → retried identically; succeeds on the second try', async () => {
    queue.push(() => ({ hang: true }));
    const n = gw.requests.length;
    const r = await client({ timeoutMs: 300 }).refund(refundReq());
    expect(r.refund_id).toBeTruthy();
    const [a, b] = since(n);
    expect(since(n)).toHaveLength(2);
    expect(a!.body.equals(b!.body)).toBe(true);
  });

  it('a hang on every try → WxPayTransportError delivered "unknown"', async () => {
    queue.push(
      () => ({ hang: true }),
      () => ({ hang: true }),
    );
    const n = gw.requests.length;
    const err = await failure(
      client({ timeoutMs: 300 }).orderQuery({ out_trade_no: 'SY20250101000000ABCDEFGHJKMN' }),
    );
    expect(err).toBeInstanceOf(WxPayTransportError);
    expect(err.delivered).toBe('unknown');
    expect(since(n)).toHaveLength(2);
  });

  it('HTTP 5xx and a non-XML answer are retried; HTTP 404 is not', async () => {
    queue.push(() => ({ status: 502, text: 'bad gateway' }));
    queue.push(() => ({ raw: '<html><body>系统繁忙</body></html>' }));
    const n = gw.requests.length;
    await client({ maxRetries: 2 }).orderQuery({ out_trade_no: 'SY20250101000000ABCDEFGHJKMN' });
    expect(since(n)).toHaveLength(3);

    queue.push(() => ({ raw: 'not xml at all' }));
    queue.push(() => ({ raw: 'not xml at all' }));
    const m = gw.requests.length;
    const err = await failure(client().orderQuery({ out_trade_no: 'SY20250101000000ABCDEFGHJKMN' }));
    expect(err).toMatchObject({ code: 'WXPAY_NOT_XML', delivered: 'unknown' });
    expect(since(m)).toHaveLength(2);

    queue.push(() => ({ status: 404, text: 'nope' }));
    const k = gw.requests.length;
    const e404 = await failure(client().orderQuery({ out_trade_no: 'SY20250101000000ABCDEFGHJKMN' }));
    expect(e404).toMatchObject({ httpStatus: 404 });
    expect(since(k)).toHaveLength(1);
  });

  it('connection refused on the primary → exactly one try on the backup host, same bytes', async () => {
    const port = await refusedPort();
    const n = backupGw.requests.length;
    const c = client({
      baseUrl: `https://127.0.0.1:${port}`,
      backupBaseUrl: backupGw.baseUrl,
      maxRetries: 3,
    });
    const r = await c.unifiedOrder(orderReq({ nonce_str: 'fixedNonce1' }));
    expect(r.prepay_id).toBeTruthy();
    const hits = backupGw.requests.slice(n);
    expect(hits).toHaveLength(1);
    expect(hits[0]!.path).toBe('/pay/unifiedorder');
    // byte-identical to what the primary would have received
    const direct = gw.requests.length;
    await client().unifiedOrder(orderReq({ nonce_str: 'fixedNonce1' }));
    expect(gw.requests[direct]!.body.equals(hits[0]!.body)).toBe(true);
    expect(sleeps).toHaveLength(0); // failover is immediate
  });

  it('both hosts refused → WxPayTransportError delivered "no" after one failover', async () => {
    const p1 = await refusedPort();
    const p2 = await refusedPort();
    const err = await failure(
      client({
        baseUrl: `https://127.0.0.1:${p1}`,
        backupBaseUrl: `https://127.0.0.1:${p2}`,
        maxRetries: 3,
      }).orderQuery({
        out_trade_no: 'SY20250101000000ABCDEFGHJKMN',
      }),
    );
    expect(err).toBeInstanceOf(WxPayTransportError);
    expect(err.delivered).toBe('no');
    expect(sleeps).toHaveLength(0);
  });

  it('a client pointed away from WeChat never fails over to api2 by default', async () => {
    const urls: string[] = [];
    const c = createWxPayClient(
      {
        appid: 'wx1234567890abcdef',
        mchId: '1900000109',
        apiKey: 'k'.repeat(32),
        signType: 'MD5',
        baseUrl: 'https://127.0.0.1:9',
      },
      {
        postXml: async (url) => {
          urls.push(url);
          throw new WxPayTransportError('refused', { delivered: 'no' });
        },
        sleep: async () => {},
      },
    );
    const err = await failure(c.orderQuery({ out_trade_no: 'SY20250101000000ABCDEFGHJKMN' }));
    expect(err.delivered).toBe('no');
    expect(urls).toEqual(['https://127.0.0.1:9/pay/orderquery']);
  });

  it('an unknown-outcome failure never goes to the backup host', async () => {
    queue.push(() => ({ status: 503, text: 'busy' }));
    const n = backupGw.requests.length;
    await client({ backupBaseUrl: backupGw.baseUrl }).orderQuery({
      out_trade_no: 'SY20250101000000ABCDEFGHJKMN',
    });
    expect(backupGw.requests.length).toBe(n);
  });
});

describe('request validation (nothing is sent)', () => {
  const n0 = () => gw.requests.length;

  it.each([0, -1, 1.5, Number.NaN, 2 ** 53, '100' as unknown as number])(
    'total_fee %s → InputError',
    async (fee) => {
      const n = n0();
      expect(await failure(client().unifiedOrder(orderReq({ total_fee: fee })))).toBeInstanceOf(InputError);
      expect(await failure(client().refund(refundReq({ refund_fee: fee })))).toBeInstanceOf(InputError);
      expect(gw.requests.length).toBe(n);
    },
  );

  it('refund_fee above total_fee → InputError', async () => {
    expect(await failure(client().refund(refundReq({ refund_fee: 2000 })))).toBeInstanceOf(InputError);
  });

  it.each(['short', 'SY2025 01', 'x'.repeat(33), 'SY202501010000#'])(
    'out_trade_no %j → InputError',
    async (no) => {
      expect(await failure(client().unifiedOrder(orderReq({ out_trade_no: no })))).toBeInstanceOf(InputError);
      expect(await failure(client().closeOrder({ out_trade_no: no }))).toBeInstanceOf(InputError);
    },
  );

  it('4-byte UTF-8 (emoji) in body/attach/refund_desc → InputError naming the field', async () => {
    const e1 = await failure(client().unifiedOrder(orderReq({ body: '奶茶🧋' })));
    expect(e1).toBeInstanceOf(InputError);
    expect(e1.message).toContain('body');
    expect((await failure(client().unifiedOrder(orderReq({ attach: '😀' })))).message).toContain('attach');
    expect((await failure(client().refund(refundReq({ refund_desc: '退款🙏' })))).message).toContain(
      'refund_desc',
    );
  });

  it('other malformed fields → InputError', async () => {
    const n = n0();
    for (const over of [
      { spbill_create_ip: '127.0.0.1.1' },
      { notify_url: 'https://x.example.com/n?a=1' },
      { notify_url: 'not a url' },
      { openid: '' },
      { time_expire: '2025-01-01' },
      { nonce_str: 'x'.repeat(33) },
      { body: 'x'.repeat(128) },
    ]) {
      expect(await failure(client().unifiedOrder(orderReq(over)))).toBeInstanceOf(InputError);
    }
    expect(await failure(client().orderQuery({} as never))).toBeInstanceOf(InputError);
    expect(await failure(client().refundQuery({} as never))).toBeInstanceOf(InputError);
    expect(
      await failure(client().refundQuery({ out_trade_no: 'SY20250101000000ABCDEFGHJKMN', offset: -1 })),
    ).toBeInstanceOf(InputError);
    expect(gw.requests.length).toBe(n);
  });

  it('bad options fail at creation, naming the option, never the key', () => {
    expect(() => client({ apiKey: 'short-secret' })).toThrow(/apiKey/);
    try {
      client({ apiKey: 'short-secret' });
    } catch (e) {
      expect((e as Error).message).not.toContain('short-secret');
    }
    expect(() => client({ signType: 'SHA1' as SignType })).toThrow(/signType/);
    expect(() => client({ baseUrl: 'http://api.mch.weixin.qq.com' })).toThrow(/baseUrl/);
  });

  it('merchant exposes no key', () => {
    const c = client();
    expect(c.merchant).toEqual({ appid: APPID, mchId: MCH_ID, signType: 'MD5' });
    expect(JSON.stringify(c)).not.toContain(KEY);
  });
});

// Issue 9.7: a call never outlives the invocation that makes it.
describe('per-call deadline', () => {
  function deadlineClient(t: { now: number }, timeoutsSeen: number[]) {
    return createWxPayClient(
      { appid: APPID, mchId: MCH_ID, apiKey: KEY, signType: 'MD5', timeoutMs: 2000, retryDelayMs: 100 },
      {
        now: () => t.now,
        sleep: async (ms) => {
          t.now += ms;
        },
        // WeChat never answers: each attempt uses up its whole timeout.
        postXml: async (_url, _body, o) => {
          timeoutsSeen.push(o.timeoutMs ?? -1);
          t.now += o.timeoutMs ?? 0;
          throw new WxPayTransportError('timeout', { delivered: 'unknown' });
        },
      },
    );
  }

  it('cuts the attempt to the time left and does not retry past the deadline', async () => {
    const t = { now: 1_000_000 };
    const seen: number[] = [];
    const err = await failure(
      deadlineClient(t, seen).orderQuery(
        { out_trade_no: 'SY20250101000000ABCDEFGHJKMN' },
        { deadline: t.now + 1500 },
      ),
    );
    expect(err).toBeInstanceOf(WxPayTransportError);
    expect(err.delivered).toBe('unknown');
    expect(seen).toEqual([1500]); // not 2000, and no retry after it
    expect(t.now).toBeLessThanOrEqual(1_000_000 + 1500);
  });

  it('retries within the deadline when there is time, each attempt cut to what is left', async () => {
    const t = { now: 0 };
    const seen: number[] = [];
    await failure(
      deadlineClient(t, seen).orderQuery(
        { out_trade_no: 'SY20250101000000ABCDEFGHJKMN' },
        { deadline: 3000 },
      ),
    );
    expect(seen).toHaveLength(2);
    expect(seen[0]).toBe(2000);
    expect(seen[1]!).toBeLessThanOrEqual(3000 - 2000 - 75);
    expect(t.now).toBeLessThanOrEqual(3000);
  });

  it('sends nothing when the deadline leaves no room for an attempt (WXPAY_NO_TIME, delivered "no")', async () => {
    const t = { now: 0 };
    const seen: number[] = [];
    const err = await failure(
      deadlineClient(t, seen).unifiedOrder(orderReq(), { deadline: MIN_ATTEMPT_MS - 1 }),
    );
    expect(err).toMatchObject({ code: 'WXPAY_NO_TIME', delivered: 'no' });
    expect(seen).toEqual([]);
  });
});
