/**
 * Refund notification `req_info` (WeChat Pay v2 notes §5.3, pitfall 9): AES-256-ECB with PKCS#7 padding;
 * the key is the 32 ASCII bytes of the lower-case hex MD5 of the API key (not hex-decoded). Decryption
 * yields the plaintext only; parsing the `<root>` document is a separate step.
 */
import { createCipheriv, createDecipheriv, createHash } from 'node:crypto';
import { ShouyinError } from '../errors';

export class ReqInfoError extends ShouyinError {
  constructor(message: string) {
    super('REQ_INFO_DECRYPT', message);
  }
}

function aesKey(apiKey: string): Buffer {
  return Buffer.from(createHash('md5').update(apiKey, 'utf8').digest('hex'), 'utf8');
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

export function decryptReqInfo(reqInfo: string, apiKey: string): string {
  const compact = reqInfo.replace(/\s+/g, '');
  if (compact === '' || !BASE64.test(compact) || compact.length % 4 !== 0) {
    throw new ReqInfoError('req_info is not base64');
  }
  const data = Buffer.from(compact, 'base64');
  if (data.length === 0 || data.length % 16 !== 0)
    throw new ReqInfoError('req_info length is not a multiple of 16');
  try {
    const d = createDecipheriv('aes-256-ecb', aesKey(apiKey), null);
    const plain = Buffer.concat([d.update(data), d.final()]);
    return new TextDecoder('utf-8', { fatal: true }).decode(plain);
  } catch {
    // Bad padding: wrong key, or not a refund notification (spec §5.3).
    throw new ReqInfoError('req_info did not decrypt (wrong key or not a refund notification)');
  }
}

export function encryptReqInfo(plaintext: string, apiKey: string): string {
  const c = createCipheriv('aes-256-ecb', aesKey(apiKey), null);
  return Buffer.concat([c.update(plaintext, 'utf8'), c.final()]).toString('base64');
}
