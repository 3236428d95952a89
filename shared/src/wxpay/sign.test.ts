import { describe, expect, it } from 'vitest';
import { sign, signaturesEqual, signedXml, signingString, verify, verifyingSignType } from './sign';
import { parseXml } from './xml';

// Spec WeChat Pay v2 notes §2.7.
const DEMO_KEY = '192006250b4c09247ec02edce69f6a2d';
const O1 = {
  appid: 'wxd930ea5d5a258f4f',
  mch_id: '10000100',
  device_info: '1000',
  body: 'test',
  nonce_str: 'ibuaiVcKdpRxkhJA',
};
const S3 = {
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
};
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
  sign_type: 'MD5',
};
const DB = { ...DA, sign_type: 'HMAC-SHA256' };

describe('sign: spec §2.7 vectors', () => {
  it('O1: official MD5 example, with the exact stringSignTemp of §2.6', () => {
    expect(signingString(O1) + `&key=${DEMO_KEY}`).toBe(
      'appid=wxd930ea5d5a258f4f&body=test&device_info=1000&mch_id=10000100&nonce_str=ibuaiVcKdpRxkhJA&key=192006250b4c09247ec02edce69f6a2d',
    );
    expect(sign(O1, DEMO_KEY, 'MD5')).toBe('9A0A8659F005D6984697E2CA0A9CF3B7');
    expect(sign(O1, DEMO_KEY)).toBe('9A0A8659F005D6984697E2CA0A9CF3B7'); // MD5 is the default
  });

  it('O2: official HMAC-SHA256 example (HMAC key = API key)', () => {
    expect(sign(O1, DEMO_KEY, 'HMAC-SHA256')).toBe(
      '6A9AE1657590FD6257D693A078E1C3E4BB6BA4DC30B23E0EE2496E54170DACD6',
    );
  });

  it('S1, S2: {a:3, b:4} with key abc (numbers are signed as decimals)', () => {
    expect(sign({ a: 3, b: 4 }, 'abc', 'MD5')).toBe('85566166DABF8B84307C0AF0A7699366');
    expect(sign({ a: 3, b: 4 }, 'abc', 'HMAC-SHA256')).toBe(
      'AAF907CA1B2239E0187A4BD73331DCD840F84748C6905B7FD857688BED84ACF7',
    );
  });

  it('S3: unifiedorder body with Chinese text (UTF-8)', () => {
    expect(sign(S3, '6Q9VX4N3WTBM9G9XBL7H1L9PB9ANHLY8', 'MD5')).toBe('FD9B3671CFECE726A43B5AB686721886');
  });

  it('S4: verify a notification {foo: bar}', () => {
    const doc = { foo: 'bar', sign: '280F9CB28E99DC917792FCC7AC1B88C4' };
    expect(sign({ foo: 'bar' }, 'foo-merchant-key')).toBe('280F9CB28E99DC917792FCC7AC1B88C4');
    expect(verify(doc, 'foo-merchant-key')).toBe(true);
    expect(verify(doc, 'another-merchant-key')).toBe(false);
  });

  it('D-A: MD5 including sign_type, empty attach skipped', () => {
    expect(sign(DA, DEMO_KEY, 'MD5')).toBe('1D1A59CD944C107308E8694A29B27C9D');
    expect(signingString(DA)).toContain('sign_type=MD5');
    expect(signingString(DA)).not.toContain('attach');
  });

  it('D-B: HMAC-SHA256 including sign_type', () => {
    expect(sign(DB, DEMO_KEY, 'HMAC-SHA256')).toBe(
      'FB87935D77F34D85EABF1A0D87C1B9E7991719403EA709C9DA5426AB33836731',
    );
  });
});

describe('signing rules (spec §2.1)', () => {
  it('skips sign, empty, undefined and null values but keeps 0 and "0"', () => {
    expect(signingString({ sign: 'X', a: '', b: undefined, c: null, d: 0, e: '0', f: ' ' })).toBe(
      'd=0&e=0&f= ',
    );
  });

  it('sorts by ASCII code unit, upper case before lower case, and uses raw values', () => {
    expect(
      signingString({
        timeStamp: '1',
        appId: 'a',
        package: 'prepay_id=x&y',
        nonceStr: 'n',
        signType: 'MD5',
        B: 'b',
      }),
    ).toBe('B=b&appId=a&nonceStr=n&package=prepay_id=x&y&signType=MD5&timeStamp=1');
  });

  it('a changed value, an added field or another key changes the signature', () => {
    const s = sign(O1, DEMO_KEY);
    expect(sign({ ...O1, body: 'test ' }, DEMO_KEY)).not.toBe(s);
    expect(sign({ ...O1, extra: '1' }, DEMO_KEY)).not.toBe(s);
    expect(sign({ ...O1, extra: '' }, DEMO_KEY)).toBe(s);
    expect(sign(O1, DEMO_KEY.toUpperCase())).not.toBe(s);
  });
});

describe('verify (spec §2.3, pitfall 2)', () => {
  const md5Doc = { ...O1, sign: '9A0A8659F005D6984697E2CA0A9CF3B7' };
  const hmacDoc = { ...O1, sign: '6A9AE1657590FD6257D693A078E1C3E4BB6BA4DC30B23E0EE2496E54170DACD6' };

  it('uses sign_type when present (and signs it)', () => {
    expect(verify({ ...DA, sign: '1D1A59CD944C107308E8694A29B27C9D' }, DEMO_KEY)).toBe(true);
    expect(
      verify({ ...DB, sign: 'FB87935D77F34D85EABF1A0D87C1B9E7991719403EA709C9DA5426AB33836731' }, DEMO_KEY),
    ).toBe(true);
    // sign_type present wins over the fallback.
    expect(
      verify(
        { ...DB, sign: 'FB87935D77F34D85EABF1A0D87C1B9E7991719403EA709C9DA5426AB33836731' },
        DEMO_KEY,
        'MD5',
      ),
    ).toBe(true);
    // Dropping sign_type from a document signed with it breaks the signature (it is itself signed).
    const { sign_type: _dropped, ...withoutType } = DA;
    expect(verify({ ...withoutType, sign: '1D1A59CD944C107308E8694A29B27C9D' }, DEMO_KEY)).toBe(false);
  });

  it('without sign_type: the order sign type given as fallback', () => {
    expect(verify(hmacDoc, DEMO_KEY, 'HMAC-SHA256')).toBe(true);
    expect(verify(md5Doc, DEMO_KEY, 'MD5')).toBe(true);
    expect(verify(hmacDoc, DEMO_KEY, 'MD5')).toBe(false);
    expect(verify(md5Doc, DEMO_KEY, 'HMAC-SHA256')).toBe(false);
  });

  it('without sign_type and fallback: a 64-character sign means HMAC-SHA256', () => {
    expect(verifyingSignType(hmacDoc)).toBe('HMAC-SHA256');
    expect(verifyingSignType(md5Doc)).toBe('MD5');
    expect(verify(hmacDoc, DEMO_KEY)).toBe(true);
    expect(verify(md5Doc, DEMO_KEY)).toBe(true);
  });

  it('an unknown sign_type never verifies', () => {
    for (const t of ['SHA256', 'md5', 'HMAC-SHA512', 'RSA']) {
      const doc = { ...O1, sign_type: t };
      expect(verifyingSignType(doc)).toBeUndefined();
      expect(verify({ ...doc, sign: sign(doc, DEMO_KEY, 'MD5') }, DEMO_KEY, 'MD5')).toBe(false);
      expect(verify({ ...doc, sign: sign(doc, DEMO_KEY, 'HMAC-SHA256') }, DEMO_KEY, 'HMAC-SHA256')).toBe(
        false,
      );
    }
  });

  it('refuses an unknown sign type when signing, and never verifies with one', () => {
    expect(() => sign(O1, DEMO_KEY, 'SHA1' as never)).toThrow(/unknown sign type/);
    expect(verify({ ...O1, sign: '9A0A8659F005D6984697E2CA0A9CF3B7' }, DEMO_KEY, 'SHA1' as never)).toBe(
      false,
    );
  });

  it('fails on a tampered value, a missing or empty sign, a wrong key', () => {
    expect(verify({ ...md5Doc, body: 'test2' }, DEMO_KEY)).toBe(false);
    expect(verify({ ...md5Doc, extra: 'x' }, DEMO_KEY)).toBe(false);
    expect(verify({ ...md5Doc, sign: '' }, DEMO_KEY)).toBe(false);
    expect(verify({ ...O1 }, DEMO_KEY)).toBe(false);
    expect(verify(md5Doc, 'wrong-key')).toBe(false);
  });

  it('accepts a lower-case received sign (compared in upper case)', () => {
    expect(verify({ ...md5Doc, sign: md5Doc.sign.toLowerCase() }, DEMO_KEY)).toBe(true);
  });

  it('verifies a parsed notification end to end, with Chinese and ]]> in values', () => {
    const fields = { return_code: 'SUCCESS', attach: '门店]]>测试', total_fee: '007', appid: 'wx1' };
    const { xml } = signedXml(fields, DEMO_KEY, 'HMAC-SHA256');
    expect(verify(parseXml(xml), DEMO_KEY)).toBe(true);
    expect(verify(parseXml(xml.replace('007', '7')), DEMO_KEY)).toBe(false);
  });
});

describe('signaturesEqual', () => {
  it('compares in constant time, case-insensitively, lengths first', () => {
    const s = '9A0A8659F005D6984697E2CA0A9CF3B7';
    expect(signaturesEqual(s, s)).toBe(true);
    expect(signaturesEqual(s, s.toLowerCase())).toBe(true);
    expect(signaturesEqual(s, `${s.slice(0, -1)}8`)).toBe(false);
    expect(signaturesEqual(s, s.slice(1))).toBe(false);
    expect(signaturesEqual(s, `${s}0`)).toBe(false);
    expect(signaturesEqual(s, undefined)).toBe(false);
    expect(signaturesEqual(s, '')).toBe(false);
  });

  it('never lets a non-ASCII character stand in for a hex digit', () => {
    const s = '9A0A8659F005D6984697E2CA0A9CF3B7';
    // U+0141 'Ł' would become 0x41 'A' if compared as latin1 bytes.
    expect(signaturesEqual(s, s.replace(/A/g, '\u0141'))).toBe(false);
    expect(signaturesEqual(s, s.replace(/A/g, 'a'))).toBe(true);
  });
});

describe('signedXml', () => {
  it('gives the same signature as sign and the same document as buildXml({...fields, sign})', () => {
    const fields = { ...S3, total_fee: 888, attach: '', sign: 'STALE' };
    const { sign: s, xml } = signedXml(fields, '6Q9VX4N3WTBM9G9XBL7H1L9PB9ANHLY8');
    expect(s).toBe('FD9B3671CFECE726A43B5AB686721886');
    expect(parseXml(xml)).toStrictEqual({ ...S3, attach: '', sign: s });
    expect(
      xml.startsWith('<xml><appid><![CDATA[wxb80e5bddb2d804f3]]></appid><attach><![CDATA[]]></attach>'),
    ).toBe(true);
    expect(xml.endsWith('<sign>FD9B3671CFECE726A43B5AB686721886</sign></xml>')).toBe(true);
  });

  it('signs with HMAC-SHA256 and takes another root', () => {
    const { sign: s, xml } = signedXml(DB, DEMO_KEY, 'HMAC-SHA256', 'root');
    expect(s).toBe('FB87935D77F34D85EABF1A0D87C1B9E7991719403EA709C9DA5426AB33836731');
    expect(parseXml(xml, { roots: ['root'] }).sign).toBe(s);
  });
});
