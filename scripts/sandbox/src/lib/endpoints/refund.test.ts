import { readFileSync } from 'node:fs';
import { createSecureContext } from 'node:tls';
import { decryptReqInfo, parseXml, parseXmlDocument, type WxInput } from '@shouyin/shared';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import {
  call,
  foreignCertificate,
  type MerchantInfo,
  no,
  orderFields,
  request,
  signedXml,
  startTestSandbox,
  type TestSandbox,
} from '../../testing/harness';

let t: TestSandbox;
let old: MerchantInfo; // old fund flow, refund notifications configured in 商户平台
let neu: MerchantInfo; // new fund flow
beforeAll(async () => {
  t = await startTestSandbox((r) => ({
    merchants: [
      {
        appid: 'wx00000000000000a1',
        mchId: '1900000001',
        name: '老资金流商户',
        refundNotifyUrl: r.url('/refund-notify'),
      },
      { appid: 'wx00000000000000b2', mchId: '1900000002', fundFlow: 'new', signType: 'HMAC-SHA256' },
    ],
  }));
  [old, neu] = t.sb.info.merchants as [MerchantInfo, MerchantInfo];
});
afterAll(() => t.close());
beforeEach(() => {
  t.receiver.received.length = 0;
});

async function paidOrder(m: MerchantInfo, totalFee = 100) {
  const f = orderFields(t.receiver.url(), { total_fee: totalFee });
  const a = await call(t.sb, m, '/pay/unifiedorder', f);
  expect(a.fields.result_code).toBe('SUCCESS');
  const o = await t.sb.control.pay({ prepayId: a.fields.prepay_id!, mchId: m.mchId });
  return { outTradeNo: o.outTradeNo, transactionId: o.transactionId!, totalFee };
}
const refund = (m: MerchantInfo, fields: WxInput, signType: 'MD5' | 'HMAC-SHA256' = 'MD5') =>
  call(t.sb, m, '/secapi/pay/refund', fields, { cert: m, signType });
const refundQuery = (m: MerchantInfo, fields: WxInput) => call(t.sb, m, '/pay/refundquery', fields);
const decryptNotice = (body: string) =>
  parseXmlDocument(decryptReqInfo(parseXml(body).req_info!, old.apiKey), { roots: ['root'] }).fields;
/** Decrypted refund notifications received on `path` for one order. */
const refundNotices = (outTradeNo: string, path = '/refund-notify') =>
  t.receiver.received
    .filter((x) => x.path === path)
    .map((x) => decryptNotice(x.body))
    .filter((f) => f.out_trade_no === outTradeNo);

describe('mutual TLS on /secapi/pay/refund', () => {
  const body = () =>
    signedXml(
      {
        appid: old.appid,
        mch_id: old.mchId,
        out_trade_no: 'X123456',
        out_refund_no: 'R1',
        total_fee: 1,
        refund_fee: 1,
      },
      old.apiKey,
    );

  test('no client certificate → HTTP 400 nginx page "No required SSL certificate was sent"', async () => {
    const a = await request(t.sb, '/secapi/pay/refund', body());
    expect(a.status).toBe(400);
    expect(a.headers['content-type']).toBe('text/html');
    expect(a.text).toContain('<title>400 No required SSL certificate was sent</title>');
    expect(() => parseXml(a.text)).toThrow();
  });

  test("another merchant's certificate → HTTP 400 The SSL certificate error", async () => {
    const a = await request(t.sb, '/secapi/pay/refund', body(), { cert: neu });
    expect(a.status).toBe(400);
    expect(a.text).toContain('The SSL certificate error');
  });

  test('a certificate from another CA (even with the right CN) → HTTP 400 The SSL certificate error', async () => {
    const a = await request(t.sb, '/secapi/pay/refund', body(), { pem: foreignCertificate(old.mchId) });
    expect(a.status).toBe(400);
    expect(a.text).toContain('The SSL certificate error');
  });

  test('the .p12 (password = mch_id) loads in Node 20 / OpenSSL 3 and authenticates', async () => {
    expect(() =>
      createSecureContext({ pfx: readFileSync(old.p12File), passphrase: old.mchId }),
    ).not.toThrow();
    expect(() => createSecureContext({ pfx: readFileSync(old.p12File), passphrase: 'wrong' })).toThrow();
    const a = await request(t.sb, '/secapi/pay/refund', body(), {
      pfx: { file: old.p12File, passphrase: old.mchId },
    });
    expect(a.status).toBe(200);
    expect(parseXml(a.text).return_code).toBe('SUCCESS');
  });

  test('/pay/* paths need no certificate', async () => {
    const a = await refundQuery(old, { out_refund_no: 'nothing-here' });
    expect(a.fields.err_code).toBe('REFUNDNOTEXIST');
  });
});

describe('refund lifecycle', () => {
  test('accepted → PROCESSING → SUCCESS after the settle delay, with an encrypted refund notification', async () => {
    const o = await paidOrder(old);
    const outRefundNo = no('R');
    const a = await refund(old, {
      out_trade_no: o.outTradeNo,
      out_refund_no: outRefundNo,
      total_fee: 100,
      refund_fee: 30,
      refund_desc: '退货',
    });
    expect(a.signed).toBe(true);
    expect(a.text).toContain('<refund_channel><![CDATA[]]></refund_channel>'); // empty: dropped from the signature
    expect(a.fields).toMatchObject({
      return_code: 'SUCCESS',
      result_code: 'SUCCESS',
      transaction_id: o.transactionId,
      out_trade_no: o.outTradeNo,
      out_refund_no: outRefundNo,
      refund_fee: '30',
      total_fee: '100',
      cash_fee: '100',
      cash_refund_fee: '30',
    });
    expect(a.fields.refund_id).toMatch(/^\d{29}$/);
    const q1 = await refundQuery(old, { out_refund_no: outRefundNo });
    expect(q1.signed).toBe(true);
    expect(q1.fields).toMatchObject({
      refund_count: '1',
      refund_status_0: 'PROCESSING',
      refund_id_0: a.fields.refund_id,
      refund_fee_0: '30',
    });
    expect(q1.fields.refund_success_time_0).toBeUndefined();

    await t.sb.control.advanceClock(10_000);
    const q2 = await refundQuery(old, { refund_id: a.fields.refund_id! });
    expect(q2.fields).toMatchObject({
      refund_status_0: 'SUCCESS',
      refund_account_0: 'REFUND_SOURCE_UNSETTLED_FUNDS',
      refund_recv_accout_0: '支付用户零钱',
      refund_channel_0: 'ORIGINAL',
    });
    expect(q2.fields.refund_success_time_0).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);

    // The merchant-platform refund URL got the notification: no sign, req_info decrypts with md5(key).
    expect(refundNotices(o.outTradeNo)).toHaveLength(1);
    const raw = t.receiver.received.find(
      (r) => r.path === '/refund-notify' && decryptNotice(r.body).out_trade_no === o.outTradeNo,
    )!;
    const outer = parseXml(raw.body);
    expect(Object.keys(outer).sort()).toEqual(['appid', 'mch_id', 'nonce_str', 'req_info', 'return_code']);
    const inner = parseXmlDocument(decryptReqInfo(outer.req_info!, old.apiKey), { roots: ['root'] });
    expect(inner.root).toBe('root');
    expect(inner.fields).toMatchObject({
      out_refund_no: outRefundNo,
      out_trade_no: o.outTradeNo,
      transaction_id: o.transactionId,
      refund_id: a.fields.refund_id,
      refund_fee: '30',
      settlement_refund_fee: '30',
      total_fee: '100',
      refund_status: 'SUCCESS',
      refund_account: 'REFUND_SOURCE_UNSETTLED_FUNDS',
      refund_recv_accout: '支付用户零钱',
      refund_request_source: 'API',
    });
    expect(inner.fields.success_time).toBe(q2.fields.refund_success_time_0);
  });

  test('same out_refund_no and amounts is idempotent; different amounts → error; notify_url in the request wins', async () => {
    const o = await paidOrder(old);
    const r = {
      out_trade_no: o.outTradeNo,
      out_refund_no: no('R'),
      total_fee: 100,
      refund_fee: 40,
      notify_url: t.receiver.url('/own'),
    };
    const first = await refund(old, r);
    const again = await refund(old, r);
    expect(again.fields.result_code).toBe('SUCCESS');
    expect(again.fields.refund_id).toBe(first.fields.refund_id);
    const different = await refund(old, { ...r, refund_fee: 41 });
    expect(different.fields).toMatchObject({
      result_code: 'FAIL',
      err_code: 'ERROR',
      err_code_des: '订单金额或退款金额与之前请求不一致，请核实后再试',
    });
    const list = await t.sb.control.listRefunds({ outTradeNo: o.outTradeNo });
    expect(list).toHaveLength(1);
    await t.sb.control.settleRefund({ outRefundNo: r.out_refund_no, mchId: old.mchId });
    await t.sb.control.idle();
    expect(refundNotices(o.outTradeNo, '/own')).toHaveLength(1);
    expect(refundNotices(o.outTradeNo)).toHaveLength(0);
  });

  test('cumulative refunds ≤ total, 1 minute apart, by transaction_id too', async () => {
    const o = await paidOrder(old);
    const a = await refund(old, {
      transaction_id: o.transactionId,
      out_refund_no: no('R'),
      total_fee: 100,
      refund_fee: 60,
    });
    expect(a.fields.result_code).toBe('SUCCESS');
    const tooSoon = await refund(old, {
      out_trade_no: o.outTradeNo,
      out_refund_no: no('R'),
      total_fee: 100,
      refund_fee: 10,
    });
    expect(tooSoon.fields).toMatchObject({ result_code: 'FAIL', err_code: 'FREQUENCY_LIMITED' });
    await t.sb.control.advanceClock(60_000);
    const tooMuch = await refund(old, {
      out_trade_no: o.outTradeNo,
      out_refund_no: no('R'),
      total_fee: 100,
      refund_fee: 41,
    });
    expect(tooMuch.fields).toMatchObject({ err_code: 'ERROR', err_code_des: '累计退款金额大于支付金额' });
    const rest = await refund(old, {
      out_trade_no: o.outTradeNo,
      out_refund_no: no('R'),
      total_fee: 100,
      refund_fee: 40,
    });
    expect(rest.fields.result_code).toBe('SUCCESS');
    await t.sb.control.advanceClock(60_000);
    const full = await refund(old, {
      out_trade_no: o.outTradeNo,
      out_refund_no: no('R'),
      total_fee: 100,
      refund_fee: 1,
    });
    expect(full.fields).toMatchObject({ err_code: 'ERROR', err_code_des: '订单已全额退款' });
  });

  test('argument errors: total_fee mismatch, refund above total, unpaid or unknown order, bad transaction_id, LACK_PARAMS, format', async () => {
    const o = await paidOrder(old);
    const base = { out_trade_no: o.outTradeNo, out_refund_no: no('R'), total_fee: 100, refund_fee: 10 };
    expect((await refund(old, { ...base, total_fee: 99 })).fields.err_code).toBe('PARAM_ERROR');
    expect((await refund(old, { ...base, refund_fee: 101 })).fields.err_code).toBe('ERROR');
    const unpaid = orderFields(t.receiver.url());
    await call(t.sb, old, '/pay/unifiedorder', unpaid);
    expect((await refund(old, { ...base, out_trade_no: unpaid.out_trade_no })).fields.err_code).toBe(
      'ORDERNOTEXIST',
    );
    expect((await refund(old, { ...base, out_trade_no: 'NO_SUCH_ORDER' })).fields.err_code).toBe(
      'ORDERNOTEXIST',
    );
    expect(
      (await refund(old, { ...base, out_trade_no: undefined, transaction_id: 'abc' })).fields.err_code,
    ).toBe('INVALID_TRANSACTIONID');
    expect((await refund(old, { ...base, out_refund_no: undefined })).fields.err_code).toBe('LACK_PARAMS');
    expect((await refund(old, { ...base, out_trade_no: undefined })).fields.err_code).toBe('LACK_PARAMS');
    expect((await refund(old, { ...base, refund_fee: 1.5 })).fields).toMatchObject({
      return_code: 'FAIL',
      return_msg: '请确认请求参数是否正确refund_fee',
    });
    expect((await refund(old, { ...base, out_refund_no: 'bad refund no' })).fields.return_code).toBe('FAIL');
    expect((await refund(old, { ...base, refund_account: 'SOMEWHERE' })).fields.return_code).toBe('FAIL');
    expect(
      (await refund(old, { ...base, notify_url: 'https://x.example.com/n?a=1' })).fields.return_code,
    ).toBe('FAIL');
  });

  test('refunds past one year → TRADE_OVERDUE', async () => {
    const o = await paidOrder(old);
    await t.sb.control.advanceClock(366 * 24 * 3600_000);
    const a = await refund(old, {
      out_trade_no: o.outTradeNo,
      out_refund_no: no('R'),
      total_fee: 100,
      refund_fee: 1,
    });
    expect(a.fields.err_code).toBe('TRADE_OVERDUE');
  });

  test('at most 50 refunds per order', async () => {
    const o = await paidOrder(old, 100);
    for (let i = 0; i < 50; i++)
      await t.sb.control.vendorRefund({ outTradeNo: o.outTradeNo, mchId: old.mchId, refundFee: 1 });
    await t.sb.control.advanceClock(60_000);
    const a = await refund(old, {
      out_trade_no: o.outTradeNo,
      out_refund_no: no('R'),
      total_fee: 100,
      refund_fee: 1,
    });
    expect(a.fields.err_code).toBe('ERROR');
    expect(a.fields.err_code_des).toContain('50');
  });

  test('CHANGE and REFUNDCLOSE by control; REFUNDCLOSE frees the amount again', async () => {
    const o = await paidOrder(old);
    const r1 = no('R');
    await refund(old, { out_trade_no: o.outTradeNo, out_refund_no: r1, total_fee: 100, refund_fee: 100 });
    const closed = await t.sb.control.settleRefund({
      outRefundNo: r1,
      mchId: old.mchId,
      status: 'REFUNDCLOSE',
    });
    expect(closed.status).toBe('REFUNDCLOSE');
    await expect(t.sb.control.settleRefund({ outRefundNo: r1, mchId: old.mchId })).rejects.toMatchObject({
      code: 'REFUND_FINISHED',
    });
    await t.sb.control.advanceClock(60_000);
    const r2 = no('R');
    expect(
      (await refund(old, { out_trade_no: o.outTradeNo, out_refund_no: r2, total_fee: 100, refund_fee: 100 }))
        .fields.result_code,
    ).toBe('SUCCESS');
    await t.sb.control.settleRefund({ outRefundNo: r2, mchId: old.mchId, status: 'CHANGE' });
    await t.sb.control.idle();
    const statuses = refundNotices(o.outTradeNo);
    expect(statuses.map((f) => f.refund_status)).toEqual(['REFUNDCLOSE', 'CHANGE']);
    expect(statuses[0]!.success_time).toBeUndefined();
    const q = await refundQuery(old, { out_trade_no: o.outTradeNo });
    expect(q.fields).toMatchObject({
      refund_count: '2',
      refund_status_0: 'REFUNDCLOSE',
      refund_status_1: 'CHANGE',
    });
  });
});

describe('funds (spec §6)', () => {
  test('old fund flow: unsettled funds by default, available balance with REFUND_SOURCE_RECHARGE_FUNDS; NOTENOUGH then retry the same number', async () => {
    const o = await paidOrder(old, 500);
    await t.sb.control.setBalance({ mchId: old.mchId, unsettled: 100, available: 0 });
    const r = { out_trade_no: o.outTradeNo, out_refund_no: no('R'), total_fee: 500, refund_fee: 200 };
    expect((await refund(old, r)).fields).toMatchObject({
      err_code: 'NOTENOUGH',
      err_code_des: '交易未结算资金不足，请使用可用余额退款',
    });
    const recharge = { ...r, refund_account: 'REFUND_SOURCE_RECHARGE_FUNDS' };
    expect((await refund(old, recharge)).fields).toMatchObject({
      err_code: 'NOTENOUGH',
      err_code_des: '基本账户余额不足，请充值后重新发起',
    });
    await t.sb.control.setBalance({ mchId: old.mchId, available: 1000 });
    const a = await refund(old, recharge); // the same out_refund_no, after funding
    expect(a.fields.result_code).toBe('SUCCESS');
    expect((await refundQuery(old, { out_refund_no: r.out_refund_no })).fields.refund_account_0).toBe(
      'REFUND_SOURCE_RECHARGE_FUNDS',
    );
    const balances = await t.sb.control.balances();
    expect(balances.find((b) => b.mchId === old.mchId)).toMatchObject({ unsettled: 100, available: 800 });
  });

  test('new fund flow: payments and refunds use the available balance whatever refund_account says', async () => {
    await t.sb.control.setBalance({ mchId: neu.mchId, available: 0, unsettled: 10_000 });
    const o = await paidOrder(neu, 300); // credits available: 300
    const r = {
      out_trade_no: o.outTradeNo,
      out_refund_no: no('R'),
      total_fee: 300,
      refund_fee: 300,
      refund_account: 'REFUND_SOURCE_UNSETTLED_FUNDS',
    };
    await t.sb.control.setBalance({ mchId: neu.mchId, available: 299 });
    expect((await refund(neu, r, 'HMAC-SHA256')).fields).toMatchObject({
      err_code: 'NOTENOUGH',
      err_code_des: '基本账户余额不足，请充值后重新发起',
    });
    await t.sb.control.setBalance({ mchId: neu.mchId, available: 300 });
    const a = await refund(neu, r, 'HMAC-SHA256');
    expect(a.signed).toBe(true);
    expect(a.fields.sign).toHaveLength(64);
    expect((await t.sb.control.balances()).find((b) => b.mchId === neu.mchId)).toMatchObject({
      available: 0,
      unsettled: 10_000,
    });
  });
});

describe('refundquery', () => {
  test('order queries page 10 at a time with total_refund_count; offset beyond → PARAM_ERROR; unknown → REFUNDNOTEXIST', async () => {
    const o = await paidOrder(old, 1000);
    const made = [];
    for (let i = 0; i < 12; i++)
      made.push(
        await t.sb.control.vendorRefund({ outTradeNo: o.outTradeNo, mchId: old.mchId, refundFee: i + 1 }),
      );
    const p1 = await refundQuery(old, { out_trade_no: o.outTradeNo });
    expect(p1.signed).toBe(true);
    expect(p1.fields).toMatchObject({
      total_refund_count: '12',
      refund_count: '10',
      out_trade_no: o.outTradeNo,
      transaction_id: o.transactionId,
      total_fee: '1000',
    });
    expect(p1.fields.out_refund_no_0).toBe(made[0]!.outRefundNo);
    expect(p1.fields.refund_id_0).toBe(made[0]!.refundId);
    expect(p1.fields.out_refund_no_0).toBe(made[0]!.refundId); // 商户平台 refunds have no merchant number of their own
    expect(p1.fields.refund_fee_9).toBe('10');
    expect(p1.fields.refund_fee_10).toBeUndefined();
    const p2 = await refundQuery(old, { transaction_id: o.transactionId, offset: 10 });
    expect(p2.fields).toMatchObject({
      total_refund_count: '12',
      refund_count: '2',
      refund_fee_0: '11',
      refund_fee_1: '12',
    });
    expect((await refundQuery(old, { out_trade_no: o.outTradeNo, offset: 12 })).fields.err_code).toBe(
      'PARAM_ERROR',
    );
    expect((await refundQuery(old, { out_refund_no: 'NOPE' })).fields.err_code).toBe('REFUNDNOTEXIST');
    expect((await refundQuery(old, { refund_id: '50300000002025010600000000000' })).fields.err_code).toBe(
      'REFUNDNOTEXIST',
    );
    expect((await refundQuery(old, {})).fields.err_code).toBe('LACK_PARAMS');
  });

  test('a 商户平台 refund notifies with refund_request_source=VENDOR_PLATFORM', async () => {
    const o = await paidOrder(old);
    const r = await t.sb.control.vendorRefund({
      outTradeNo: o.outTradeNo,
      mchId: old.mchId,
      refundFee: 5,
      outRefundNo: 'VP-1',
    });
    expect(r.source).toBe('VENDOR_PLATFORM');
    await t.sb.control.advanceClock(10_000);
    expect(refundNotices(o.outTradeNo)).toHaveLength(1);
    expect(refundNotices(o.outTradeNo)[0]).toMatchObject({
      out_refund_no: 'VP-1',
      refund_request_source: 'VENDOR_PLATFORM',
      refund_status: 'SUCCESS',
    });
  });
});
