/**
 * Printed width on a 58 mm receipt printer: 32 columns a line, East Asian wide and full-width characters
 * taking two. No Node API here, so the emulator console's browser bundle renders receipts with the very
 * rule orderAlert lays them out with.
 */
export const RECEIPT_COLUMNS = 32;

/** Display width: East Asian wide and full-width characters take two columns. */
export function charWidth(c: string): number {
  const cp = c.codePointAt(0) ?? 0;
  return (cp >= 0x1100 && cp <= 0x115f) ||
    (cp >= 0x2e80 && cp <= 0xa4cf) ||
    (cp >= 0xac00 && cp <= 0xd7a3) ||
    (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0xfe30 && cp <= 0xfe4f) ||
    (cp >= 0xff00 && cp <= 0xff60) ||
    (cp >= 0xffe0 && cp <= 0xffe6) ||
    cp >= 0x20000
    ? 2
    : 1;
}

export function textWidth(s: string): number {
  let w = 0;
  for (const c of s) w += charWidth(c);
  return w;
}
