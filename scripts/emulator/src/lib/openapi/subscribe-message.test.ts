import { describe, expect, it } from 'vitest';
import { checkDataValue, SubscribeMessages, WeChatApiError } from './subscribe-message';

const TPL = 'tplOrderPaid0000000001';
const payload = (data: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  touser: 'merchant-openid',
  template_id: TPL,
  data,
  ...extra,
});

function errcodeOf(f: () => unknown): [number, string] {
  try {
    f();
  } catch (e) {
    if (e instanceof WeChatApiError) return [e.errcode, e.errmsg];
  }
  throw new Error('expected a WeChatApiError');
}

describe('value rules (spec §3.6)', () => {
  it.each([
    ['thing1', '订单已支付', true],
    ['thing1', '这是一段超过二十个字符的很长很长很长的商品名称', false],
    ['thing1', 'line\nbreak', false],
    ['amount2', '¥12.50', true],
    ['amount2', '12.50元', true],
    ['amount2', '12.50', false],
    ['amount2', '¥12345678901', false],
    ['character_string3', 'SY20240101123456789', true],
    ['character_string3', '订单', false],
    ['time4', '2024年1月2日 15:01', true],
    ['time4', '15:01:02', true],
    ['time4', '25:00', false],
    ['date5', '2024-01-02', true],
    ['date5', '2024-01-02 ~ 2024-01-05', true],
    ['number6', '123.45', true],
    ['number6', '12a', false],
    ['phrase7', '已支付', true],
    ['phrase7', 'paid', false],
    ['name8', '张三', true],
    ['name8', 'Li Lei', true],
    ['phone_number9', '+86-13800000000', true],
    ['car_number10', '粤B12345', true],
    ['letter11', 'abc', true],
    ['symbol12', '%', true],
    ['unknown1', 'x', false],
  ])('%s = %j → valid %s', (key, value, valid) => {
    expect(checkDataValue(key, { value }) === undefined).toBe(valid);
  });
});

describe('SubscribeMessages.send', () => {
  it('needs a grant; each grant lets one message through (43101 otherwise)', () => {
    const m = new SubscribeMessages({ now: () => 0 });
    const p = payload({ thing1: { value: '订单已支付' }, amount2: { value: '¥1.00' } });
    expect(errcodeOf(() => m.send(p))[0]).toBe(43101);
    expect(m.grant('merchant-openid', TPL, 2)).toBe(2);
    expect(m.send(p, { function: 'orderAlert' })).toMatchObject({
      touser: 'merchant-openid',
      templateId: TPL,
      data: { thing1: { value: '订单已支付' } },
      miniprogramState: 'formal',
      lang: 'zh_CN',
      function: 'orderAlert',
    });
    m.send(p);
    const [code, msg] = errcodeOf(() => m.send(p));
    expect(code).toBe(43101);
    expect(msg).toMatch(/^user refuse to accept the msg rid: /);
    expect(m.messages()).toHaveLength(2);
  });

  it('validates before consuming a grant: 40003, 40037, 47003 naming the key', () => {
    const m = new SubscribeMessages();
    m.grant('merchant-openid', TPL);
    expect(errcodeOf(() => m.send(payload({ thing1: { value: 'x' } }, { touser: '' })))[0]).toBe(40003);
    expect(errcodeOf(() => m.send(payload({ thing1: { value: 'x' } }, { template_id: '' })))[0]).toBe(40037);
    const [code, msg] = errcodeOf(() => m.send(payload({ amount2: { value: 'free' } })));
    expect(code).toBe(47003);
    expect(msg).toContain('data.amount2.value');
    expect(
      errcodeOf(() => m.send(payload({ thing1: { value: 'x' } }, { miniprogram_state: 'prod' })))[0],
    ).toBe(47003);
    expect(m.remaining('merchant-openid', TPL)).toBe(1);
  });

  it('checks template ids and keys when templates are declared', () => {
    const m = new SubscribeMessages({ templates: { [TPL]: ['thing1', 'amount2'] } });
    m.grant('merchant-openid', 'otherTemplate');
    expect(
      errcodeOf(() => m.send(payload({ thing1: { value: 'x' } }, { template_id: 'otherTemplate' })))[0],
    ).toBe(40037);
    expect(errcodeOf(() => m.send(payload({ thing1: { value: 'x' } })))[1]).toContain('data.amount2');
  });
});
