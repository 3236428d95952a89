import { describe, expect, it } from 'vitest';
import { decryptReqInfo, encryptReqInfo, ReqInfoError } from './crypto';
import { parseXml, parseXmlDocument } from './xml';

// Spec WeChat Pay v2 notes §2.7 D-D: plaintext lines joined by LF, no final LF.
const DD_PLAIN = [
  '<root>',
  '<out_refund_no><![CDATA[131811191610442717309]]></out_refund_no>',
  '<out_trade_no><![CDATA[71106718111915575302817]]></out_trade_no>',
  '<refund_account><![CDATA[REFUND_SOURCE_RECHARGE_FUNDS]]></refund_account>',
  '<refund_fee><![CDATA[3960]]></refund_fee>',
  '<refund_id><![CDATA[50000408942018111907145868882]]></refund_id>',
  '<refund_recv_accout><![CDATA[支付用户零钱]]></refund_recv_accout>',
  '<refund_request_source><![CDATA[API]]></refund_request_source>',
  '<refund_status><![CDATA[SUCCESS]]></refund_status>',
  '<settlement_refund_fee><![CDATA[3960]]></settlement_refund_fee>',
  '<settlement_total_fee><![CDATA[3960]]></settlement_total_fee>',
  '<success_time><![CDATA[2018-11-19 16:24:13]]></success_time>',
  '<total_fee><![CDATA[3960]]></total_fee>',
  '<transaction_id><![CDATA[4200000215201811190261405420]]></transaction_id>',
  '</root>',
].join('\n');
const DD_CIPHER =
  '4gS8kbcHysCW7bHqyEU0M4GTNkgJQP6/zKHbA/E3CvwLlNgCKUkGRy0OpONZjd4saggSnB6Fr7dHRYn6tvu8XDRU6t9IC3GuUKHs3SXmFKkm5cy3YR0oWIZFU4C5LV9LU7U3hwvUSZNx1QcFQXX9yZz68Wq8pwf/DeZ6iOXy/XRulylo75C7n0p3dMm/yJamZ44ir2iwWwEis3Tiif9Y6foLxrFA+fESQK1aH/OEZhIrJPIlnrtoxGJVJfoWAOYrC13a52BaR7CHKmNhAtw60n+XBUPLx5VzwpHKf3zZB1EpCngiVGcxmEAy3I59wotsScP4iaUeObWqPs7RYdQCiFQ9oRo4/c6bUWocW6HfOJGyWXj3VNfZtjTp1J6R05bP/1PCNV9FIMlt+owfcjTPO4pmRx0SpuKPy7j80APUCyC4g/0FU2ppbw/jN3faXAOV/1+Vl5vrDWxg2hiWm9JCttJ5kAHD/9XB6hfM0BH4iwf/Z/FZO+ECvO2A9buqnpCeOYWsOZNN1Z2Ow9kfJXhiDs/N0UICa2lodyl44nBrbP3amju/Zm6yyyFr74jl2GUsGO3PBrqfP1mbX96WiG09BcjQp1PAw40kfw32o7LW8ZT7DakPEGf0Khhuy+xbdusziU/CihrSEIUJP2qlK2/WrM3MtKE7qMqGBMDTG/n/BB1B82zfpNEh1py0CKTS+ezCKQp4IlRnMZhAMtyOfcKLbMEwOF1u3TdfNh+GSXPbEdydvKTcrMddQ5bbUosAT0d+dcPSPlM8Ckq6OPWJfyaySg8x1PM39psr2UqhJGFQ/kcDLzCYt1gVX+qjOdMC0v0IBG+YszRCIvJkNGues9wip94bkBWQeHdtuES+XZS9wIR0jwIA5G+mJJD3tRW/JpCXeIVgW84XStyaniaekKdo/Q6lkmNwtztmzB0Ub6ct/rQPMdTzN/abK9lKoSRhUP5Hq3yjxpWFegmV3TtECOaAtSj8cubVTONJL2m2vzF7RpOCXbPq7TuRyVqYF1fTBJH50z8YV7B5zZ5f1JU2tCMvRaIe1jZ0yyZLytG/dONZ+ee7rjV3lKvcHiHEASz1EtvM';
const DEMO_KEY = '192006250b4c09247ec02edce69f6a2d';

describe('decryptReqInfo (spec §5.3)', () => {
  it('S5: decrypts to a document that is not <root> (parsing is a separate step)', () => {
    const plain = decryptReqInfo('FTuPWOW4npLOTY8GQp+JtWXKe3ZFa2wsJC6v9gFoATU=', 'foo-merchant-key');
    expect(plain).toBe('<foo><bar>123</bar></foo>');
    expect(() => parseXmlDocument(plain, { roots: ['root'] })).toThrow();
  });

  it('S6: decrypts to non-XML plaintext', () => {
    expect(decryptReqInfo('/Pe2X0sgRcndZWNJQQmcPw==', '6Q9VX4N3WTBM9G9XBL7H1L9PB9ANHLY8')).toBe('{"a":3}');
  });

  it('D-D: decrypts to the exact plaintext (816 bytes), which parses with roots [root]', () => {
    expect(Buffer.from(DD_CIPHER, 'base64')).toHaveLength(816);
    const plain = decryptReqInfo(DD_CIPHER, DEMO_KEY);
    expect(plain).toBe(DD_PLAIN);
    const doc = parseXmlDocument(plain, { roots: ['root'] });
    expect(doc.root).toBe('root');
    expect(Object.keys(doc.fields)).toHaveLength(13);
    expect(doc.fields.refund_recv_accout).toBe('支付用户零钱');
    expect(doc.fields.success_time).toBe('2018-11-19 16:24:13');
    expect(doc.fields.refund_fee).toBe('3960');
  });

  it('encryptReqInfo reproduces the D-D ciphertext and round-trips', () => {
    expect(encryptReqInfo(DD_PLAIN, DEMO_KEY)).toBe(DD_CIPHER);
    const text = '<root><a><![CDATA[退款 ]]></a></root>';
    expect(decryptReqInfo(encryptReqInfo(text, 'k'.repeat(32)), 'k'.repeat(32))).toBe(text);
    expect(parseXml(decryptReqInfo(encryptReqInfo(text, 'x'), 'x'), { roots: ['root'] })).toStrictEqual({
      a: '退款 ',
    });
  });

  it('tolerates line breaks in the base64 but refuses garbage and the wrong key', () => {
    expect(decryptReqInfo(DD_CIPHER.replace(/(.{76})/g, '$1\r\n'), DEMO_KEY)).toBe(DD_PLAIN);
    expect(() => decryptReqInfo('', DEMO_KEY)).toThrow(ReqInfoError);
    expect(() => decryptReqInfo('not base64!', DEMO_KEY)).toThrow(ReqInfoError);
    expect(() => decryptReqInfo('AAAA', DEMO_KEY)).toThrow(ReqInfoError); // 3 bytes: not a block
    expect(() => decryptReqInfo(DD_CIPHER, 'another-key')).toThrow(
      expect.objectContaining({ code: 'REQ_INFO_DECRYPT', message: expect.stringContaining('wrong key') }),
    );
  });
});
