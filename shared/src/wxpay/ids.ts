/**
 * Merchant-side numbers and text hygiene.
 * - out_trade_no: 6–32 chars of [0-9A-Za-z_-] (spec §3.1: the safest subset of the allowed charset).
 * - out_refund_no: up to 64 chars of [0-9A-Za-z_-|*@] (spec §3.4); we mint the same safe subset.
 * Both are minted once, stored before the first call and reused for every retry (spec §6, pitfall 11).
 */
import { randomBytes } from 'node:crypto';
import { InputError } from '../errors';

export const OUT_TRADE_NO = /^[0-9A-Za-z_-]{6,32}$/;
export const OUT_REFUND_NO = /^[0-9A-Za-z_\-|*@]{1,64}$/;

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ'; // Crockford base32: no I, L, O, U

function randomChars(n: number): string {
  const bytes = randomBytes(n);
  let s = '';
  for (let i = 0; i < n; i++) s += ALPHABET[bytes[i]! & 31];
  return s;
}

/** yyyyMMddHHmmss in Beijing time (UTC+8), as WeChat Pay wants (spec §1.4). Functions run in UTC. */
export function beijingTime(ms: number): string {
  const d = new Date(ms + 8 * 3600_000);
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return (
    p(d.getUTCFullYear(), 4) +
    p(d.getUTCMonth() + 1) +
    p(d.getUTCDate()) +
    p(d.getUTCHours()) +
    p(d.getUTCMinutes()) +
    p(d.getUTCSeconds())
  );
}

/** Parses yyyyMMddHHmmss Beijing time to epoch ms; undefined when malformed or not a real date/time. */
export function parseBeijingTime(s: string): number | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})$/.exec(s);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, se] = m.map(Number) as [number, number, number, number, number, number, number];
  const ms = Date.UTC(y, mo - 1, d, h, mi, se) - 8 * 3600_000;
  // Date.UTC rolls over (month 13, 31 February, 24:00); a real time formats back to the same string.
  return Number.isNaN(ms) || beijingTime(ms) !== s ? undefined : ms;
}

function minted(prefix: string, nowMs: number, pattern: RegExp, what: string): string {
  const out = prefix + beijingTime(nowMs) + randomChars(12);
  if (!pattern.test(out)) throw new InputError(`${what} prefix must be [0-9A-Za-z_-] and short enough`);
  return out;
}

/** e.g. `SY20261122224105K3M9Q2X7ZP4W`: prefix + Beijing timestamp + 12 random chars = 28 chars. */
export function newOutTradeNo(nowMs = Date.now(), prefix = 'SY'): string {
  return minted(prefix, nowMs, OUT_TRADE_NO, 'out_trade_no');
}

/** e.g. `RF20261122224105K3M9Q2X7ZP4W` (same shape as newOutTradeNo). */
export function newOutRefundNo(nowMs = Date.now(), prefix = 'RF'): string {
  return minted(prefix, nowMs, OUT_REFUND_NO, 'out_refund_no');
}

/**
 * WeChat Pay v2 accepts only 1–3-byte UTF-8 (spec §1.1, pitfall 6): drop astral characters (emoji) and
 * lone surrogates, then cut to at most `maxChars` characters (and `maxBytes` UTF-8 bytes, since whether
 * `body`'s 127 counts bytes or characters is unconfirmed, spec §3.1).
 */
export function cleanText(s: string, maxChars: number, maxBytes = Number.POSITIVE_INFINITY): string {
  let out = '';
  let bytes = 0;
  let chars = 0;
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (cp > 0xffff || (cp >= 0xd800 && cp <= 0xdfff)) continue;
    if (cp < 0x20 && cp !== 0x09 && cp !== 0x0a && cp !== 0x0d) continue; // control chars are not valid XML
    const b = cp < 0x80 ? 1 : cp < 0x800 ? 2 : 3;
    if (chars + 1 > maxChars || bytes + b > maxBytes) break;
    out += ch;
    chars += 1;
    bytes += b;
  }
  return out;
}

/** True when the string holds a character WeChat Pay v2 refuses (4-byte UTF-8 / lone surrogate). */
export function hasAstral(s: string): boolean {
  return /[\uD800-\uDFFF]/.test(s);
}
