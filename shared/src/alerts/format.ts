/**
 * Subscribe-message data, cut and formatted to each template key type's rule so WeChat never rejects an
 * alert for its data (47003): the key's type is its name without the trailing digits (`thing1` → thing).
 * Rules (subscribeMessage.send "参数值内容限制"): thing ≤ 20 characters; phrase ≤ 5 Chinese characters only;
 * character_string ≤ 32 letters/digits/ASCII symbols; number ≤ 32 digits; letter ≤ 32 letters; name ≤ 10
 * characters without digits; amount = one currency symbol + ≤ 10 integer digits (`¥12.80`, from fen);
 * time / date in Beijing time (`2026-12-05 18:07`). A value is never empty (an empty value is a 47003 too).
 */
import type { AlertFacts } from './records';
import type { AlertRule } from './table';

/** The values a template key can be mapped to (config.ts `ALERT_TEMPLATES`). */
export const FACT_NAMES = ['title', 'status', 'amount', 'time', 'orderNo', 'detail'] as const;
export type FactName = (typeof FACT_NAMES)[number];

export const KEY_TYPES = [
  'thing',
  'phrase',
  'character_string',
  'number',
  'letter',
  'name',
  'amount',
  'time',
  'date',
] as const;
export type KeyType = (typeof KEY_TYPES)[number];

/** The type of a template key (`thing12` → `thing`), or undefined when Shouyin cannot format it. */
export function keyType(key: string): KeyType | undefined {
  const m = /^([a-z_]+?)(\d+)$/.exec(key);
  const t = m?.[1];
  return (KEY_TYPES as readonly string[]).includes(t ?? '') ? (t as KeyType) : undefined;
}

const chars = (s: string): string[] => [...s];
const cut = (s: string, n: number): string => chars(s).slice(0, n).join('');
const noControl = (s: string): string => s.replace(/\p{Cc}/gu, ' ').trim();

/** ¥ + yuan with two decimals, from integer fen. */
export function yuan(fen: number): string {
  const f = Math.max(0, Math.trunc(fen));
  return `¥${Math.floor(f / 100)}.${String(f % 100).padStart(2, '0')}`;
}

/** `YYYY-MM-DD HH:mm` in Beijing time (UTC+8, no daylight saving). */
export function beijingMinute(ms: number): string {
  return new Date(ms + 8 * 3600_000).toISOString().slice(0, 16).replace('T', ' ');
}

/** One value for a key of type `type`, from a fact that may be text or fen/ms. */
export function formatValue(type: KeyType, value: string | number | undefined): string {
  const text = value === undefined ? '' : String(value);
  switch (type) {
    case 'thing':
      return cut(noControl(text), 20) || '-';
    case 'phrase':
      return cut(text.replace(/[^\u3400-\u9fff]/g, ''), 5) || '通知';
    case 'character_string':
      return cut(text.replace(/[^\x21-\x7e]/g, ''), 32) || '-';
    case 'number':
      return cut(text.replace(/\D/g, ''), 32) || '0';
    case 'letter':
      return cut(text.replace(/[^A-Za-z]/g, ''), 32) || 'A';
    case 'name': {
      const t = noControl(text).replace(/\d/g, '');
      if (/[\u3400-\u9fff]/.test(t)) return cut(t, 10);
      return cut(t.replace(/[^\x20-\x7e]/g, '').trim(), 20) || '商户';
    }
    case 'amount':
      return yuan(typeof value === 'number' ? value : 0);
    case 'time':
    case 'date':
      return beijingMinute(typeof value === 'number' ? value : 0);
  }
}

/** What each fact is for one event (text, or fen / epoch ms for amounts and times). */
export function factValues(
  rule: Pick<AlertRule, 'title' | 'status' | 'amount'>,
  facts: AlertFacts,
): Record<FactName, string | number | undefined> {
  return {
    title: rule.title,
    status: rule.status,
    amount: rule.amount === 'refund' ? facts.refundFee : facts.totalFee,
    time: facts.at,
    orderNo: facts.outTradeNo,
    detail: facts.detail ?? rule.title,
  };
}

/** subscribeMessage.send `data` for one event: every key of the template, each within its rule. */
export function templateData(
  fields: Readonly<Record<string, FactName>>,
  rule: Pick<AlertRule, 'title' | 'status' | 'amount'>,
  facts: AlertFacts,
): Record<string, { value: string }> {
  const values = factValues(rule, facts);
  const out: Record<string, { value: string }> = {};
  for (const [key, fact] of Object.entries(fields)) {
    const type = keyType(key);
    if (!type) throw new Error(`template key ${key} has a type Shouyin cannot format`);
    out[key] = { value: formatValue(type, values[fact]) };
  }
  return out;
}
