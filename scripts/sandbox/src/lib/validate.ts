/**
 * Field format rules of the five APIs (spec §3 tables). Lengths are String(n) limits; `body` and `attach`
 * are counted in UTF-8 bytes (whether WeChat counts bytes or characters is unconfirmed, spec §3.1 — bytes
 * is the stricter reading, so what passes here passes there).
 */
import { isIP } from 'node:net';
import { beijingTime, parseBeijingTime } from '@shouyin/shared';

export interface FieldRule {
  max?: number;
  /** Count `max` in UTF-8 bytes instead of characters. */
  bytes?: boolean;
  pattern?: RegExp;
  oneOf?: readonly string[];
  /** A positive 32-bit integer in plain decimal (fen). */
  positiveInt?: boolean;
  /** A non-negative integer in plain decimal. */
  nonNegativeInt?: boolean;
  ip?: boolean;
  /** yyyyMMddHHmmss (Beijing time). */
  time?: boolean;
  notifyUrl?: boolean;
}

export type Rules = Readonly<Record<string, FieldRule>>;

export const COMMON_RULES: Rules = {
  appid: { max: 32 },
  mch_id: { max: 32 },
  nonce_str: { max: 32 },
  sign: { max: 64 },
  sign_type: { oneOf: ['MD5', 'HMAC-SHA256'] },
};

const INT32_MAX = 2 ** 31 - 1;
const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/**
 * Hosts WeChat's servers cannot reach: loopback, private, link-local and unspecified addresses, `localhost`.
 * Spec §3.1: notify_url must be reachable from the Internet, so WeChat would never deliver there.
 */
export function isInternalHost(hostname: string): boolean {
  const h = hostname.toLowerCase().replace(/^\[|\]$/g, '');
  if (h === 'localhost' || h.endsWith('.localhost')) return true;
  const v4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(h);
  if (v4) {
    const [a, b] = [Number(v4[1]), Number(v4[2])];
    return (
      a === 0 ||
      a === 10 ||
      a === 127 ||
      (a === 169 && b === 254) ||
      (a === 172 && b >= 16 && b <= 31) ||
      (a === 192 && b === 168)
    );
  }
  if (h.includes(':')) return h === '::' || h === '::1' || /^f[cd]/.test(h) || /^fe[89ab]/.test(h);
  return false;
}

/**
 * Absolute https URL without query or fragment, on a host reachable from the Internet (spec §3.1
 * notify_url). With allowLoopback (local use), loopback URLs are accepted over http or https.
 */
export function notifyUrlAllowed(v: string, allowLoopback: boolean): boolean {
  if (v.length > 256 || /[\s?#]/.test(v)) return false;
  let u: URL;
  try {
    u = new URL(v);
  } catch {
    return false;
  }
  if (u.username || u.password || !u.hostname) return false;
  if (allowLoopback && LOOPBACK_HOSTS.has(u.hostname))
    return u.protocol === 'http:' || u.protocol === 'https:';
  return u.protocol === 'https:' && !isInternalHost(u.hostname);
}

function validTime(v: string): boolean {
  const ms = parseBeijingTime(v);
  return ms !== undefined && beijingTime(ms) === v;
}

/**
 * The first format problem among the present, non-empty fields, as WeChat's return_msg; undefined when
 * every field is well-formed.
 */
export function formatProblem(
  fields: Record<string, string>,
  rules: Rules,
  allowLoopbackNotify: boolean,
): string | undefined {
  for (const [name, rule] of Object.entries(rules)) {
    const v = fields[name];
    if (v === undefined || v === '') continue;
    const length = rule.bytes ? Buffer.byteLength(v, 'utf8') : [...v].length;
    if (rule.max !== undefined && length > rule.max) return `${name}参数长度有误`;
    if (rule.positiveInt && !(/^[1-9][0-9]{0,9}$/.test(v) && Number(v) <= INT32_MAX))
      return `请确认请求参数是否正确${name}`;
    if (rule.nonNegativeInt && !(/^(0|[1-9][0-9]{0,9})$/.test(v) && Number(v) <= INT32_MAX))
      return `请确认请求参数是否正确${name}`;
    if (rule.pattern && !rule.pattern.test(v)) return `${name}参数格式错误`;
    if (rule.oneOf && !rule.oneOf.includes(v)) return `${name}参数格式错误`;
    if (rule.ip && isIP(v) === 0) return `${name}参数格式错误`;
    if (rule.time && !validTime(v)) return `${name}参数格式错误`;
    if (rule.notifyUrl && !notifyUrlAllowed(v, allowLoopbackNotify)) return `${name}参数格式错误`;
  }
  return undefined;
}

/** The first required field that is absent or empty. */
export function firstMissing(
  fields: Record<string, string>,
  required: readonly string[],
): string | undefined {
  return required.find((k) => fields[k] === undefined || fields[k] === '');
}
