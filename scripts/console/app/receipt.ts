// A receipt as a 58 mm thermal printer prints it: 32 columns a line, where a full-width character (Chinese,
// full-width punctuation) takes two columns and an ASCII one takes one. Longer lines wrap, as the printer does.

export const RECEIPT_COLUMNS = 32;

/** Columns a character takes on the printer: 2 for East Asian wide/full-width characters, else 1. */
export function charColumns(ch: string): number {
  const cp = ch.codePointAt(0) ?? 0;
  const wide =
    (cp >= 0x1100 && cp <= 0x115f) ||
    (cp >= 0x2e80 && cp <= 0xa4cf) ||
    (cp >= 0xac00 && cp <= 0xd7a3) ||
    (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0xfe30 && cp <= 0xfe4f) ||
    (cp >= 0xff00 && cp <= 0xff60) ||
    (cp >= 0xffe0 && cp <= 0xffe6) ||
    cp >= 0x20000;
  return wide ? 2 : 1;
}

/** Columns a line takes. */
export function lineColumns(line: string): number {
  let n = 0;
  for (const ch of line) n += charColumns(ch);
  return n;
}

/** The text wrapped so that no line takes more than `columns` columns. */
export function wrapColumns(text: string, columns = RECEIPT_COLUMNS): string {
  const out: string[] = [];
  for (const line of text.replace(/\r\n/g, '\n').split('\n')) {
    let cur = '';
    let used = 0;
    for (const ch of line) {
      const w = charColumns(ch);
      if (used + w > columns) {
        out.push(cur);
        cur = '';
        used = 0;
      }
      cur += ch;
      used += w;
    }
    out.push(cur);
  }
  return out.join('\n');
}

/** Feie markup as text, for a job that has no rendered `text`: line breaks kept, tags removed. */
export function feieMarkupToText(content: string): string {
  return content
    .replace(/<QR>(.*?)<\/QR>/gi, '[QR: $1]\n')
    .replace(/<BR>/gi, '\n')
    .replace(/<CUT>/gi, '\n')
    .replace(/<\/?[A-Z]+>/gi, '')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>');
}
