import { describe, expect, it } from 'vitest';
import { sign } from '../wxpay/sign';
import type { SignType, WxFields } from '../wxpay/types';
import { checkPayNotice, paymentMismatch } from './pay-notice';

const merchant = {
  appid: 'wx2421b1c4370ec43b',
  mchId: '10000100',
  apiKey: '192006250b4c09247ec02edce69f6a2d',
  signType: 'MD5' as SignType,
};

function notice(
  over: Record<string, string | undefined> = {},
  signType: SignType = 'MD5',
  key = merchant.apiKey,
): WxFields {
  const fields: Record<string, string> = {};
  const all: Record<string, string | undefined> = {
    return_code: 'SUCCESS',
    appid: merchant.appid,
    mch_id: merchant.mchId,
    nonce_str: 'abc123',
    result_code: 'SUCCESS',
    openid: 'oPayer',
    trade_type: 'JSAPI',
    bank_type: 'OTHERS',
    total_fee: '1990',
    cash_fee: '1990',
    transaction_id: '4200000000202611230000000001',
    out_trade_no: 'SY20261123003015ABCDEFGHJKMN',
    time_end: '20261123003501',
    ...over,
  };
  for (const [k, v] of Object.entries(all)) if (v !== undefined) fields[k] = v;
  fields.sign = sign(fields, key, signType);
  return fields;
}

describe('checkPayNotice', () => {
  it('accepts a correctly signed MD5 notification', () => {
    const v = checkPayNotice(notice(), merchant);
    expect(v).toEqual({
      verdict: 'settle',
      report: {
        outTradeNo: 'SY20261123003015ABCDEFGHJKMN',
        transactionId: '4200000000202611230000000001',
        totalFee: 1990,
        openid: 'oPayer',
        timeEnd: '20261123003501',
      },
    });
  });

  it('accepts HMAC-SHA256 with sign_type present', () => {
    expect(checkPayNotice(notice({ sign_type: 'HMAC-SHA256' }, 'HMAC-SHA256'), merchant).verdict).toBe(
      'settle',
    );
  });

  // Issue 9.6: without sign_type the algorithm is the configured one, never guessed from the signature.
  it('refuses a signature made with the other algorithm when sign_type is absent', () => {
    expect(checkPayNotice(notice({}, 'HMAC-SHA256'), merchant)).toEqual({
      verdict: 'reject',
      reason: 'signature',
    });
    const hmacMerchant = { ...merchant, signType: 'HMAC-SHA256' as SignType };
    expect(checkPayNotice(notice({}, 'MD5'), hmacMerchant)).toEqual({
      verdict: 'reject',
      reason: 'signature',
    });
  });

  it('verifies an HMAC notification without sign_type by the configured (order) sign type', () => {
    const hmacMerchant = { ...merchant, signType: 'HMAC-SHA256' as SignType };
    expect(checkPayNotice(notice({}, 'HMAC-SHA256'), hmacMerchant).verdict).toBe('settle');
    // An MD5 signature with a declared sign_type of HMAC-SHA256 never verifies.
    const lying = notice({ sign_type: 'HMAC-SHA256' }, 'MD5');
    expect(checkPayNotice(lying, hmacMerchant)).toEqual({ verdict: 'reject', reason: 'signature' });
  });

  it('signs over fields it does not know (no whitelist)', () => {
    expect(checkPayNotice(notice({ brand_new_field: 'x', coupon_fee_0: '10' }), merchant).verdict).toBe(
      'settle',
    );
  });

  it('refuses return_code FAIL before looking at the signature', () => {
    expect(checkPayNotice({ return_code: 'FAIL', return_msg: 'x' }, merchant)).toEqual({
      verdict: 'reject',
      reason: 'return-code',
    });
  });

  it.each([
    ['a wrong key', () => notice({}, 'MD5', 'f'.repeat(32))],
    ['a changed amount after signing', () => ({ ...notice(), total_fee: '1' })],
    [
      'a dropped field after signing',
      () => {
        const { bank_type: _, ...rest } = notice();
        return rest;
      },
    ],
    [
      'a missing sign',
      () => {
        const { sign: _, ...rest } = notice();
        return rest;
      },
    ],
    ['an unknown sign_type', () => notice({ sign_type: 'SHA1' })],
    [
      'sign_type saying MD5 over an HMAC signature',
      () => ({ ...notice({}, 'HMAC-SHA256'), sign_type: 'MD5' }),
    ],
  ])('refuses %s as a signature failure', (_name, make) => {
    expect(checkPayNotice(make() as WxFields, merchant)).toEqual({ verdict: 'reject', reason: 'signature' });
  });

  it('refuses another appid or mch_id even when correctly signed', () => {
    expect(checkPayNotice(notice({ appid: 'wx0000000000000000' }), merchant)).toEqual({
      verdict: 'reject',
      reason: 'merchant',
    });
    expect(checkPayNotice(notice({ mch_id: '19999999' }), merchant)).toEqual({
      verdict: 'reject',
      reason: 'merchant',
    });
  });

  it('ignores a signed result_code FAIL (nothing to settle, nothing to retry)', () => {
    expect(checkPayNotice(notice({ result_code: 'FAIL' }), merchant)).toEqual({
      verdict: 'ignore',
      reason: 'result-not-success',
    });
  });

  // Issue 9.6: a correctly signed notification that lacks what WeChat always sends proves nothing.
  it.each([
    ['out_trade_no', { out_trade_no: 'bad no!' }],
    ['transaction_id', { transaction_id: undefined }],
    ['openid', { openid: undefined }],
    ['openid', { openid: '' }],
    ['result_code', { result_code: undefined }],
    ['result_code', { result_code: 'MAYBE' }],
    ['total_fee', { total_fee: '19.90' }],
    ['total_fee', { total_fee: undefined }],
    ['cash_fee', { cash_fee: undefined }],
    ['bank_type', { bank_type: undefined }],
    ['trade_type', { trade_type: undefined }],
    ['time_end', { time_end: '2026-11-23' }],
    ['nonce_str', { nonce_str: undefined }],
    ['fee_type', { fee_type: 'USD' }],
  ])('refuses a signed notice with %s missing or malformed (%o)', (field, over) => {
    expect(checkPayNotice(notice(over), merchant)).toEqual({
      verdict: 'reject',
      reason: 'fields',
      fields: [field],
    });
  });

  it('accepts fee_type CNY', () => {
    expect(checkPayNotice(notice({ fee_type: 'CNY' }), merchant).verdict).toBe('settle');
  });
});

describe('paymentMismatch', () => {
  const order = { totalFee: 1990, _openid: 'oPayer' };
  it('compares total_fee and the payer', () => {
    expect(paymentMismatch(order, { totalFee: 1990, openid: 'oPayer' })).toEqual([]);
    expect(paymentMismatch(order, { totalFee: 1, openid: 'oPayer' })).toEqual(['amount']);
    expect(paymentMismatch(order, { totalFee: 1990, openid: 'oOther' })).toEqual(['payer']);
    expect(paymentMismatch(order, { totalFee: undefined, openid: 'oOther' })).toEqual(['amount', 'payer']);
  });
  it('does not hold a missing payer against the order', () => {
    expect(paymentMismatch(order, { totalFee: 1990, openid: undefined })).toEqual([]);
  });
});

describe('API key rotation', () => {
  const OLD = 'Pq3vN8pX2mL7kR4tY9wB1cD6fG0hJ5sZ';
  const until = Date.UTC(2026, 11, 8);
  const rotating = { ...merchant, previousApiKey: OLD, previousApiKeyUntil: until };
  it('accepts a notification signed with the previous key only inside the window', () => {
    const signedWithOld = notice({}, 'MD5', OLD);
    expect(checkPayNotice(signedWithOld, rotating, until - 1).verdict).toBe('settle');
    expect(checkPayNotice(signedWithOld, rotating, until)).toEqual({
      verdict: 'reject',
      reason: 'signature',
    });
    expect(checkPayNotice(signedWithOld, merchant, until - 1)).toEqual({
      verdict: 'reject',
      reason: 'signature',
    });
    expect(checkPayNotice(notice(), rotating, until - 1).verdict).toBe('settle');
  });
});
