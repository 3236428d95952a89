/** The client layer: answers, answer errors and call failures become one typed ApiError in Chinese; money text. */
import { describe, expect, it } from 'vitest';
import { ApiError, createApi } from '../../miniprogram/services/client';
import { parseYuan, yuan } from '../../miniprogram/services/money';
import { fakeWx } from './support/fake-wx';
import { paymentStart } from './support/fixtures';

describe('client layer', () => {
  it('sends {action, ...input} to the named function and returns the answer data', async () => {
    const wx = fakeWx();
    wx.answer('createPayment', 'resume', (i) => paymentStart(i.outTradeNo));
    const api = createApi(wx.cloud);
    const start = await api.call('createPayment', 'resume', { outTradeNo: 'SY1' });
    expect(start.outTradeNo).toBe('SY1');
    expect(wx.calls).toEqual([{ name: 'createPayment', data: { outTradeNo: 'SY1', action: 'resume' } }]);
  });

  it('turns {ok: false} into an ApiError with the stable code and a Chinese message', async () => {
    const wx = fakeWx();
    wx.raw('createPayment', 'resume', () => ({
      ok: false,
      error: { code: 'ORDER_EXPIRED', message: 'the payable window has passed' },
    }));
    const err = await createApi(wx.cloud)
      .call('createPayment', 'resume', { outTradeNo: 'SY1' })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({
      code: 'ORDER_EXPIRED',
      message: '订单已超过支付时间，请重新下单',
      retryable: false,
      detail: 'the payable window has passed',
    });
  });

  it("keeps WeChat's Chinese words for a code this build does not know, else names the code", async () => {
    const wx = fakeWx();
    wx.raw('applyRefund', 'approve', () => ({
      ok: false,
      error: { code: 'REFUND_NOTENOUGH', message: '交易未结算资金不足，请使用可用余额退款' },
    }));
    wx.raw('applyRefund', 'reject', () => ({ ok: false, error: { code: 'SOMETHING_NEW', message: 'x' } }));
    const api = createApi(wx.cloud);
    await expect(api.call('applyRefund', 'approve', { refundId: 'R1' })).rejects.toMatchObject({
      code: 'REFUND_NOTENOUGH',
      message: '交易未结算资金不足，请使用可用余额退款',
    });
    await expect(
      api.call('applyRefund', 'reject', { refundId: 'R1', reason: '不符合' }),
    ).rejects.toMatchObject({
      code: 'SOMETHING_NEW',
      message: '操作失败（SOMETHING_NEW），请稍后重试',
    });
  });

  it('turns a callFunction failure (errCode/errMsg) into CALL_FAILED, retryable', async () => {
    const wx = fakeWx();
    const errMsg =
      'cloud.callFunction:fail requestID 1, cloud function service error code -504002, error message boom';
    wx.raw('createPayment', 'list', () => {
      throw { errCode: -404011, errMsg };
    });
    await expect(createApi(wx.cloud).call('createPayment', 'list', {})).rejects.toMatchObject({
      code: 'CALL_FAILED',
      errCode: -404011,
      retryable: true,
      detail: errMsg,
      message: '网络或服务异常，请稍后重试（-404011）',
    });
  });

  it('refuses a result that is not an answer envelope', async () => {
    const wx = fakeWx();
    wx.raw('whoami', 'get', () => 'hello');
    await expect(createApi(wx.cloud).call('whoami', 'get', {})).rejects.toMatchObject({ code: 'BAD_ANSWER' });
  });
});

describe('money: yuan from integer fen in one helper', () => {
  it.each([
    [0, '¥0.00'],
    [5, '¥0.05'],
    [1280, '¥12.80'],
    [1990, '¥19.90'],
    [16800, '¥168.00'],
    [-250, '-¥2.50'],
  ])('%i fen → %s', (fen, text) => expect(yuan(fen)).toBe(text));

  it.each([
    ['12', 1200],
    ['12.5', 1250],
    ['19.90', 1990],
    ['0.01', 1],
    [' 3.3 ', 330],
  ])('parses %s yuan as %i fen, without floating point', (text, fen) => expect(parseYuan(text)).toBe(fen));

  it.each(['', 'abc', '1.234', '-1', '1e2', '01', '.5'])('refuses %j', (text) =>
    expect(parseYuan(text)).toBeUndefined(),
  );
});
