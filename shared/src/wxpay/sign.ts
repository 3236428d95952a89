/**
 * v2 signing exactly per spec wxpay-v2.md §2.1: every field but `sign`, empty values dropped, keys in
 * ASCII order, raw values, `&key=<API key>` appended, MD5 or HMAC-SHA256 (keyed with the API key),
 * upper-case hex. `sign_type` is an ordinary field and is itself signed (§2.2).
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { SignType, WxInput } from './types';

/** The string that is hashed (without the `&key=` suffix); exported for tests and diagnostics. */
export function signingString(fields: WxInput): string {
  const keys = Object.keys(fields).sort(); // default sort = UTF-16 code unit order = ASCII order for ASCII keys (§2.1.3)
  let out = '';
  for (const k of keys) {
    if (k === 'sign') continue;
    const v = fields[k];
    if (v === undefined || v === null || v === '') continue;
    out += (out === '' ? '' : '&') + k + '=' + v;
  }
  return out;
}

export function sign(fields: WxInput, key: string, signType: SignType = 'MD5'): string {
  const base = signingString(fields);
  const temp = (base === '' ? '' : base + '&') + 'key=' + key;
  const hex =
    signType === 'HMAC-SHA256'
      ? createHmac('sha256', key).update(temp, 'utf8').digest('hex')
      : createHash('md5').update(temp, 'utf8').digest('hex');
  return hex.toUpperCase();
}

/** Constant-time comparison of two signatures (case-insensitive hex). */
export function signaturesEqual(expected: string, received: string | undefined): boolean {
  if (typeof received !== 'string' || received.length !== expected.length) return false;
  const a = Buffer.from(expected, 'latin1');
  const b = Buffer.from(received.toUpperCase(), 'latin1');
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Which algorithm verifies a received document (spec §2.3, pitfall 2): its own `sign_type` when present,
 * else the sign type we used for the order/request, else a 64-character sign means HMAC-SHA256.
 * Returns undefined for a `sign_type` value we do not know (such a document cannot verify).
 */
export function verifyingSignType(fields: Record<string, string | undefined>, fallback?: SignType): SignType | undefined {
  const declared = fields.sign_type;
  if (declared !== undefined && declared !== '') {
    return declared === 'MD5' || declared === 'HMAC-SHA256' ? declared : undefined;
  }
  if (fallback) return fallback;
  return fields.sign?.length === 64 ? 'HMAC-SHA256' : 'MD5';
}

/** Verifies `fields.sign` over all other fields. Never throws. */
export function verify(fields: Record<string, string>, key: string, fallback?: SignType): boolean {
  const received = fields.sign;
  if (!received) return false;
  const type = verifyingSignType(fields, fallback);
  if (!type) return false;
  return signaturesEqual(sign(fields, key, type), received);
}
