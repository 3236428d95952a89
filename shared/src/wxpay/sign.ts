/**
 * v2 signing exactly per WeChat Pay v2 notes §2.1: every field but `sign`, empty values dropped, keys in
 * ASCII order, raw values, `&key=<API key>` appended, MD5 or HMAC-SHA256 (keyed with the API key),
 * upper-case hex. `sign_type` is an ordinary field and is itself signed (§2.2).
 */
import * as crypto from 'node:crypto';
import { InputError } from '../errors';
import { isSignType, type SignType, type WxInput } from './types';
import { xmlElement } from './xml';

// crypto.hash (one-shot, Node >= 20.12) is markedly faster than createHash for short inputs.
const md5Hex: (s: string) => string =
  typeof crypto.hash === 'function'
    ? (s) => crypto.hash('md5', s, 'hex')
    : (s) => crypto.createHash('md5').update(s, 'utf8').digest('hex');

/** The upper-case hex signature of `stringSignTemp` (spec §2.1 steps 5-6). */
function digest(stringSignTemp: string, key: string, signType: SignType): string {
  if (signType === 'MD5') return md5Hex(stringSignTemp).toUpperCase();
  if (signType === 'HMAC-SHA256') {
    return crypto.createHmac('sha256', key).update(stringSignTemp, 'utf8').digest('hex').toUpperCase();
  }
  throw new InputError(`unknown sign type ${String(signType).slice(0, 20)}`);
}

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
  return digest((base === '' ? '' : base + '&') + 'key=' + key, key, signType);
}

/**
 * Signs and builds a request body in one pass over the sorted keys: `<xml>` with every field (in ASCII
 * order, values as buildXml writes them) and the new `sign` last. A `sign` already among the fields is
 * ignored. Same signature as `sign`, same document as `buildXml({ ...fields, sign })` up to field order.
 */
export function signedXml(
  fields: WxInput,
  key: string,
  signType: SignType = 'MD5',
  root = 'xml',
): { sign: string; xml: string } {
  const keys = Object.keys(fields).sort(); // ASCII order (§2.1.3)
  let base = '';
  let xml = '<' + root + '>';
  for (const k of keys) {
    const v = fields[k];
    if (k === 'sign' || v === undefined || v === null) continue;
    xml += xmlElement(k, v);
    if (v !== '') base += k + '=' + v + '&'; // empty values are sent but not signed (§2.1.2)
  }
  const signature = digest(base + 'key=' + key, key, signType);
  return { sign: signature, xml: xml + '<sign>' + signature + '</sign></' + root + '>' };
}

/**
 * Constant-time comparison of a computed signature with a received one, case-insensitively (spec §2.3).
 * Compared as UTF-8 bytes, so a non-ASCII character can never collapse onto a hex digit.
 */
export function signaturesEqual(expected: string, received: string | undefined): boolean {
  if (typeof received !== 'string' || received.length !== expected.length) return false;
  const a = Buffer.from(expected.toUpperCase(), 'utf8');
  const b = Buffer.from(received.toUpperCase(), 'utf8');
  return a.length === b.length && crypto.timingSafeEqual(a, b);
}

/**
 * Which algorithm verifies a received document (spec §2.3, pitfall 2): its own `sign_type` when present,
 * else the sign type we used for the order/request, else a 64-character sign means HMAC-SHA256.
 * Returns undefined for a `sign_type` value we do not know (such a document cannot verify).
 */
export function verifyingSignType(
  fields: Record<string, string | undefined>,
  fallback?: SignType,
): SignType | undefined {
  const declared = fields.sign_type;
  if (declared !== undefined && declared !== '') {
    return declared === 'MD5' || declared === 'HMAC-SHA256' ? declared : undefined;
  }
  if (fallback !== undefined) return isSignType(fallback) ? fallback : undefined;
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
