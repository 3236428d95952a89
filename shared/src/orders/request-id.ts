/**
 * `create`'s idempotency key (STYLE.md: minted once by the caller, reused on every retry). The record's
 * `_id` is derived from (openid, requestId), so two customers can use the same requestId and neither can
 * reach the other's record.
 */
import { createHash } from 'node:crypto';
import { InputError } from '../errors';

const REQUEST_ID = /^[A-Za-z0-9_-]{8,64}$/;

export function parseRequestId(v: unknown): string {
  if (typeof v !== 'string' || !REQUEST_ID.test(v)) {
    throw new InputError('requestId must be 8 to 64 characters of [A-Za-z0-9_-]');
  }
  return v;
}

/** sha256 hex of `openid \n requestId`: neither part can contain a newline, so the pairing is unambiguous. */
export function requestRecordId(openid: string, requestId: string): string {
  return createHash('sha256').update(`${openid}\n${requestId}`, 'utf8').digest('hex');
}
