import { describe, expect, test } from 'vitest';
import { firstMissing, formatProblem, notifyUrlAllowed } from './validate';

describe('notify_url rules (spec §3.1)', () => {
  test('strict mode: absolute https only, no query or fragment', () => {
    expect(notifyUrlAllowed('https://shop.example.com/wxpay/pay-notify', false)).toBe(true);
    // WeChat only delivers to hosts reachable from the Internet (spec §3.1).
    for (const internal of [
      'https://127.0.0.1:8443/notify',
      'https://localhost/notify',
      'https://10.1.2.3/notify',
      'https://172.20.0.1/notify',
      'https://192.168.1.10/notify',
      'https://169.254.0.1/notify',
      'https://[::1]/notify',
      'https://[fd00::1]/notify',
    ])
      expect(notifyUrlAllowed(internal, false), internal).toBe(false);
    expect(notifyUrlAllowed('https://172.32.0.1/notify', false)).toBe(true);
    expect(notifyUrlAllowed('https://8.8.8.8/notify', false)).toBe(true);
    expect(notifyUrlAllowed('http://shop.example.com/notify', false)).toBe(false);
    expect(notifyUrlAllowed('http://127.0.0.1:9000/notify', false)).toBe(false);
    expect(notifyUrlAllowed('https://shop.example.com/notify?order=1', false)).toBe(false);
    expect(notifyUrlAllowed('https://shop.example.com/notify#x', false)).toBe(false);
    expect(notifyUrlAllowed('/wxpay/notify', false)).toBe(false);
    expect(notifyUrlAllowed('https://user:pw@shop.example.com/n', false)).toBe(false);
    expect(notifyUrlAllowed(`https://shop.example.com/${'a'.repeat(240)}`, false)).toBe(false);
  });

  test('loopback mode also accepts http to 127.0.0.1, localhost and [::1] only', () => {
    expect(notifyUrlAllowed('http://127.0.0.1:9000/notify', true)).toBe(true);
    expect(notifyUrlAllowed('http://localhost:9000/notify', true)).toBe(true);
    expect(notifyUrlAllowed('http://[::1]:9000/notify', true)).toBe(true);
    expect(notifyUrlAllowed('http://10.0.0.1:9000/notify', true)).toBe(false);
    expect(notifyUrlAllowed('http://127.0.0.1:9000/notify?x=1', true)).toBe(false);
    expect(notifyUrlAllowed('https://127.0.0.1:8443/notify', true)).toBe(true);
  });
});

describe('formatProblem', () => {
  const rules = {
    total_fee: { positiveInt: true },
    body: { max: 6, bytes: true },
    ip: { ip: true },
    t: { time: true },
  };
  test('accepts well-formed values and skips absent/empty ones', () => {
    expect(
      formatProblem({ total_fee: '1', body: '收银', ip: '::1', t: '20250106100000' }, rules, false),
    ).toBeUndefined();
    expect(formatProblem({ total_fee: '' }, rules, false)).toBeUndefined();
  });
  test.each([
    [{ total_fee: '1.5' }, '请确认请求参数是否正确total_fee'],
    [{ total_fee: '0' }, '请确认请求参数是否正确total_fee'],
    [{ total_fee: '-1' }, '请确认请求参数是否正确total_fee'],
    [{ total_fee: '01' }, '请确认请求参数是否正确total_fee'],
    [{ total_fee: '99999999999' }, '请确认请求参数是否正确total_fee'],
    [{ body: '收银台' }, 'body参数长度有误'],
    [{ ip: '999.1.1.1' }, 'ip参数格式错误'],
    [{ t: '20251301000000' }, 't参数格式错误'],
  ])('%j → %s', (fields, msg) => {
    expect(formatProblem(fields as Record<string, string>, rules, false)).toBe(msg);
  });
  test('firstMissing treats empty as missing', () => {
    expect(firstMissing({ a: '1', b: '' }, ['a', 'b'])).toBe('b');
    expect(firstMissing({ a: '1' }, ['a'])).toBeUndefined();
  });
});
