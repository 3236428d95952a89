/** Refund request validation and shipping form validation, before anything is sent. */
import { describe, expect, it } from 'vitest';
import { checkRefundRequest, refundableFee } from '../../miniprogram/logic/refund-form';
import { checkShipment, maskContact, type ShipForm } from '../../miniprogram/logic/ship-form';
import { order, refund } from './support/fixtures';

describe('refund request', () => {
  const paid = order();

  it('empty amount = full refund of what is left (refundFee left out for the server)', () => {
    expect(checkRefundRequest(paid, { amountText: '', reason: ' 不想要了 ' })).toEqual({
      ok: true,
      refundFee: 4800,
      input: { outTradeNo: paid.outTradeNo, reason: '不想要了' },
    });
  });

  it('partial in yuan → integer fen', () => {
    expect(checkRefundRequest(paid, { amountText: '12.5', reason: '少了一个' })).toMatchObject({
      ok: true,
      input: { refundFee: 1250 },
    });
  });

  it('what was refunded already is not refundable again', () => {
    const partly = order({
      status: 'PARTIALLY_REFUNDED',
      refundedFee: 3600,
      refunds: [refund({ status: 'SUCCESS', refundFee: 3600 })],
    });
    expect(refundableFee(partly)).toBe(1200);
    expect(checkRefundRequest(partly, { amountText: '12.01', reason: '再退' })).toEqual({
      ok: false,
      errors: { amount: '最多可退 ¥12.00' },
    });
    expect(checkRefundRequest(partly, { amountText: '', reason: '再退' })).toMatchObject({
      ok: true,
      refundFee: 1200,
    });
  });

  it.each([
    ['0', '退款金额必须大于 0'],
    ['abc', '请输入正确的金额（最多两位小数）'],
    ['1.234', '请输入正确的金额（最多两位小数）'],
    ['48.01', '最多可退 ¥48.00'],
  ])('refuses amount %j', (amountText, message) => {
    expect(checkRefundRequest(paid, { amountText, reason: '原因' })).toEqual({
      ok: false,
      errors: { amount: message },
    });
  });

  it.each([
    ['', '请填写退款原因'],
    ['   ', '请填写退款原因'],
    ['好'.repeat(81), '退款原因不能超过 80 个字'],
    ['太难喝了😡', '退款原因不能包含表情符号'],
  ])('refuses reason %j', (reason, message) => {
    expect(checkRefundRequest(paid, { amountText: '', reason })).toEqual({
      ok: false,
      errors: { reason: message },
    });
  });

  it('one refund on its way per order; unpaid or fully refunded orders cannot ask', () => {
    const pending = order({ refunds: [refund({ status: 'REQUESTED' })] });
    expect(checkRefundRequest(pending, { amountText: '', reason: '再要一次' })).toEqual({
      ok: false,
      errors: { form: '这笔订单已有进行中的退款' },
    });
    for (const o of [
      order({ status: 'NOTPAY' }),
      order({ status: 'REFUNDED', refundedFee: 4800 }),
      order({ status: 'CLOSED' }),
    ]) {
      expect(checkRefundRequest(o, { amountText: '', reason: '退' })).toEqual({
        ok: false,
        errors: { form: '这笔订单当前不能申请退款' },
      });
    }
  });
});

describe('ship form', () => {
  const companies = [{ code: 'SF' }, { code: 'ZTO' }];
  const base: ShipForm = {
    outTradeNo: 'SY1',
    logisticsType: 1,
    expressCompany: 'ZTO',
    trackingNo: ' 7312 3456 7890 ',
    receiverContact: '',
    itemDesc: '拿铁咖啡 ×2',
  };

  it('express with company and tracking number (spaces removed)', () => {
    expect(checkShipment(base, companies)).toEqual({
      ok: true,
      input: {
        outTradeNo: 'SY1',
        logisticsType: 1,
        expressCompany: 'ZTO',
        trackingNo: '731234567890',
        itemDesc: '拿铁咖啡 ×2',
      },
    });
  });

  it('express needs a known company and a tracking number', () => {
    expect(checkShipment({ ...base, expressCompany: '', trackingNo: '' }, companies)).toEqual({
      ok: false,
      errors: { expressCompany: '请选择快递公司', trackingNo: '请填写快递单号' },
    });
    expect(checkShipment({ ...base, expressCompany: 'XX', trackingNo: '12#' }, companies)).toEqual({
      ok: false,
      errors: { expressCompany: '请选择快递公司', trackingNo: '快递单号应为 6–32 位字母或数字' },
    });
  });

  it('SF Express needs the receiver contact, sent masked with the last 4 digits visible', () => {
    expect(checkShipment({ ...base, expressCompany: 'SF' }, companies)).toEqual({
      ok: false,
      errors: { receiverContact: '顺丰快递需要收件人手机号' },
    });
    expect(
      checkShipment({ ...base, expressCompany: 'SF', receiverContact: '138 1234 5678' }, companies),
    ).toMatchObject({
      ok: true,
      input: { receiverContact: '138****5678' },
    });
    expect(maskContact('138****5678')).toBe('138****5678');
    expect(maskContact('12345')).toBeUndefined();
  });

  it('same-city, virtual and pickup need no company or tracking number, and send none', () => {
    for (const logisticsType of [2, 3, 4] as const) {
      expect(checkShipment({ ...base, logisticsType }, companies)).toEqual({
        ok: true,
        input: { outTradeNo: 'SY1', logisticsType, itemDesc: '拿铁咖啡 ×2' },
      });
    }
  });

  it('item description within 120 characters', () => {
    expect(checkShipment({ ...base, logisticsType: 4, itemDesc: '咖'.repeat(121) }, companies)).toEqual({
      ok: false,
      errors: { itemDesc: '商品描述不能超过 120 个字' },
    });
  });
});
