import { describe, expect, it } from 'vitest';
import { isFen, isPayableFen, MAX_ORDER_FEE, mulFen, parseFen, sumFen } from './money';

describe('money in fen', () => {
  it('accepts only safe non-negative integers', () => {
    expect(isFen(0)).toBe(true);
    expect(isFen(1990)).toBe(true);
    for (const bad of [-1, 19.9, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53, '100', null])
      expect(isFen(bad)).toBe(false);
    expect(isPayableFen(0)).toBe(false);
    expect(isPayableFen(1)).toBe(true);
    expect(isPayableFen(MAX_ORDER_FEE + 1)).toBe(false);
  });

  it('multiplies and sums without floats', () => {
    expect(mulFen(1990, 3)).toBe(5970);
    expect(sumFen([1, 2, 3])).toBe(6);
    expect(sumFen([])).toBe(0);
    expect(() => mulFen(19.9, 3)).toThrow(RangeError);
    expect(() => sumFen([1, 0.5])).toThrow(RangeError);
    expect(() => sumFen([2 ** 52, 2 ** 52])).toThrow(RangeError);
  });

  it("parses WeChat's Int fields strictly", () => {
    expect(parseFen('100')).toBe(100);
    expect(parseFen('0')).toBe(0);
    for (const bad of [
      undefined,
      '',
      ' 100',
      '100 ',
      '1e2',
      '100.0',
      '-1',
      '0100',
      '0x10',
      '99999999999999999',
    ]) {
      expect(parseFen(bad)).toBeUndefined();
    }
  });
});
