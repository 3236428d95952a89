/** The one place amounts become text and text becomes amounts. Money is integer fen everywhere else. */

/** 1280 → "¥12.80". */
export function yuan(fen: number): string {
  if (!Number.isSafeInteger(fen)) return '¥—';
  const sign = fen < 0 ? '-' : '';
  const abs = Math.abs(fen);
  return `${sign}¥${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}

/**
 * What a person typed in yuan ("12", "12.5", "12.80") → integer fen, or undefined when it is not an amount
 * with at most two decimals. Parsed as digits, never through floating point (19.90 must be 1990).
 */
export function parseYuan(text: string): number | undefined {
  const m = /^(0|[1-9][0-9]{0,7})(?:\.([0-9]{1,2}))?$/.exec(text.trim());
  if (!m) return undefined;
  return Number(m[1]) * 100 + Number((m[2] ?? '').padEnd(2, '0'));
}
