/** Small pure formatting helpers of the demo's timeline. */

/** Integer fen as yuan text, by integer arithmetic only (4800 → "¥48.00"; never via floats). */
export function yuan(fen: number): string {
  if (!Number.isSafeInteger(fen)) return `${fen} fen (not an integer!)`;
  const sign = fen < 0 ? '-' : '';
  const a = Math.abs(fen);
  return `${sign}¥${Math.floor(a / 100)}.${String(a % 100).padStart(2, '0')}`;
}

/** A signature shortened for display: enough to recognise it, not a payload anyone could replay. */
export function abbreviate(s: string, keep = 4): string {
  return s.length <= keep * 2 + 1 ? s : `${s.slice(0, keep)}…${s.slice(-keep)}`;
}

/** Epoch ms as Beijing time text (the time zone the merchant and the payer live in). */
export function beijing(ms: number | undefined): string {
  if (ms === undefined) return '—';
  const d = new Date(ms + 8 * 3600_000);
  return `${d.toISOString().slice(0, 19).replace('T', ' ')} (UTC+8)`;
}

/** The return_code / return_msg of a notification reply, read without a parser (it is our own short XML). */
export function replySummary(xml: string | undefined): string {
  if (!xml) return '(no reply)';
  const code = /<return_code>(?:<!\[CDATA\[)?([A-Z]+)/.exec(xml)?.[1];
  const msg = /<return_msg>(?:<!\[CDATA\[)?([^\]<]*)/.exec(xml)?.[1];
  return code ? `${code}${msg ? ` (${msg})` : ''}` : xml.slice(0, 80);
}

/**
 * The timeline printer: numbered steps with the elapsed time, indented details, and the order state
 * after each step. Everything goes through `out` (console.log by default).
 */
export class Timeline {
  private readonly t0 = performance.now();
  private n = 0;

  constructor(private readonly out: (line: string) => void = console.log) {}

  elapsed(): string {
    return `${((performance.now() - this.t0) / 1000).toFixed(2)} s`;
  }

  step(title: string): void {
    this.n++;
    this.out('');
    this.out(`[+${this.elapsed().padStart(7)}] ${String(this.n).padStart(2)}. ${title}`);
  }

  detail(label: string, value: string): void {
    this.out(`${' '.repeat(16)}${label.padEnd(18)} ${value}`);
  }

  note(text: string): void {
    this.out(`${' '.repeat(16)}${text}`);
  }

  state(what: string, status: string, extra = ''): void {
    this.out(`${' '.repeat(16)}▸ ${what}: ${status}${extra ? `  ${extra}` : ''}`);
  }

  line(text = ''): void {
    this.out(text);
  }
}
