import { describe, expect, it } from 'vitest';
import { envLimitError, envVariablesBytes, MAX_ENV_BYTES } from './env-limit';

describe('environment variable limit (spec §1.5: 4 KB per function)', () => {
  it('counts the UTF-8 bytes of every KEY=value pair, nothing for separators', () => {
    expect(envVariablesBytes({})).toBe(0);
    expect(envVariablesBytes({ A: 'bc', TZ: 'Asia/Shanghai' })).toBe(4 + 16);
    // 'é' is two bytes, '支' three.
    expect(envVariablesBytes({ K: 'é支' })).toBe(2 + 5);
  });

  it('accepts exactly 4096 bytes and refuses 4097', () => {
    expect(MAX_ENV_BYTES).toBe(4096);
    expect(envLimitError('f', { PAD: 'a'.repeat(4096 - 4) })).toBeUndefined();
    expect(envLimitError('f', { PAD: 'a'.repeat(4097 - 4) })).toMatch(/total 4097 bytes/);
    // 2050 characters but 4097 bytes.
    expect(envLimitError('f', { P: `${'é'.repeat(2047)}a` })).toMatch(/total 4097 bytes/);
  });

  it('names the function, the size and the largest keys, never a value', () => {
    const secret = 'S3cr'.repeat(1100);
    const msg = envLimitError('createPayment', { WXPAY_API_KEY: secret, TZ: 'Asia/Shanghai' })!;
    expect(msg).toMatch(/^function createPayment cannot start: its environment variables total 4430 bytes/);
    expect(msg).toContain('limit of 4096 bytes');
    expect(msg).toContain('largest: WXPAY_API_KEY (4414 bytes), TZ (16 bytes)');
    expect(msg).not.toContain('S3cr');
    expect(msg).not.toContain('Asia');
  });
});
