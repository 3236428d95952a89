/** WeChat Pay v2 sign types (WeChat Pay v2 notes §2.2). */
export type SignType = 'MD5' | 'HMAC-SHA256';
export const SIGN_TYPES: readonly SignType[] = ['MD5', 'HMAC-SHA256'];
export function isSignType(v: unknown): v is SignType {
  return v === 'MD5' || v === 'HMAC-SHA256';
}

/** A flat v2 document: every value a string, exactly as sent (spec §2.3). */
export type WxFields = Record<string, string>;

/** What may be signed/serialised: numbers are written in decimal, undefined/null/'' are dropped. */
export type WxInput = Record<string, string | number | undefined | null>;
