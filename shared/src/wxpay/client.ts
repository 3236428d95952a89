/**
 * The WeChat Pay v2 client: the one gateway from Shouyin to WeChat Pay (WeChat Pay v2 notes §3).
 *
 * Pipeline of every call (STYLE.md: resources describe, one sender sends):
 *   validate the typed request (amounts are safe integers > 0 fen, out_trade_no per OUT_TRADE_NO, no 4-byte
 *   UTF-8, spec §1.1/pitfall 5) → add appid, mch_id, nonce_str, sign_type (always explicit, §2.2) → sign
 *   (sign.ts) → buildXml (xml.ts) → transport.ts → parseXml → return_code=FAIL → WxPayProtocolError →
 *   verify `sign` with the request's sign type (§2.2; required when result_code=SUCCESS, checked whenever
 *   present) and the appid/mch_id echo → result_code=FAIL → WxPayBusinessError (`retryable` per §3.6) →
 *   typed result (numbers parsed from strings; the verified map is kept as `raw`).
 *
 * Retries live here and nowhere else. The body is built once, so every retry sends the BYTE-IDENTICAL
 * request (same nonce, same sign; spec §1.3, pitfalls 11/12) and out_trade_no/out_refund_no never change:
 * - SYSTEMERROR / BIZERR_NEED_RETRY and unknown-outcome transport errors (timeout after connecting, reset,
 *   HTTP 5xx, an answer that is not XML) are retried up to `maxRetries` times after `retryDelayMs`;
 * - a request that certainly never left (connect refused, DNS, connect timeout, TLS handshake failure) is
 *   sent once to the backup host (api2), and later retries stay there;
 * - FREQUENCY_LIMITED, INVALID_REQ_TOO_MUCH and (refund) NOTENOUGH are `retryable` for the caller (later,
 *   after backing off or funding) but never retried automatically; certificate, protocol and signature
 *   errors are never retried.
 * No logging here; errors carry no API key, no sign and no body.
 */
import { isIP } from 'node:net';
import {
  ConfigError,
  InputError,
  ShouyinError,
  SignatureError,
  WxPayBusinessError,
  WxPayCertificateError,
  WxPayProtocolError,
  WxPayTransportError,
  XmlError,
} from '../errors';
import type {
  CallOptions,
  CloseOrderRequest,
  CloseOrderResult,
  OrderQueryRequest,
  OrderQueryResult,
  RefundQueryItem,
  RefundQueryRequest,
  RefundQueryResult,
  RefundRequest,
  RefundResult,
  RefundStatus,
  TradeState,
  UnifiedOrderRequest,
  UnifiedOrderResult,
  WxPayClient,
  WxPayClientOptions,
} from './client-api';
import { OUT_REFUND_NO, OUT_TRADE_NO, parseBeijingTime } from './ids';
import { newNonce } from './nonce';
import { sign, signaturesEqual } from './sign';
import { type PostXml, postXml } from './transport';
import { isSignType, type SignType, type WxFields, type WxInput } from './types';
import { buildXml, parseXml } from './xml';

export const DEFAULT_BASE_URL = 'https://api.mch.weixin.qq.com';
export const DEFAULT_BACKUP_BASE_URL = 'https://api2.mch.weixin.qq.com';
export const DEFAULT_TIMEOUT_MS = 10_000;

export const WXPAY_PATHS = {
  unifiedOrder: '/pay/unifiedorder',
  orderQuery: '/pay/orderquery',
  closeOrder: '/pay/closeorder',
  refund: '/secapi/pay/refund',
  refundQuery: '/pay/refundquery',
} as const;
export type WxPayApi = keyof typeof WXPAY_PATHS;

/**
 * Spec §3.6: 'auto' = resend the identical request now (the client does, up to maxRetries);
 * 'later' = the same request may succeed after a pause or a fix (the caller decides); 'no' = permanent.
 */
export function businessRetry(api: WxPayApi, errCode: string): 'auto' | 'later' | 'no' {
  if (errCode === 'SYSTEMERROR' || errCode === 'BIZERR_NEED_RETRY') return 'auto';
  if (errCode === 'FREQUENCY_LIMITED' || errCode === 'INVALID_REQ_TOO_MUCH') return 'later';
  // NOTENOUGH on refund = the merchant's refundable balance (retry after funding); on unifiedorder it is the
  // payer's balance, which no retry of ours can fix (§3.1 vs §3.4).
  if (errCode === 'NOTENOUGH' && api === 'refund') return 'later';
  return 'no';
}

export interface WxPayClientDeps {
  /** The transport (default: transport.ts `postXml`). */
  postXml?: PostXml;
  /** How to wait between retries (default: setTimeout). */
  sleep?: (ms: number) => Promise<void>;
  /** The clock deadlines are measured against (default: Date.now). */
  now?: () => number;
}

/** No attempt starts with less time than this before its deadline: it could not get an answer back. */
export const MIN_ATTEMPT_MS = 500;

const TRADE_STATES: ReadonlySet<string> = new Set<TradeState>([
  'SUCCESS',
  'REFUND',
  'NOTPAY',
  'CLOSED',
  'REVOKED',
  'USERPAYING',
  'PAYERROR',
  'ACCEPT',
]);
const REFUND_STATUSES: ReadonlySet<string> = new Set<RefundStatus>([
  'SUCCESS',
  'REFUNDCLOSE',
  'PROCESSING',
  'CHANGE',
]);

// ---------------------------------------------------------------------------------------------------
// Request validation (InputError names the field, never echoes long values)

/** Characters XML 1.0 cannot carry, plus any surrogate (4-byte UTF-8 / lone halves; spec §1.1). */
// biome-ignore lint/suspicious/noControlCharactersInRegex: exactly the characters XML 1.0 cannot carry
const BAD_CHARS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uD800-\uDFFF\uFFFE\uFFFF]/;
const NONCE = /^[0-9A-Za-z]{1,32}$/;
const TRANSACTION_ID = /^[0-9A-Za-z]{1,32}$/;
const REFUND_ID = /^[0-9A-Za-z]{1,32}$/;
const OPENID = /^[0-9A-Za-z_-]{1,128}$/;

function text(name: string, v: unknown, max: number, required: true): string;
function text(name: string, v: unknown, max: number, required?: false): string | undefined;
function text(name: string, v: unknown, max: number, required = false): string | undefined {
  if (v === undefined || v === null || v === '') {
    if (required) throw new InputError(`${name} is required`);
    return undefined;
  }
  if (typeof v !== 'string') throw new InputError(`${name} must be a string`);
  if (BAD_CHARS.test(v)) {
    throw new InputError(
      `${name} contains characters WeChat Pay v2 refuses (4-byte UTF-8 such as emoji, or control characters)`,
    );
  }
  if ([...v].length > max) throw new InputError(`${name} is longer than ${max} characters`);
  return v;
}

function matching(name: string, v: unknown, re: RegExp, what: string): string {
  if (typeof v !== 'string' || !re.test(v)) throw new InputError(`${name} must be ${what}`);
  return v;
}

/** Integer fen > 0 (spec §1.4, pitfall 5). */
function fen(name: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v <= 0) {
    throw new InputError(`${name} must be a whole number of fen greater than 0`);
  }
  return v;
}

function nonceOf(v: unknown): string {
  if (v === undefined) return newNonce();
  return matching('nonce_str', v, NONCE, '1–32 letters or digits');
}

function notifyUrl(name: string, v: unknown, required: boolean): string | undefined {
  const s = text(name, v, 256, required as true);
  if (s === undefined) return undefined;
  let u: URL;
  try {
    u = new URL(s);
  } catch {
    throw new InputError(`${name} must be an absolute URL`);
  }
  if ((u.protocol !== 'https:' && u.protocol !== 'http:') || s.includes('?') || s.includes('#')) {
    throw new InputError(`${name} must be an absolute http(s) URL without a query string (spec §3.1)`);
  }
  return s;
}

function beijing(name: string, v: unknown): string | undefined {
  if (v === undefined || v === '') return undefined;
  if (typeof v !== 'string' || parseBeijingTime(v) === undefined)
    throw new InputError(`${name} must be yyyyMMddHHmmss`);
  return v;
}

function outTradeNo(v: unknown): string {
  return matching('out_trade_no', v, OUT_TRADE_NO, '6–32 characters of [0-9A-Za-z_-]');
}

function unifiedOrderFields(r: UnifiedOrderRequest): WxInput {
  if (r.trade_type !== undefined && r.trade_type !== 'JSAPI')
    throw new InputError('trade_type must be JSAPI');
  if (r.limit_pay !== undefined && r.limit_pay !== 'no_credit')
    throw new InputError('limit_pay must be no_credit');
  if (
    typeof r.spbill_create_ip !== 'string' ||
    r.spbill_create_ip.length > 64 ||
    isIP(r.spbill_create_ip) === 0
  ) {
    throw new InputError('spbill_create_ip must be an IPv4 or IPv6 address');
  }
  return {
    device_info: text('device_info', r.device_info, 32),
    body: text('body', r.body, 127, true),
    detail: text('detail', r.detail, 6000),
    attach: text('attach', r.attach, 127),
    out_trade_no: outTradeNo(r.out_trade_no),
    fee_type: 'CNY',
    total_fee: fen('total_fee', r.total_fee),
    spbill_create_ip: r.spbill_create_ip,
    time_start: beijing('time_start', r.time_start),
    time_expire: beijing('time_expire', r.time_expire),
    goods_tag: text('goods_tag', r.goods_tag, 32),
    notify_url: notifyUrl('notify_url', r.notify_url, true),
    trade_type: 'JSAPI',
    limit_pay: r.limit_pay,
    openid: matching('openid', r.openid, OPENID, 'the payer’s openid under this appid'),
  };
}

type AnyQuery = {
  out_trade_no?: unknown;
  transaction_id?: unknown;
  out_refund_no?: unknown;
  refund_id?: unknown;
  offset?: unknown;
};

function orderQueryFields(r: OrderQueryRequest): WxInput {
  const q = r as AnyQuery;
  if (q.transaction_id === undefined && q.out_trade_no === undefined) {
    throw new InputError('orderquery needs transaction_id or out_trade_no');
  }
  return {
    transaction_id:
      q.transaction_id === undefined
        ? undefined
        : matching('transaction_id', q.transaction_id, TRANSACTION_ID, '1–32 letters or digits'),
    out_trade_no: q.out_trade_no === undefined ? undefined : outTradeNo(q.out_trade_no),
  };
}

function refundFields(r: RefundRequest): WxInput {
  if (r.transaction_id === undefined && r.out_trade_no === undefined)
    throw new InputError('refund needs transaction_id or out_trade_no');
  const total = fen('total_fee', r.total_fee);
  const refund = fen('refund_fee', r.refund_fee);
  if (refund > total) throw new InputError('refund_fee must not exceed total_fee');
  if (
    r.refund_account !== undefined &&
    r.refund_account !== 'REFUND_SOURCE_RECHARGE_FUNDS' &&
    r.refund_account !== 'REFUND_SOURCE_UNSETTLED_FUNDS'
  ) {
    throw new InputError(
      'refund_account must be REFUND_SOURCE_RECHARGE_FUNDS or REFUND_SOURCE_UNSETTLED_FUNDS',
    );
  }
  return {
    transaction_id:
      r.transaction_id === undefined
        ? undefined
        : matching('transaction_id', r.transaction_id, TRANSACTION_ID, '1–32 letters or digits'),
    out_trade_no: r.out_trade_no === undefined ? undefined : outTradeNo(r.out_trade_no),
    out_refund_no: matching(
      'out_refund_no',
      r.out_refund_no,
      OUT_REFUND_NO,
      '1–64 characters of [0-9A-Za-z_-|*@]',
    ),
    total_fee: total,
    refund_fee: refund,
    refund_desc: text('refund_desc', r.refund_desc, 80),
    refund_account: r.refund_account,
    notify_url: notifyUrl('notify_url', r.notify_url, false),
  };
}

function refundQueryFields(r: RefundQueryRequest): WxInput {
  const q = r as AnyQuery;
  const f: WxInput = {
    refund_id:
      q.refund_id === undefined
        ? undefined
        : matching('refund_id', q.refund_id, REFUND_ID, '1–32 letters or digits'),
    out_refund_no:
      q.out_refund_no === undefined
        ? undefined
        : matching('out_refund_no', q.out_refund_no, OUT_REFUND_NO, '1–64 characters of [0-9A-Za-z_-|*@]'),
    transaction_id:
      q.transaction_id === undefined
        ? undefined
        : matching('transaction_id', q.transaction_id, TRANSACTION_ID, '1–32 letters or digits'),
    out_trade_no: q.out_trade_no === undefined ? undefined : outTradeNo(q.out_trade_no),
  };
  if (
    f.refund_id === undefined &&
    f.out_refund_no === undefined &&
    f.transaction_id === undefined &&
    f.out_trade_no === undefined
  ) {
    throw new InputError('refundquery needs refund_id, out_refund_no, transaction_id or out_trade_no');
  }
  if (q.offset !== undefined) {
    if (typeof q.offset !== 'number' || !Number.isSafeInteger(q.offset) || q.offset < 0) {
      throw new InputError('offset must be a whole number ≥ 0');
    }
    f.offset = q.offset;
  }
  return f;
}

// ---------------------------------------------------------------------------------------------------
// Reading answers

/** A verified answer that lacks what the API promises: not retryable (resending gets the same). */
function badAnswer(api: WxPayApi, problem: string): ShouyinError {
  return new ShouyinError('WXPAY_BAD_RESPONSE', `WeChat Pay ${WXPAY_PATHS[api]} answer ${problem}`);
}

function need(f: WxFields, k: string, api: WxPayApi): string {
  const v = f[k];
  if (v === undefined || v === '') throw badAnswer(api, `has no ${k}`);
  return v;
}

function intField(f: WxFields, k: string, api: WxPayApi, required: true): number;
function intField(f: WxFields, k: string, api: WxPayApi, required?: false): number | undefined;
function intField(f: WxFields, k: string, api: WxPayApi, required = false): number | undefined {
  const v = f[k];
  if (v === undefined || v === '') {
    if (required) throw badAnswer(api, `has no ${k}`);
    return undefined;
  }
  if (!/^\d{1,15}$/.test(v)) throw badAnswer(api, `has a malformed ${k}`);
  return Number(v);
}

function opt(f: WxFields, k: string): string | undefined {
  const v = f[k];
  return v === undefined || v === '' ? undefined : v;
}

function short(s: string | undefined, max = 128): string {
  if (!s) return '';
  const chars = [...s];
  return chars.length > max ? chars.slice(0, max).join('') + '…' : s;
}

function refundItems(f: WxFields, api: WxPayApi): RefundQueryItem[] {
  const indexes: number[] = [];
  for (const k of Object.keys(f)) {
    const m = /^out_refund_no_(\d{1,3})$/.exec(k);
    if (m) indexes.push(Number(m[1]));
  }
  indexes.sort((a, b) => a - b);
  return indexes.map((n) => {
    const status = need(f, `refund_status_${n}`, api);
    if (!REFUND_STATUSES.has(status)) throw badAnswer(api, `has an unknown refund_status_${n}`);
    const item: RefundQueryItem = {
      out_refund_no: need(f, `out_refund_no_${n}`, api),
      refund_id: need(f, `refund_id_${n}`, api),
      refund_fee: intField(f, `refund_fee_${n}`, api, true),
      refund_status: status as RefundStatus,
    };
    const settlement = intField(f, `settlement_refund_fee_${n}`, api);
    if (settlement !== undefined) item.settlement_refund_fee = settlement;
    for (const k of [
      'refund_channel',
      'refund_recv_accout',
      'refund_success_time',
      'refund_account',
    ] as const) {
      const v = opt(f, `${k}_${n}`);
      if (v !== undefined) item[k] = v;
    }
    return item;
  });
}

// ---------------------------------------------------------------------------------------------------
// The client

function checkOptions(o: WxPayClientOptions): void {
  if (typeof o.appid !== 'string' || o.appid === '') throw new ConfigError('appid', 'is required');
  if (typeof o.mchId !== 'string' || o.mchId === '') throw new ConfigError('mchId', 'is required');
  if (typeof o.apiKey !== 'string' || o.apiKey.length !== 32) {
    throw new ConfigError('apiKey', 'must be the 32-character APIv2 key (spec §2.1, pitfall 1)');
  }
  if (!isSignType(o.signType)) throw new ConfigError('signType', 'must be MD5 or HMAC-SHA256');
  for (const [k, v] of [
    ['baseUrl', o.baseUrl],
    ['backupBaseUrl', o.backupBaseUrl],
  ] as const) {
    if (v === undefined || v === null) continue;
    if (!/^https:\/\/[^/?#]+(\/[^?#]*)?$/.test(v))
      throw new ConfigError(k, 'must be an https URL without query');
  }
  if (o.timeoutMs !== undefined && (!Number.isSafeInteger(o.timeoutMs) || o.timeoutMs <= 0)) {
    throw new ConfigError('timeoutMs', 'must be a positive whole number of milliseconds');
  }
  if (o.maxRetries !== undefined && (!Number.isSafeInteger(o.maxRetries) || o.maxRetries < 0)) {
    throw new ConfigError('maxRetries', 'must be a whole number ≥ 0');
  }
  if (o.retryDelayMs !== undefined && (!Number.isFinite(o.retryDelayMs) || o.retryDelayMs < 0)) {
    throw new ConfigError('retryDelayMs', 'must be ≥ 0');
  }
}

const trimSlash = (s: string) => s.replace(/\/+$/, '');

export function createWxPayClient(opts: WxPayClientOptions, deps: WxPayClientDeps = {}): WxPayClient {
  checkOptions(opts);
  const { appid, mchId, apiKey, signType } = opts;
  const baseUrl = trimSlash(opts.baseUrl ?? DEFAULT_BASE_URL);
  // The default backup is WeChat's api2 only when the primary is WeChat's own host: a client pointed at a
  // sandbox must never fail over to the real WeChat.
  const defaultBackup = baseUrl === DEFAULT_BASE_URL ? DEFAULT_BACKUP_BASE_URL : null;
  const backup = opts.backupBaseUrl === undefined ? defaultBackup : opts.backupBaseUrl;
  const backupBaseUrl = backup === null || trimSlash(backup) === baseUrl ? null : trimSlash(backup);
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const maxRetries = opts.maxRetries ?? 1;
  const retryDelayMs = opts.retryDelayMs ?? 200;
  const post = deps.postXml ?? postXml;
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const now = deps.now ?? Date.now;

  /** Signs and serialises once: every (re)send uses exactly these bytes. */
  function requestBody(fields: WxInput, nonce: string, st: SignType): Buffer {
    const doc: WxInput = { appid, mch_id: mchId, nonce_str: nonce, sign_type: st };
    for (const [k, v] of Object.entries(fields)) if (v !== undefined && v !== null && v !== '') doc[k] = v;
    doc.sign = sign(doc, apiKey, st);
    return Buffer.from(buildXml(doc), 'utf8');
  }

  /** return_code → sign → echo → result_code (spec §1.1 evaluation order, §2.3). */
  function readAnswer(api: WxPayApi, body: Buffer, accept: readonly string[], st: SignType): WxFields {
    let f: WxFields;
    try {
      f = parseXml(body);
    } catch (err) {
      if (!(err instanceof XmlError)) throw err;
      throw new WxPayTransportError(
        `WeChat Pay ${WXPAY_PATHS[api]} answered with something that is not a v2 XML document (${err.code}): outcome unknown`,
        {
          delivered: 'unknown',
          code: 'WXPAY_NOT_XML',
          cause: err,
        },
      );
    }
    if (f.return_code === 'FAIL') throw new WxPayProtocolError(short(f.return_msg) || '(no return_msg)');
    if (f.return_code !== 'SUCCESS') {
      throw new WxPayTransportError(
        `WeChat Pay ${WXPAY_PATHS[api]} answer has no valid return_code: outcome unknown`,
        {
          delivered: 'unknown',
          code: 'WXPAY_NOT_XML',
        },
      );
    }
    if (f.sign || f.result_code === 'SUCCESS') {
      // Responses are signed with the request's algorithm (spec §2.2).
      if (!f.sign) throw new SignatureError(`WeChat Pay ${WXPAY_PATHS[api]} answer is not signed`);
      if (!signaturesEqual(sign(f, apiKey, st), f.sign)) {
        throw new SignatureError(`WeChat Pay ${WXPAY_PATHS[api]} answer signature does not verify (${st})`);
      }
    }
    if (f.appid !== undefined && f.appid !== appid) {
      throw new SignatureError(`WeChat Pay ${WXPAY_PATHS[api]} answer is for another appid`);
    }
    if (f.mch_id !== undefined && f.mch_id !== mchId) {
      throw new SignatureError(`WeChat Pay ${WXPAY_PATHS[api]} answer is for another mch_id`);
    }
    if (f.result_code === 'FAIL') {
      const errCode = f.err_code ?? '';
      if (accept.includes(errCode)) return f;
      throw new WxPayBusinessError(
        errCode || 'UNKNOWN',
        short(f.err_code_des),
        businessRetry(api, errCode) !== 'no',
      );
    }
    if (f.result_code !== 'SUCCESS') throw badAnswer(api, 'has no valid result_code');
    return f;
  }

  function autoRetry(api: WxPayApi, err: unknown): boolean {
    if (err instanceof WxPayTransportError) {
      return err.delivered === 'unknown' && (err.httpStatus === undefined || err.httpStatus >= 500);
    }
    return err instanceof WxPayBusinessError && businessRetry(api, err.errCode) === 'auto';
  }

  async function call(
    api: WxPayApi,
    fields: WxInput,
    nonce: string,
    accept: readonly string[] = [],
    st: SignType = signType,
    callOpts: CallOptions = {},
  ): Promise<WxFields> {
    const secure = api === 'refund';
    if (secure && !opts.certificate) {
      throw new WxPayCertificateError(
        `${WXPAY_PATHS[api]} needs the merchant API certificate (mutual TLS; spec §3.4) and none is configured: ` +
          'set WXPAY_CERT_PATH + WXPAY_KEY_PATH (PEM), WXPAY_P12_PATH, or the cloud file ids',
      );
    }
    const body = requestBody(fields, nonce, st);
    const { deadline } = callOpts;
    const left = () => (deadline === undefined ? Number.POSITIVE_INFINITY : deadline - now());
    let base = baseUrl;
    let failedOver = false;
    let retries = 0;
    let lastErr: unknown;
    for (;;) {
      // The invocation's deadline bounds every attempt: the function is never killed mid-call (issue 9.7).
      if (left() < MIN_ATTEMPT_MS) {
        if (lastErr !== undefined) throw lastErr;
        throw new WxPayTransportError(
          `no time left in this invocation to call WeChat Pay ${WXPAY_PATHS[api]}; nothing was sent`,
          { delivered: 'no', code: 'WXPAY_NO_TIME' },
        );
      }
      const sendOpts = {
        timeoutMs: Math.min(timeoutMs, left()),
        ca: opts.ca,
        certificate: secure ? opts.certificate : undefined,
      };
      try {
        const res = await post(base + WXPAY_PATHS[api], body, sendOpts);
        return readAnswer(api, res.body, accept, st);
      } catch (err) {
        lastErr = err;
        if (err instanceof WxPayTransportError && err.delivered === 'no' && !failedOver && backupBaseUrl) {
          failedOver = true; // spec §1.3: one immediate retry on the backup host, identical bytes
          base = backupBaseUrl;
          continue;
        }
        if (retries < maxRetries && autoRetry(api, err)) {
          retries += 1;
          const wait = Math.round(retryDelayMs * 2 ** (retries - 1) * (0.75 + Math.random() * 0.5));
          if (left() - wait < MIN_ATTEMPT_MS) throw err; // a retry could not finish in time
          await sleep(wait);
          continue;
        }
        throw err;
      }
    }
  }

  return {
    merchant: Object.freeze({ appid, mchId, signType }),

    async unifiedOrder(req, callOpts) {
      const fields = unifiedOrderFields(req);
      if (req.sign_type !== undefined && !isSignType(req.sign_type))
        throw new InputError('sign_type must be MD5 or HMAC-SHA256');
      const f = await call(
        'unifiedOrder',
        fields,
        nonceOf(req.nonce_str),
        [],
        req.sign_type ?? signType,
        callOpts,
      );
      return {
        prepay_id: need(f, 'prepay_id', 'unifiedOrder'),
        trade_type: opt(f, 'trade_type') ?? 'JSAPI',
        raw: f,
      } satisfies UnifiedOrderResult;
    },

    async orderQuery(req, callOpts) {
      const fields = orderQueryFields(req);
      const f = await call('orderQuery', fields, newNonce(), [], signType, callOpts);
      const state = need(f, 'trade_state', 'orderQuery');
      if (!TRADE_STATES.has(state)) throw badAnswer('orderQuery', 'has an unknown trade_state');
      const asked = fields.out_trade_no as string | undefined;
      const outTradeNo = opt(f, 'out_trade_no') ?? asked;
      if (outTradeNo === undefined) throw badAnswer('orderQuery', 'has no out_trade_no');
      if (asked !== undefined && outTradeNo !== asked)
        throw badAnswer('orderQuery', 'is about another out_trade_no');
      const r: OrderQueryResult = { trade_state: state as TradeState, out_trade_no: outTradeNo, raw: f };
      const desc = opt(f, 'trade_state_desc');
      if (desc !== undefined) r.trade_state_desc = desc;
      const tx = opt(f, 'transaction_id');
      if (tx !== undefined) r.transaction_id = tx;
      const openid = opt(f, 'openid');
      if (openid !== undefined) r.openid = openid;
      const total = intField(f, 'total_fee', 'orderQuery');
      if (total !== undefined) r.total_fee = total;
      const cash = intField(f, 'cash_fee', 'orderQuery');
      if (cash !== undefined) r.cash_fee = cash;
      const end = opt(f, 'time_end');
      if (end !== undefined) r.time_end = end;
      return r;
    },

    async closeOrder(req: CloseOrderRequest, callOpts?: CallOptions): Promise<CloseOrderResult> {
      const f = await call(
        'closeOrder',
        { out_trade_no: outTradeNo(req.out_trade_no) },
        newNonce(),
        ['ORDERCLOSED'],
        signType,
        callOpts,
      );
      return { alreadyClosed: f.result_code === 'FAIL', raw: f };
    },

    async refund(req, callOpts) {
      const fields = refundFields(req);
      const f = await call('refund', fields, nonceOf(req.nonce_str), [], signType, callOpts);
      const outRefundNo = need(f, 'out_refund_no', 'refund');
      if (outRefundNo !== fields.out_refund_no) throw badAnswer('refund', 'is about another out_refund_no');
      return {
        refund_id: need(f, 'refund_id', 'refund'),
        out_refund_no: outRefundNo,
        out_trade_no: opt(f, 'out_trade_no') ?? req.out_trade_no ?? '',
        transaction_id: opt(f, 'transaction_id') ?? req.transaction_id ?? '',
        refund_fee: intField(f, 'refund_fee', 'refund', true),
        total_fee: intField(f, 'total_fee', 'refund', true),
        raw: f,
      } satisfies RefundResult;
    },

    async refundQuery(req, callOpts) {
      const fields = refundQueryFields(req);
      const f = await call('refundQuery', fields, newNonce(), [], signType, callOpts);
      const refunds = refundItems(f, 'refundQuery');
      const r: RefundQueryResult = {
        out_trade_no: opt(f, 'out_trade_no') ?? (fields.out_trade_no as string | undefined) ?? '',
        transaction_id: opt(f, 'transaction_id') ?? '',
        total_fee: intField(f, 'total_fee', 'refundQuery', true),
        refund_count: intField(f, 'refund_count', 'refundQuery') ?? refunds.length,
        refunds,
        raw: f,
      };
      const totalCount = intField(f, 'total_refund_count', 'refundQuery');
      if (totalCount !== undefined) r.total_refund_count = totalCount;
      return r;
    },
  };
}
