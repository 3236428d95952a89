import { randomBytes } from 'node:crypto';

/** A 32-character random nonce from the CSPRNG (`nonce_str` is String(32), spec §1.4). */
export function newNonce(): string {
  return randomBytes(16).toString('hex');
}
