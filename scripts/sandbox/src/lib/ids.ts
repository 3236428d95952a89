/**
 * Identifiers WeChat mints, shaped like real ones (spec §2.7/§5.4 samples):
 * prepay_id `wx` + 14-digit Beijing time + 20 hex (36 chars), transaction_id 28 digits, refund_id 29 digits.
 */
import { randomBytes, randomInt } from 'node:crypto';
import { beijingTime } from '@shouyin/shared';

function digits(n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += String(randomInt(10));
  return s;
}

export function newPrepayId(nowMs: number): string {
  return 'wx' + beijingTime(nowMs) + randomBytes(10).toString('hex');
}

export function newTransactionId(nowMs: number): string {
  return '42000' + digits(5) + beijingTime(nowMs).slice(0, 8) + digits(10);
}

export function newRefundId(nowMs: number): string {
  return '50300' + digits(5) + beijingTime(nowMs).slice(0, 8) + digits(11);
}

/** A 32-character APIv2 key of letters and digits (spec §2.1.5). */
export function newApiKey(): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  let s = '';
  for (let i = 0; i < 32; i++) s += alphabet[randomInt(alphabet.length)];
  return s;
}

/** `yyyy-MM-dd HH:mm:ss` Beijing time, the format of refund success times (spec §3.5, §5.4). */
export function beijingDateTime(ms: number): string {
  const t = beijingTime(ms);
  return `${t.slice(0, 4)}-${t.slice(4, 6)}-${t.slice(6, 8)} ${t.slice(8, 10)}:${t.slice(10, 12)}:${t.slice(12, 14)}`;
}
