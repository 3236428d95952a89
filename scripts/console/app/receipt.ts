// A Feie receipt as a 58 mm thermal printer prints it: 32 columns a line, a wide (Chinese, full-width)
// character taking two (orderAlert's own rule, shared/src/alerts/text-width.ts, which has no Node API); `<B>` and `<CB>`
// print double size (twice the columns), `<C>`/`<CB>` centred, `<QR>` a QR code, `<CUT>` the paper cut.
// Lines longer than the paper wrap, as the printer wraps them.
import { charWidth, RECEIPT_COLUMNS, textWidth } from '../../../shared/src/alerts/text-width';

export { charWidth, RECEIPT_COLUMNS, textWidth };

export type ReceiptLine =
  | { kind: 'text'; text: string; size: 1 | 2; center: boolean }
  | { kind: 'qr'; value: string }
  | { kind: 'cut' };

/** Columns one printed text line takes on the paper (double size: twice as many). */
export const paperColumns = (line: { text: string; size: 1 | 2 }): number => textWidth(line.text) * line.size;

/** `text` cut into pieces of at most `columns` columns. */
function wrap(text: string, columns: number): string[] {
  const out: string[] = [];
  let cur = '';
  let used = 0;
  for (const ch of text) {
    const w = charWidth(ch);
    if (used + w > columns && cur !== '') {
      out.push(cur);
      cur = '';
      used = 0;
    }
    cur += ch;
    used += w;
  }
  out.push(cur);
  return out;
}

const fromEntities = (s: string) => s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');

/** Feie markup (Open_printMsg `content`) as the printed lines, none wider than the paper. */
export function printedLines(content: string): ReceiptLine[] {
  const out: ReceiptLine[] = [];
  // QR codes and cuts stand on their own; everything else is text separated by <BR>.
  const pieces = content.split(/(<QR>.*?<\/QR>|<CUT>)/i);
  for (const piece of pieces) {
    if (piece === '') continue; // between a QR code and a cut: nothing printed
    const qr = /^<QR>(.*?)<\/QR>$/i.exec(piece);
    if (qr) {
      out.push({ kind: 'qr', value: fromEntities(qr[1]!) });
      continue;
    }
    if (/^<CUT>$/i.test(piece)) {
      out.push({ kind: 'cut' });
      continue;
    }
    const lines = piece.split(/<BR>/i);
    if (lines.length > 1 && lines[lines.length - 1] === '') lines.pop();
    for (const raw of lines) {
      const size: 1 | 2 = /<(CB|B|W)>/i.test(raw) ? 2 : 1;
      const center = /<(CB|C)>/i.test(raw);
      const text = fromEntities(raw.replace(/<\/?[A-Z]+>/gi, ''));
      for (const t of wrap(text, Math.floor(RECEIPT_COLUMNS / size)))
        out.push({ kind: 'text', text: t, size, center });
    }
  }
  return out;
}
