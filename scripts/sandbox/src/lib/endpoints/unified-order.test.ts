import { beijingTime, buildXml, newNonce, parseXml, sign, verify } from '@shouyin/shared';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  call,
  orderFields,
  request,
  signedXml,
  startTestSandbox,
  type TestSandbox,
} from '../../testing/harness';
import { DEMO_MERCHANT } from '../merchants';

let t: TestSandbox;
beforeAll(async () => {
  t = await startTestSandbox({
    merchants: [
      DEMO_MERCHANT,
      // The merchants of the spec's vectors (§2.7), with their published keys.
      { appid: 'wxd930ea5d5a258f4f', mchId: '10000100', apiKey: '192006250b4c09247ec02edce69f6a2d' },
      { appid: 'wxb80e5bddb2d804f3', mchId: '1424712502', apiKey: '6Q9VX4N3WTBM9G9XBL7H1L9PB9ANHLY8' },
    ],
  });
});
afterAll(() => t.close());

const UO = '/pay/unifiedorder';
const fail = (text: string) => parseXml(text);

describe('protocol checks (return_code=FAIL, no sign)', () => {
  test('GET → REQUIRE_POST_METHOD', async () => {
    const a = await request(t.sb, UO, undefined, { method: 'GET' });
    expect(a.status).toBe(200);
    expect(fail(a.text)).toEqual({ return_code: 'FAIL', return_msg: '请使用post方法' });
  });

  test('empty body → POST_DATA_EMPTY', async () => {
    expect(fail((await request(t.sb, UO, '')).text).return_msg).toBe('post数据为空');
    expect(fail((await request(t.sb, UO, ' \n')).text).return_msg).toBe('post数据为空');
  });

  test.each([
    ['not XML', 'hello'],
    ['JSON', '{"appid":"x"}'],
    ['nested', '<xml><a><b>1</b></a></xml>'],
    ['DOCTYPE (XXE)', '<!DOCTYPE xml [<!ENTITY x SYSTEM "file:///etc/passwd">]><xml><a>&x;</a></xml>'],
    ['wrong root', '<root><a>1</a></root>'],
  ])('%s → XML_FORMAT_ERROR', async (_name, body) => {
    const f = fail((await request(t.sb, UO, body)).text);
    expect(f).toEqual({ return_code: 'FAIL', return_msg: 'XML格式错误' });
  });

  test('oversize body → XML error', async () => {
    const f = fail((await request(t.sb, UO, `<xml><a>${'x'.repeat(70_000)}</a></xml>`)).text);
    expect(f.return_code).toBe('FAIL');
  });

  test('non-UTF-8 bytes and 4-byte characters → NOT_UTF8', async () => {
    const latin1 = Buffer.concat([
      Buffer.from('<xml><body>'),
      Buffer.from([0xc3, 0x28]),
      Buffer.from('</body></xml>'),
    ]);
    expect(fail((await request(t.sb, UO, latin1)).text).return_msg).toBe('编码格式错误');
    const a = await call(t.sb, t.m, UO, orderFields(t.receiver.url(), { body: '收银-咖啡☕🍰' }));
    expect(a.fields).toEqual({ return_code: 'FAIL', return_msg: '编码格式错误' });
  });

  test('missing or unknown mch_id', async () => {
    expect(fail((await request(t.sb, UO, buildXml({ appid: t.m.appid }))).text).return_msg).toBe(
      '缺少参数mch_id',
    );
    const body = signedXml(
      { appid: t.m.appid, mch_id: '1234567', ...orderFields(t.receiver.url()) },
      t.m.apiKey,
    );
    expect(fail((await request(t.sb, UO, body)).text).return_code).toBe('FAIL');
  });

  test('signature: wrong key, missing sign, tampered field, sign_type mismatch, unknown sign_type → 签名错误', async () => {
    const base = { appid: t.m.appid, mch_id: t.m.mchId, ...orderFields(t.receiver.url()) };
    const wrongKey = signedXml(base, 'K'.repeat(32));
    const noSign = buildXml({ ...base, nonce_str: newNonce() });
    const tampered = signedXml(base, t.m.apiKey).replace(
      '<total_fee>100</total_fee>',
      '<total_fee>1</total_fee>',
    );
    // Declares HMAC-SHA256 but signs with MD5 (spec §2.2).
    const declaredHmac = { ...base, nonce_str: newNonce(), sign_type: 'HMAC-SHA256' };
    const mismatch = buildXml({ ...declaredHmac, sign: sign(declaredHmac, t.m.apiKey, 'MD5') });
    const unknownType = { ...base, nonce_str: newNonce(), sign_type: 'SHA1' };
    const unknown = buildXml({ ...unknownType, sign: sign(unknownType, t.m.apiKey, 'MD5') });
    for (const body of [wrongKey, noSign, tampered, mismatch, unknown]) {
      expect(fail((await request(t.sb, UO, body)).text)).toEqual({
        return_code: 'FAIL',
        return_msg: '签名错误',
      });
    }
  });
});

describe('business validation', () => {
  test('a missing required field → LACK_PARAMS, signed', async () => {
    for (const missing of [
      'body',
      'out_trade_no',
      'total_fee',
      'spbill_create_ip',
      'notify_url',
      'trade_type',
    ]) {
      const f = orderFields(t.receiver.url());
      delete f[missing];
      const a = await call(t.sb, t.m, UO, f);
      expect(a.fields).toMatchObject({
        return_code: 'SUCCESS',
        result_code: 'FAIL',
        err_code: 'LACK_PARAMS',
      });
      expect(a.fields.err_code_des).toContain(missing);
      expect(a.signed).toBe(true);
    }
    const noOpenid = orderFields(t.receiver.url());
    delete noOpenid.openid;
    expect((await call(t.sb, t.m, UO, noOpenid)).fields.err_code).toBe('LACK_PARAMS');
  });

  test('appid not bound to mch_id → APPID_MCHID_NOT_MATCH', async () => {
    const a = await call(t.sb, t.m, UO, { ...orderFields(t.receiver.url()), appid: 'wx00000000000000ff' });
    expect(a.fields).toMatchObject({
      result_code: 'FAIL',
      err_code: 'APPID_MCHID_NOT_MATCH',
      appid: 'wx00000000000000ff',
    });
    expect(a.signed).toBe(true);
  });

  test.each([
    ['out_trade_no too short', { out_trade_no: 'A1234' }, 'out_trade_no'],
    ['out_trade_no too long', { out_trade_no: 'A'.repeat(33) }, 'out_trade_no'],
    ['out_trade_no charset', { out_trade_no: 'ORDER#12345' }, 'out_trade_no'],
    ['total_fee decimal (pitfall 5)', { total_fee: '9.8' }, 'total_fee'],
    ['total_fee zero', { total_fee: 0 }, 'total_fee'],
    ['total_fee negative', { total_fee: -5 }, 'total_fee'],
    ['body over 127 bytes', { body: '收'.repeat(43) }, 'body'],
    ['attach over 127 bytes', { attach: 'a'.repeat(128) }, 'attach'],
    ['notify_url with query', { notify_url: 'https://shop.example.com/notify?id=1' }, 'notify_url'],
    ['notify_url relative', { notify_url: '/notify' }, 'notify_url'],
    ['notify_url http to a public host', { notify_url: 'http://shop.example.com/notify' }, 'notify_url'],
    ['spbill_create_ip', { spbill_create_ip: 'localhost' }, 'spbill_create_ip'],
    ['time_expire malformed', { time_expire: '2025-01-06' }, 'time_expire'],
    ['fee_type', { fee_type: 'USD' }, 'fee_type'],
    ['trade_type', { trade_type: 'WAP' }, 'trade_type'],
    ['nonce_str too long', { nonce_str: 'n'.repeat(33) }, 'nonce_str'],
  ])('%s → return_code FAIL', async (_name, extra, field) => {
    const a = await call(t.sb, t.m, UO, orderFields(t.receiver.url(), extra));
    expect(a.fields.return_code).toBe('FAIL');
    expect(a.fields.return_msg).toContain(field);
    expect(a.fields.sign).toBeUndefined();
  });

  test('time_expire under 5 minutes away → INVALID_REQUEST', async () => {
    const now = (await t.sb.control.clock()).now;
    const a = await call(
      t.sb,
      t.m,
      UO,
      orderFields(t.receiver.url(), { time_expire: beijingTime(now + 4 * 60_000) }),
    );
    expect(a.fields).toMatchObject({ result_code: 'FAIL', err_code: 'INVALID_REQUEST' });
  });

  test('trade_types other than JSAPI → NOAUTH', async () => {
    const a = await call(
      t.sb,
      t.m,
      UO,
      orderFields(t.receiver.url(), { trade_type: 'NATIVE', product_id: 'P1' }),
    );
    expect(a.fields.err_code).toBe('NOAUTH');
  });
});

describe('orders', () => {
  test('MD5 and HMAC-SHA256: answer signed with the request sign type', async () => {
    for (const signType of ['MD5', 'HMAC-SHA256'] as const) {
      const a = await call(t.sb, t.m, UO, orderFields(t.receiver.url()), { signType });
      expect(a.fields).toMatchObject({
        return_code: 'SUCCESS',
        return_msg: 'OK',
        result_code: 'SUCCESS',
        trade_type: 'JSAPI',
      });
      expect(a.fields.appid).toBe(t.m.appid);
      expect(a.fields.mch_id).toBe(t.m.mchId);
      expect(a.fields.prepay_id).toMatch(/^wx\d{14}[0-9a-f]{20}$/);
      expect(a.fields.sign).toHaveLength(signType === 'MD5' ? 32 : 64);
      expect(a.signed).toBe(true);
      expect(a.headers['content-type']).toBe('text/plain');
    }
  });

  test('re-entry: same prepay_id while valid, a new one after 2 hours; changed params → INVALID_REQUEST', async () => {
    const f = orderFields(t.receiver.url(), { attach: 'a=1', time_expire: '20991231235959' });
    const first = await call(t.sb, t.m, UO, f);
    const again = await call(t.sb, t.m, UO, f); // new nonce, same business parameters
    expect(again.fields.prepay_id).toBe(first.fields.prepay_id);
    const changed = await call(t.sb, t.m, UO, { ...f, total_fee: 101 });
    expect(changed.fields).toMatchObject({
      result_code: 'FAIL',
      err_code: 'INVALID_REQUEST',
      err_code_des: '订单重入时，要求参数值与原请求一致',
    });
    const changedType = await call(t.sb, t.m, UO, f, { signType: 'HMAC-SHA256' }); // sign_type is a parameter too
    expect(changedType.fields.err_code).toBe('INVALID_REQUEST');
    await t.sb.control.advanceClock(2 * 3600_000 - 1000);
    expect((await call(t.sb, t.m, UO, f)).fields.prepay_id).toBe(first.fields.prepay_id);
    await t.sb.control.advanceClock(1000);
    const renewed = await call(t.sb, t.m, UO, f);
    expect(renewed.fields.result_code).toBe('SUCCESS');
    expect(renewed.fields.prepay_id).not.toBe(first.fields.prepay_id);
    // The old prepay_id can no longer be paid; the new one can.
    await expect(t.sb.control.pay({ prepayId: first.fields.prepay_id })).rejects.toMatchObject({
      code: 'PREPAY_EXPIRED',
    });
    await t.sb.control.pay({ prepayId: renewed.fields.prepay_id });
    expect((await call(t.sb, t.m, UO, f)).fields).toMatchObject({
      result_code: 'FAIL',
      err_code: 'ORDERPAID',
    });
  });

  test('closed order → ORDERCLOSED; past time_expire → ORDERCLOSED and unpayable', async () => {
    const f = orderFields(t.receiver.url());
    await call(t.sb, t.m, UO, f);
    await t.sb.control.advanceClock(5 * 60_000);
    expect(
      (await call(t.sb, t.m, '/pay/closeorder', { out_trade_no: f.out_trade_no })).fields.result_code,
    ).toBe('SUCCESS');
    expect((await call(t.sb, t.m, UO, f)).fields).toMatchObject({
      result_code: 'FAIL',
      err_code: 'ORDERCLOSED',
    });

    const now = (await t.sb.control.clock()).now;
    const g = orderFields(t.receiver.url(), { time_expire: beijingTime(now + 10 * 60_000) });
    await call(t.sb, t.m, UO, g);
    await t.sb.control.advanceClock(10 * 60_000);
    expect((await call(t.sb, t.m, UO, g)).fields.err_code).toBe('ORDERCLOSED');
    await expect(t.sb.control.pay({ outTradeNo: String(g.out_trade_no) })).rejects.toMatchObject({
      code: 'ORDER_EXPIRED',
    });
    const q = await call(t.sb, t.m, '/pay/orderquery', { out_trade_no: g.out_trade_no });
    expect(q.fields.trade_state).toBe('NOTPAY');
  });

  test('unknown extra fields are accepted and signed (spec §2.1)', async () => {
    const a = await call(
      t.sb,
      t.m,
      UO,
      orderFields(t.receiver.url(), { future_field: 'x', device_info: 'WEB' }),
    );
    expect(a.fields).toMatchObject({ result_code: 'SUCCESS', device_info: 'WEB' });
  });

  test('strict notify_url mode refuses loopback http and accepts https', async () => {
    const strict = await startTestSandbox({ allowLoopbackNotify: false }, { pkiFrom: t });
    try {
      const refused = await call(strict.sb, strict.m, UO, orderFields(strict.receiver.url()));
      expect(refused.fields).toEqual({ return_code: 'FAIL', return_msg: 'notify_url参数格式错误' });
      const ok = await call(
        strict.sb,
        strict.m,
        UO,
        orderFields('https://shop.example.com/wxpay/pay-notify'),
      );
      expect(ok.fields.result_code).toBe('SUCCESS');
    } finally {
      await strict.close();
    }
  });

  test('unknown paths answer 404 like nginx', async () => {
    const a = await request(t.sb, '/pay/micropay', '<xml></xml>');
    expect(a.status).toBe(404);
    expect(a.text).toContain('nginx');
  });
});

/*
 * The sandbox accepts requests signed exactly as the spec's vectors say — byte-for-byte the same signing
 * string as WeChat — because it verifies with the shared codec.
 */
const DA = {
  appid: 'wxd930ea5d5a258f4f',
  mch_id: '10000100',
  nonce_str: 'ibuaiVcKdpRxkhJA',
  body: '腾讯充值中心-QQ会员充值',
  out_trade_no: '20150806125346',
  total_fee: '1',
  spbill_create_ip: '123.12.12.123',
  notify_url: 'https://example.com/wxpay/notify',
  trade_type: 'JSAPI',
  openid: 'oUpF8uMuAJO_M2pxb1Q9zNjWeS6o',
  attach: '',
};

describe('spec §2.7 vectors against the sandbox', () => {
  test('D-A (MD5, sign_type included, empty attach) and D-B (HMAC-SHA256) are accepted; answers are signed alike', async () => {
    const da = await request(
      t.sb,
      '/pay/unifiedorder',
      buildXml({ ...DA, sign_type: 'MD5', sign: '1D1A59CD944C107308E8694A29B27C9D' }),
    );
    const a = parseXml(da.text);
    expect(a).toMatchObject({ return_code: 'SUCCESS', result_code: 'SUCCESS' });
    expect(verify(a, '192006250b4c09247ec02edce69f6a2d', 'MD5')).toBe(true);

    const db = await request(
      t.sb,
      '/pay/unifiedorder',
      buildXml({
        ...DA,
        sign_type: 'HMAC-SHA256',
        sign: 'FB87935D77F34D85EABF1A0D87C1B9E7991719403EA709C9DA5426AB33836731',
      }),
    );
    const b = parseXml(db.text);
    // The same out_trade_no with a different sign_type is a changed re-entry: still a verified, signed answer.
    expect(b).toMatchObject({ return_code: 'SUCCESS', result_code: 'FAIL', err_code: 'INVALID_REQUEST' });
    expect(b.sign).toHaveLength(64);
    expect(verify(b, '192006250b4c09247ec02edce69f6a2d', 'HMAC-SHA256')).toBe(true);
  });

  test('S3 (MD5 without sign_type, Chinese body) is accepted; one changed byte is not', async () => {
    const s3 = {
      appid: 'wxb80e5bddb2d804f3',
      body: '腾讯充值中心-QQ会员充值',
      mch_id: '1424712502',
      nonce_str: 'K2FN1t1L83aumb5li4ObNwLSmR5vECE7',
      notify_url: 'https://example.com/wechatpay/notify',
      openid: 'oUpF8uMuAJO_M2pxb1Q9zNjWeS6o',
      out_trade_no: '1217752501201407033233368018',
      spbill_create_ip: '8.8.8.8',
      total_fee: '888',
      trade_type: 'JSAPI',
      sign: 'FD9B3671CFECE726A43B5AB686721886',
    };
    expect(parseXml((await request(t.sb, '/pay/unifiedorder', buildXml(s3))).text).result_code).toBe(
      'SUCCESS',
    );
    const changed = parseXml(
      (await request(t.sb, '/pay/unifiedorder', buildXml({ ...s3, body: '腾讯充值中心-QQ会员充值 ' }))).text,
    );
    expect(changed).toEqual({ return_code: 'FAIL', return_msg: '签名错误' });
  });
});
