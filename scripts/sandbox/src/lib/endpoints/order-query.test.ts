import type { WxInput } from '@shouyin/shared';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { call, orderFields, startTestSandbox, type TestSandbox } from '../../testing/harness';

let t: TestSandbox;
beforeAll(async () => {
  t = await startTestSandbox({ refundSettleDelayMs: null });
});
afterAll(() => t.close());

async function newOrder(extra: WxInput = {}) {
  const f = orderFields(t.receiver.url(), extra);
  const a = await call(t.sb, t.m, '/pay/unifiedorder', f);
  expect(a.fields.result_code).toBe('SUCCESS');
  return { outTradeNo: String(f.out_trade_no), prepayId: a.fields.prepay_id! };
}
const query = (fields: WxInput) => call(t.sb, t.m, '/pay/orderquery', fields);
const close = (outTradeNo: string) => call(t.sb, t.m, '/pay/closeorder', { out_trade_no: outTradeNo });

describe('orderquery', () => {
  test('NOTPAY: the order fields without payment fields', async () => {
    const { outTradeNo } = await newOrder({ attach: 'cart=7', device_info: 'WEB' });
    const a = await query({ out_trade_no: outTradeNo });
    expect(a.signed).toBe(true);
    expect(a.fields).toMatchObject({
      return_code: 'SUCCESS',
      result_code: 'SUCCESS',
      out_trade_no: outTradeNo,
      trade_state: 'NOTPAY',
      trade_state_desc: '订单未支付',
      total_fee: '100',
      attach: 'cart=7',
      device_info: 'WEB',
    });
    expect(a.fields.transaction_id).toBeUndefined();
    expect(a.fields.time_end).toBeUndefined();
  });

  test('SUCCESS: every payment field, findable by transaction_id too; HMAC answers for HMAC queries', async () => {
    const { outTradeNo, prepayId } = await newOrder();
    await t.sb.control.pay({ prepayId, bankType: 'CMB_CREDIT' });
    const a = await query({ out_trade_no: outTradeNo });
    expect(a.fields).toMatchObject({
      trade_state: 'SUCCESS',
      trade_state_desc: '支付成功',
      openid: 'oUpF8uMuAJO_M2pxb1Q9zNjWeS6o',
      is_subscribe: 'N',
      trade_type: 'JSAPI',
      bank_type: 'CMB_CREDIT',
      total_fee: '100',
      cash_fee: '100',
      fee_type: 'CNY',
      out_trade_no: outTradeNo,
    });
    expect(a.fields.transaction_id).toMatch(/^\d{28}$/);
    expect(a.fields.time_end).toMatch(/^\d{14}$/);
    const byTx = await query({ transaction_id: a.fields.transaction_id! });
    expect(byTx.fields.out_trade_no).toBe(outTradeNo);
    const hmac = await call(
      t.sb,
      t.m,
      '/pay/orderquery',
      { out_trade_no: outTradeNo },
      { signType: 'HMAC-SHA256' },
    );
    expect(hmac.signed).toBe(true);
    expect(hmac.fields.sign).toHaveLength(64);
  });

  test('PAYERROR after a failed payment; abandon leaves NOTPAY', async () => {
    const a = await newOrder();
    await t.sb.control.pay({ prepayId: a.prepayId, outcome: 'abandon' });
    expect((await query({ out_trade_no: a.outTradeNo })).fields.trade_state).toBe('NOTPAY');
    await t.sb.control.pay({ prepayId: a.prepayId, outcome: 'fail' });
    expect((await query({ out_trade_no: a.outTradeNo })).fields).toMatchObject({ trade_state: 'PAYERROR' });
  });

  test('REFUND once a refund was made', async () => {
    const { outTradeNo, prepayId } = await newOrder();
    await t.sb.control.pay({ prepayId });
    await t.sb.control.vendorRefund({ outTradeNo, refundFee: 10 });
    const a = await query({ out_trade_no: outTradeNo });
    expect(a.fields).toMatchObject({ trade_state: 'REFUND', total_fee: '100' });
    expect(a.fields.transaction_id).toMatch(/^\d{28}$/);
  });

  test('unknown order → ORDERNOTEXIST; no key → LACK_PARAMS', async () => {
    expect((await query({ out_trade_no: 'NO_SUCH_ORDER_1' })).fields).toMatchObject({
      result_code: 'FAIL',
      err_code: 'ORDERNOTEXIST',
    });
    expect((await query({})).fields.err_code).toBe('LACK_PARAMS');
  });
});

describe('closeorder', () => {
  test('refused in the first 5 minutes, then closes; a second close → ORDERCLOSED; closed orders cannot be paid', async () => {
    const { outTradeNo, prepayId } = await newOrder();
    const early = await close(outTradeNo);
    expect(early.fields).toMatchObject({
      return_code: 'SUCCESS',
      result_code: 'FAIL',
      err_code: 'TRADE_STATE_ERROR',
    });
    expect(early.signed).toBe(true);
    await t.sb.control.advanceClock(5 * 60_000 - 1000);
    expect((await close(outTradeNo)).fields.err_code).toBe('TRADE_STATE_ERROR');
    await t.sb.control.advanceClock(1000);
    const closed = await close(outTradeNo);
    expect(closed.fields).toMatchObject({ result_code: 'SUCCESS', result_msg: 'OK' });
    expect(closed.signed).toBe(true);
    expect((await close(outTradeNo)).fields).toMatchObject({ result_code: 'FAIL', err_code: 'ORDERCLOSED' });
    expect((await query({ out_trade_no: outTradeNo })).fields).toMatchObject({
      trade_state: 'CLOSED',
      trade_state_desc: '订单已关闭',
    });
    await expect(t.sb.control.pay({ prepayId })).rejects.toMatchObject({ code: 'ORDERCLOSED' });
  });

  test('a paid order → ORDERPAID; PAYERROR orders can be closed; unknown → ORDERNOTEXIST', async () => {
    const paid = await newOrder();
    await t.sb.control.pay({ prepayId: paid.prepayId });
    const failed = await newOrder();
    await t.sb.control.pay({ prepayId: failed.prepayId, outcome: 'fail' });
    await t.sb.control.advanceClock(5 * 60_000);
    expect((await close(paid.outTradeNo)).fields.err_code).toBe('ORDERPAID');
    expect((await close(failed.outTradeNo)).fields.result_code).toBe('SUCCESS');
    expect((await close('NO_SUCH_ORDER_2')).fields.err_code).toBe('ORDERNOTEXIST');
    expect((await call(t.sb, t.m, '/pay/closeorder', {})).fields.err_code).toBe('LACK_PARAMS');
  });
});
