import { describe, expect, it } from 'vitest';
import {
  beijingTime,
  cleanText,
  hasAstral,
  newOutRefundNo,
  newOutTradeNo,
  OUT_REFUND_NO,
  OUT_TRADE_NO,
  parseBeijingTime,
} from './ids';
import { newNonce } from './nonce';

const NOW = Date.UTC(2026, 0, 18, 16, 30, 5); // 2026-01-19 00:30:05 in Beijing

describe('out_trade_no / out_refund_no', () => {
  it('matches the allowed charset and length, with the Beijing timestamp', () => {
    const no = newOutTradeNo(NOW);
    expect(no).toMatch(OUT_TRADE_NO);
    expect(no).toHaveLength(28);
    expect(no.startsWith('SY20260119003005')).toBe(true);
    const rf = newOutRefundNo(NOW);
    expect(rf).toMatch(OUT_REFUND_NO);
    expect(rf).toMatch(OUT_TRADE_NO);
    expect(rf.startsWith('RF20260119003005')).toBe(true);
  });

  it('is unique over many calls in the same second', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 20000; i++) seen.add(newOutTradeNo(NOW));
    expect(seen.size).toBe(20000);
  });

  it('refuses a prefix that would leave the charset or the 32-character limit', () => {
    expect(newOutTradeNo(NOW, 'A_b-')).toMatch(OUT_TRADE_NO);
    expect(() => newOutTradeNo(NOW, 'ÄB')).toThrow();
    expect(() => newOutTradeNo(NOW, 'X'.repeat(7))).toThrow();
    expect(newOutTradeNo(NOW, 'X'.repeat(6))).toHaveLength(32);
  });
});

describe('beijingTime / parseBeijingTime (spec §1.4)', () => {
  it('formats epoch ms as yyyyMMddHHmmss in UTC+8 and parses it back', () => {
    expect(beijingTime(NOW)).toBe('20260119003005');
    expect(beijingTime(Date.UTC(2025, 11, 31, 16, 0, 0))).toBe('20260101000000');
    expect(parseBeijingTime('20260119003005')).toBe(NOW);
    expect(parseBeijingTime(beijingTime(NOW + 999))).toBe(NOW);
  });

  it('returns undefined for malformed or impossible times', () => {
    for (const s of [
      '',
      '2026011900300',
      '202601190030050',
      '2026-01-19 00:30',
      '20261319003005',
      '20260230120000',
      '20260119240000',
      'abcdefghijklmn',
    ]) {
      expect(parseBeijingTime(s), s).toBeUndefined();
    }
  });
});

describe('cleanText (spec §1.1, pitfall 6)', () => {
  it('strips emoji and other 4-byte UTF-8, lone surrogates and control characters', () => {
    expect(cleanText('会员😀月卡🎉', 32)).toBe('会员月卡');
    expect(cleanText('a\uD800b\uDC00c', 32)).toBe('abc');
    expect(cleanText('a\u0000b\u0007c\td\ne', 32)).toBe('abc\td\ne');
    expect(hasAstral('会员😀')).toBe(true);
    expect(hasAstral(cleanText('会员😀', 10))).toBe(false);
  });

  it('respects the character limit and the byte limit without cutting a character', () => {
    expect(cleanText('abcdef', 4)).toBe('abcd');
    expect(cleanText('中文中文', 3)).toBe('中文中');
    expect(cleanText('中文中文', 10, 7)).toBe('中文'); // 3 bytes each: a third would make 9
    expect(Buffer.byteLength(cleanText('中'.repeat(100), 127, 127))).toBeLessThanOrEqual(127);
    expect(cleanText('😀'.repeat(5) + 'ab', 2)).toBe('ab');
  });
});

describe('newNonce', () => {
  it('is 32 random hex characters', () => {
    const a = newNonce();
    expect(a).toMatch(/^[0-9a-f]{32}$/);
    expect(newNonce()).not.toBe(a);
  });
});
