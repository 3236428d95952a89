import { describe, expect, it } from 'vitest';
import { encryptReqInfo } from '../wxpay/crypto';
import { buildXml } from '../wxpay/xml';
import { checkRefundNotice, refundMismatch } from './notice';

const MERCHANT = { appid: 'wx1234567890abcdef', mchId: '1900000109', apiKey: 'A'.repeat(32) };

const ROOT = {
  out_refund_no: 'RF20261205100000AAAAAAAAAAAA',
  out_trade_no: 'SY20261205100000BBBBBBBBBBBB',
  transaction_id: '4200000000202612050000000001',
  refund_id: '50300000000202612050000000001',
  total_fee: '3600',
  refund_fee: '1800',
  settlement_refund_fee: '1800',
  refund_status: 'SUCCESS',
  success_time: '2026-12-05 10:00:00',
  refund_recv_accout: '支付用户零钱',
  refund_account: 'REFUND_SOURCE_UNSETTLED_FUNDS',
  refund_request_source: 'API',
};

function outer(root: Record<string, string | undefined> = ROOT, o: Record<string, string | undefined> = {}) {
  const plain = buildXml(root, 'root');
  return {
    return_code: 'SUCCESS',
    appid: MERCHANT.appid,
    mch_id: MERCHANT.mchId,
    nonce_str: 'abc',
    req_info: encryptReqInfo(plain, MERCHANT.apiKey),
    ...o,
  } as Record<string, string>;
}

describe('checkRefundNotice', () => {
  it('believes a well-formed notification of our merchant and returns its numbers', () => {
    expect(checkRefundNotice(outer(), MERCHANT)).toEqual({
      verdict: 'settle',
      notice: {
        outRefundNo: ROOT.out_refund_no,
        outTradeNo: ROOT.out_trade_no,
        transactionId: ROOT.transaction_id,
        refundId: ROOT.refund_id,
        totalFee: 3600,
        refundFee: 1800,
        status: 'SUCCESS',
        source: 'API',
        refundAccount: 'REFUND_SOURCE_UNSETTLED_FUNDS',
        recvAccount: '支付用户零钱',
        successTime: '2026-12-05 10:00:00',
      },
    });
  });

  it.each([
    ['return_code FAIL', { return_code: 'FAIL', req_info: undefined }, 'return-code'],
    [
      'a payment notification',
      { req_info: undefined, sign: 'X', transaction_id: '1' },
      'payment-notification',
    ],
    ['another merchant', { mch_id: '1900000999' }, 'merchant'],
    ['another appid', { appid: 'wx0000000000000000' }, 'merchant'],
    ['no req_info', { req_info: undefined }, 'req-info-missing'],
    ['garbage req_info', { req_info: 'bm90IGVuY3J5cHRlZA==' }, 'req-info-decrypt'],
    ['another key', { req_info: encryptReqInfo(buildXml(ROOT, 'root'), 'B'.repeat(32)) }, 'req-info-decrypt'],
    ['<xml> root', { req_info: encryptReqInfo(buildXml(ROOT), MERCHANT.apiKey) }, 'req-info-document'],
    [
      'JSON plaintext',
      { req_info: encryptReqInfo(JSON.stringify(ROOT), MERCHANT.apiKey) },
      'req-info-document',
    ],
  ] as const)('%s → reject', (_, edit, reason) => {
    const f = outer();
    for (const [k, v] of Object.entries(edit)) {
      if (v === undefined) delete f[k];
      else f[k] = v;
    }
    expect(checkRefundNotice(f, MERCHANT)).toEqual({ verdict: 'reject', reason });
  });

  it.each([
    'out_refund_no',
    'out_trade_no',
    'transaction_id',
    'refund_id',
    'total_fee',
    'refund_fee',
    'settlement_refund_fee',
    'refund_status',
    'refund_recv_accout',
    'refund_account',
    'refund_request_source',
  ])('a plaintext without %s → reject', (field) => {
    expect(checkRefundNotice(outer({ ...ROOT, [field]: undefined }), MERCHANT)).toEqual({
      verdict: 'reject',
      reason: 'req-info-fields',
    });
  });

  it('refuses an unknown status or source and non-integer amounts', () => {
    for (const edit of [
      { refund_status: 'PROCESSING' },
      { refund_request_source: 'OTHER' },
      { refund_fee: '18.00' },
      { total_fee: '-1' },
      { refund_fee: '0' },
    ])
      expect(checkRefundNotice(outer({ ...ROOT, ...edit }), MERCHANT)).toMatchObject({ verdict: 'reject' });
  });
});

describe('refundMismatch', () => {
  const refund = { outTradeNo: ROOT.out_trade_no, refundFee: 1800, totalFee: 3600, refundId: ROOT.refund_id };
  const n = (checkRefundNotice(outer(), MERCHANT) as { notice: Parameters<typeof refundMismatch>[1] }).notice;
  it('is empty for our refund and names every difference otherwise', () => {
    expect(refundMismatch(refund, n)).toEqual([]);
    expect(refundMismatch({ ...refund, refundId: undefined }, n)).toEqual([]);
    expect(refundMismatch({ outTradeNo: 'SYx', refundFee: 1, totalFee: 2, refundId: 'r' }, n)).toEqual([
      'out_trade_no',
      'refund_fee',
      'total_fee',
      'refund_id',
    ]);
  });
});

describe('API key rotation', () => {
  const OLD = 'P'.repeat(32);
  const until = Date.UTC(2026, 11, 8);
  const rotating = { ...MERCHANT, previousApiKey: OLD, previousApiKeyUntil: until };
  const withOldKey = () => outer(ROOT, { req_info: encryptReqInfo(buildXml(ROOT, 'root'), OLD) });
  it('decrypts req_info encrypted with the previous key only inside the window', () => {
    expect(checkRefundNotice(withOldKey(), rotating, until - 1).verdict).toBe('settle');
    expect(checkRefundNotice(withOldKey(), rotating, until)).toEqual({
      verdict: 'reject',
      reason: 'req-info-decrypt',
    });
    expect(checkRefundNotice(outer(), rotating, until - 1).verdict).toBe('settle');
  });
});
