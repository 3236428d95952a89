// Error objects as wx-server-sdk builds them (CloudBase notes §3.4): a plain Error whose message equals errMsg,
// "<api>:fail <errCode> <text>. <detail>", with a numeric errCode; open-API errors as CloudSDKError
// ("openapi.<api>:fail <errmsg>", errCode = WeChat errcode).

import { isRpcFailure } from './bridge';

/** wx-server-sdk's errCode texts (WSS src/config/error.config.ts). */
export const ERR_TEXT: Readonly<Record<number, string>> = {
  [-1]: 'unknown error',
  [-501001]: 'resource system error',
  [-501002]: 'resource server timeout',
  [-501003]: 'exceed request limit',
  [-501004]: 'exceed concurrent request limit',
  [-501005]: 'invalid env',
  [-501007]: 'invalid parameters',
  [-502001]: 'database request fail',
  [-502002]: 'database invalid command',
  [-502003]: 'database permission denied',
  [-502004]: 'database exceed collection limit',
  [-502005]: 'database collection not exists',
  [-504001]: 'functions request fail',
  [-504002]: 'functions execute fail',
  [-601001]: 'system error',
  [-601002]: 'system args error',
  [-601004]: 'api permission denied',
  [-604001]: 'cloudfunction result size exceed limit (1MB)',
  [-604100]: 'API not found',
  [-604101]: 'function has no permission to call this API',
};

/** Backend string codes the SDK maps (WSS provider/tcb/config/error.config.ts); anything else → -501001. */
const BACKEND_CODES: Readonly<Record<string, number>> = {
  SYS_ERR: -501001,
  SERVER_TIMEOUT: -501002,
  EXCEED_REQUEST_LIMIT: -501003,
  EXCEED_CONCURRENT_REQUEST_LIMIT: -501004,
  INVALID_ENV: -501005,
  INVALID_PARAM: -501007,
  DATABASE_REQUEST_FAILED: -502001,
  DATABASE_DUPLICATE_WRITE: -502001,
  DATABASE_INVALID_COMMAND: -502002,
  DATABASE_PERMISSION_DENIED: -502003,
  DATABASE_COLLECTION_EXCEED_LIMIT: -502004,
  DATABASE_COLLECTION_NOT_EXIST: -502005,
  FUNCTIONS_REQUEST_FAIL: -504001,
  FUNCTIONS_EXECUTE_FAIL: -504002,
};

export interface SDKError extends Error {
  errCode: number;
  errMsg: string;
  /** Backend code, kept for transaction conflicts (the only case the SDK's retry looks at). */
  code?: string;
  requestID?: string;
}

export function sdkError(api: string, errCode: number, detail: string, code?: string): SDKError {
  const text = ERR_TEXT[errCode];
  const errMsg = `${api}:fail ${errCode}${text ? ` ${text}` : ''}. ${detail}`;
  const err = new Error(errMsg) as SDKError;
  err.errCode = errCode;
  err.errMsg = errMsg;
  if (code) err.code = code;
  return err;
}

/** A local (client-side) failure: "<api>:fail <message>", errCode -1. */
export function localError(api: string, message: string): SDKError {
  const errMsg = `${api}:fail ${message}`;
  const err = new Error(errMsg) as SDKError;
  err.errCode = -1;
  err.errMsg = errMsg;
  return err;
}

/** Maps what a bridge call rejected with to the SDK's error for `api`. */
export function toSDKError(api: string, e: unknown): SDKError {
  if (isRpcFailure(e)) {
    const errCode = e.errCode ?? BACKEND_CODES[e.code] ?? -501001;
    return sdkError(api, errCode, e.message, e.code);
  }
  if (e instanceof Error) {
    if (typeof (e as SDKError).errCode === 'number') return e as SDKError;
    return localError(api, e.message);
  }
  return localError(api, String(e));
}

/** The older error class open-API calls throw (WSS CloudSDKError). */
export class CloudSDKError extends Error {
  override readonly name = 'CloudSDKError';
  readonly errCode: number;
  readonly errMsg: string;
  constructor(errCode: number, errMsg: string) {
    super(`errCode: ${errCode} ${ERR_TEXT[errCode] ?? ''} | errMsg: ${errMsg}`);
    this.errCode = errCode;
    this.errMsg = errMsg;
  }
}
