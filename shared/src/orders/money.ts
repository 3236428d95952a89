/**
 * Money is integer fen, always (WeChat Pay v2 notes §9 pitfall 5: 19.90 yuan → 1989 fen in float arithmetic).
 * These helpers refuse anything that is not a safe non-negative integer instead of rounding it.
 */

/** WeChat Pay's total_fee is an Int; keep every amount well inside 32 bits. */
export const MAX_ORDER_FEE = 2_000_000_000;

export function isFen(x: unknown): x is number {
  return typeof x === 'number' && Number.isSafeInteger(x) && x >= 0;
}

/** A positive amount WeChat Pay accepts as total_fee. */
export function isPayableFen(x: unknown): x is number {
  return isFen(x) && x > 0 && x <= MAX_ORDER_FEE;
}

export function mulFen(unitFee: number, quantity: number): number {
  const v = unitFee * quantity;
  if (!isFen(unitFee) || !Number.isSafeInteger(quantity) || quantity < 0 || !isFen(v)) {
    throw new RangeError('amount is not a whole number of fen');
  }
  return v;
}

export function sumFen(amounts: readonly number[]): number {
  let total = 0;
  for (const a of amounts) {
    if (!isFen(a)) throw new RangeError('amount is not a whole number of fen');
    total += a;
    if (!Number.isSafeInteger(total)) throw new RangeError('amount overflow');
  }
  return total;
}

/** Parses WeChat's decimal Int field strictly ("100" → 100; "1e2", "100.0", " 100", "" → undefined). */
export function parseFen(s: string | undefined): number | undefined {
  if (s === undefined || !/^(0|[1-9][0-9]{0,15})$/.test(s)) return undefined;
  const n = Number(s);
  return Number.isSafeInteger(n) ? n : undefined;
}
