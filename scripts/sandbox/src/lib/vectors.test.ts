/**
 * The sandbox accepts requests signed exactly as the spec's vectors (§2.7) say — byte-for-byte the
 * same signing string as WeChat — because it verifies with the shared codec.
 */
import { buildXml, parseXml, verify } from '@shouyin/shared';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { request, startTestSandbox, type TestSandbox } from '../testing/harness';

let t: TestSandbox;
beforeAll(async () => {
  t = await startTestSandbox({
    merchants: [
      { appid: 'wxd930ea5d5a258f4f', mchId: '10000100', apiKey: '192006250b4c09247ec02edce69f6a2d' },
      { appid: 'wxb80e5bddb2d804f3', mchId: '1424712502', apiKey: '6Q9VX4N3WTBM9G9XBL7H1L9PB9ANHLY8' },
    ],
  });
});
afterAll(() => t.close());

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
    const da = await request(t.sb, '/pay/unifiedorder', buildXml({ ...DA, sign_type: 'MD5', sign: '1D1A59CD944C107308E8694A29B27C9D' }));
    const a = parseXml(da.text);
    expect(a).toMatchObject({ return_code: 'SUCCESS', result_code: 'SUCCESS' });
    expect(verify(a, '192006250b4c09247ec02edce69f6a2d', 'MD5')).toBe(true);

    const db = await request(
      t.sb,
      '/pay/unifiedorder',
      buildXml({ ...DA, sign_type: 'HMAC-SHA256', sign: 'FB87935D77F34D85EABF1A0D87C1B9E7991719403EA709C9DA5426AB33836731' }),
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
    expect(parseXml((await request(t.sb, '/pay/unifiedorder', buildXml(s3))).text).result_code).toBe('SUCCESS');
    const changed = parseXml((await request(t.sb, '/pay/unifiedorder', buildXml({ ...s3, body: '腾讯充值中心-QQ会员充值 ' }))).text);
    expect(changed).toEqual({ return_code: 'FAIL', return_msg: '签名错误' });
  });
});
