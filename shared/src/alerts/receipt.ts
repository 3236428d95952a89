/**
 * Receipts for a 58 mm cloud printer in Feie markup: 32 columns, Chinese (wide) characters counted double
 * width; `<CB>` centred double size, `<B>` double size, `<C>` centred, `<BR>` line break, `<CUT>` cut, `<QR>`
 * a QR code. Content stays within 5000 UTF-8 bytes (Feie's limit): when an order has too many lines, the
 * last ones are summarised. Text from users (product names, remarks, reasons) is stripped of `<`/`>` so it
 * cannot inject markup (a stray `<CUT>` in a remark would cut the paper).
 */
import type { OrderLine } from '../orders/records';
import { beijingMinute } from './format';
import { charWidth, RECEIPT_COLUMNS, textWidth } from './text-width';

export { charWidth, RECEIPT_COLUMNS, textWidth } from './text-width';
export const MAX_CONTENT_BYTES = 5000;

/** Cuts `s` into pieces at most `width` columns wide. */
export function wrap(s: string, width: number): string[] {
  const out: string[] = [];
  let line = '';
  let w = 0;
  for (const c of s) {
    const cw = charWidth(c);
    if (w + cw > width) {
      out.push(line);
      line = '';
      w = 0;
    }
    line += c;
    w += cw;
  }
  if (line !== '' || out.length === 0) out.push(line);
  return out;
}

const padEnd = (s: string, width: number) => s + ' '.repeat(Math.max(0, width - textWidth(s)));
const padStart = (s: string, width: number) => ' '.repeat(Math.max(0, width - textWidth(s))) + s;
/** User text: no markup, no control characters. */
export const plain = (s: string): string =>
  s
    .replace(/</g, '＜')
    .replace(/>/g, '＞')
    .replace(/\p{Cc}/gu, ' ')
    .trim();
const money = (fen: number) => `${Math.floor(fen / 100)}.${String(fen % 100).padStart(2, '0')}`;
const RULE = '-'.repeat(RECEIPT_COLUMNS);

/** Name 12 | unit price 8 | quantity 5 | line total 7 = 32 columns; a long name wraps onto its own lines. */
const COLS = [12, 8, 5, 7] as const;

export function itemLines(line: Pick<OrderLine, 'name' | 'unitFee' | 'quantity' | 'lineFee'>): string[] {
  const parts = wrap(plain(line.name), COLS[0]);
  const nums =
    padStart(money(line.unitFee), COLS[1]) +
    padStart(String(line.quantity), COLS[2]) +
    padStart(money(line.lineFee), COLS[3]);
  const last = parts.pop()!;
  return [...parts, padEnd(last, COLS[0]) + nums];
}

export interface OrderReceipt {
  shopName: string;
  title: string;
  outTradeNo: string;
  at: number;
  lines: ReadonlyArray<Pick<OrderLine, 'name' | 'unitFee' | 'quantity' | 'lineFee'>>;
  totalFee: number;
  remark?: string;
}

export interface RefundReceipt {
  shopName: string;
  title: string;
  outTradeNo: string;
  outRefundNo?: string;
  at: number;
  refundFee: number;
  totalFee?: number;
  reason?: string;
}

/** `label：value` on one line when it fits, else the label on its own line and the value wrapped below. */
const kv = (label: string, value: string) => {
  const text = `${label}：${value}`;
  return textWidth(text) <= RECEIPT_COLUMNS ? [text] : [`${label}：`, ...wrap(value, RECEIPT_COLUMNS)];
};

function assemble(head: string[], body: string[], tail: string[]): string {
  const join = (b: string[]) => [...head, ...b, ...tail].join('');
  let content = join(body);
  let kept = body.length;
  while (Buffer.byteLength(content, 'utf8') > MAX_CONTENT_BYTES && kept > 0) {
    kept--;
    content = join([...body.slice(0, kept), `……其余 ${body.length - kept} 行见订单<BR>`]);
  }
  return content;
}

export function renderOrderReceipt(r: OrderReceipt): string {
  const head = [
    `<CB>${plain(r.shopName)}</CB><BR>`,
    `<C>${plain(r.title)}</C><BR>`,
    ...kv('订单号', r.outTradeNo).map((l) => `${l}<BR>`),
    ...kv('时间', beijingMinute(r.at)).map((l) => `${l}<BR>`),
    `${RULE}<BR>`,
    `${padEnd('名称', COLS[0])}${padStart('单价', COLS[1])}${padStart('数量', COLS[2])}${padStart('金额', COLS[3])}<BR>`,
  ];
  const body = r.lines.flatMap((l) => itemLines(l).map((x) => `${x}<BR>`));
  const tail = [
    `${RULE}<BR>`,
    `<B>合计：¥${money(r.totalFee)}</B><BR>`,
    ...(r.remark ? kv('备注', plain(r.remark)).map((l) => `${l}<BR>`) : []),
    `<QR>${r.outTradeNo}</QR>`,
    '<CUT>',
  ];
  return assemble(head, body, tail);
}

export function renderRefundReceipt(r: RefundReceipt): string {
  const lines = [
    `<CB>${plain(r.shopName)}</CB><BR>`,
    `<C>${plain(r.title)}</C><BR>`,
    ...kv('订单号', r.outTradeNo),
    ...(r.outRefundNo ? kv('退款单号', r.outRefundNo) : []),
    ...kv('时间', beijingMinute(r.at)),
  ].map((l) => (l.endsWith('<BR>') ? l : `${l}<BR>`));
  const tail = [
    `${RULE}<BR>`,
    `<B>退款：¥${money(r.refundFee)}</B><BR>`,
    ...(r.totalFee !== undefined ? [`订单金额：¥${money(r.totalFee)}<BR>`] : []),
    ...(r.reason ? kv('原因', plain(r.reason)).map((l) => `${l}<BR>`) : []),
    `<QR>${r.outTradeNo}</QR>`,
    '<CUT>',
  ];
  return assemble(lines, [], tail);
}

/** The receipt as the printer would print it: markup removed, a QR code shown as [QR: …]. For demos and the stand-in. */
export function receiptAsText(content: string): string {
  return content
    .replace(/<QR>(.*?)<\/QR>/g, '[QR: $1]\n')
    .replace(/<BR>/g, '\n')
    .replace(/<CUT>/g, '\n✂ ─ ─ ─ ─ ─ ─ ─ ─ ─ ─ ─ ─ ─ ─ ─\n')
    .replace(/<\/?(CB|B|C|L|W|BOLD|RIGHT)>/g, '')
    .replace(/\n+$/, '\n');
}
