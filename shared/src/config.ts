/**
 * Merchant configuration from environment variables, validated once at cold start (DESIGN.md).
 *
 *   const config = loadConfig(process.env, { require: ['payNotifyUrl'] });      // createPayment
 *   const config = loadConfig(process.env, { require: ['certificate', 'refundNotifyUrl'] }); // refunds
 *   const config = loadConfig(process.env);                                      // payNotify, reconcile
 *
 * Design: one loader with per-function requirements. The merchant core (appid, mch_id, API key, sign
 * type, gateway, timeouts, order limits) is always validated; the certificate and the two notify URLs are
 * validated whenever set, and are *required* only when the function lists them in `require` (payNotify
 * needs neither). The returned type makes the required ones non-optional.
 *
 * Every problem is a ConfigError naming the variable; when several are wrong, the message lists all of
 * them (the first is `error.variable`). No value is ever echoed: not the API key, not any other value.
 * The API key is a non-enumerable property of the (frozen) config, so JSON.stringify / console.log /
 * spreading a config cannot leak it; `describeConfig` gives a loggable summary.
 *
 * Variables (WeChat Pay v2 notes §1.3, §2.1, §3.1, §3.4, §9):
 *   WXPAY_APPID            required, ^wx[0-9a-zA-Z]{16}$
 *   WXPAY_MCH_ID           required, 8–10 digits
 *   WXPAY_API_KEY          required, exactly 32 chars [0-9A-Za-z] (the APIv2 key, not the AppSecret/APIv3 key; pitfall 1)
 *   WXPAY_SIGN_TYPE        MD5 (default) | HMAC-SHA256
 *   WXPAY_API_KEY_PREVIOUS + WXPAY_API_KEY_PREVIOUS_UNTIL
 *                          key rotation: the key being replaced, and until when (ISO 8601 with an offset, at most
 *                          30 days ahead) notifications signed or encrypted with it are still accepted, so none is
 *                          lost while 商户平台 switches keys. Requests are always signed with WXPAY_API_KEY.
 *   certificate, at most one form (files are read by `clientOptionsFromConfig` / `loadClientCertificate`):
 *     WXPAY_CERT_PATH + WXPAY_KEY_PATH        PEM files (preferred: Node's OpenSSL 3 reads every PEM)
 *     WXPAY_P12_PATH                          apiclient_cert.p12, password = mch_id (legacy RC2 files fail, §3.4)
 *     WXPAY_CERT_FILE_ID + WXPAY_KEY_FILE_ID  cloud storage ids (cloud://…) of the PEM pair — a function's
 *                                             variables must stay under 4 KB together, so no PEM in variables
 *   WXPAY_PAY_NOTIFY_URL, WXPAY_REFUND_NOTIFY_URL
 *                          absolute https URL, no query string (§3.1); with local use enabled also
 *                          http://127.0.0.1:PORT/… or http://localhost…
 *   WXPAY_BASE_URL         default https://api.mch.weixin.qq.com; only api/api2.mch.weixin.qq.com unless local use
 *   WXPAY_BACKUP_BASE_URL  default https://api2.mch.weixin.qq.com (none when WXPAY_BASE_URL points elsewhere,
 *                          so a sandbox request never fails over to the real WeChat); `none` disables
 *   WXPAY_CA_FILE          PEM CA file to trust — only with local use (the sandbox's CA)
 *   WXPAY_TIMEOUT_MS       default 10000, 1000–30000
 *   SHOUYIN_ALLOW_LOCAL_GATEWAY  `true` enables local use (sandbox base URL, CA file, http loopback notify
 *                          URLs, loopback spbill_create_ip); `false` or unset refuses all of them, so a sandbox
 *                          setting can never reach a cloud deployment
 *   ORDER_EXPIRE_MINUTES   default 30, integer 5–10080 (time_expire ≥ 5 min for JSAPI, §3.1)
 *   ORDER_MAX_UNPAID       default 5, integer 1–100
 *   REFUND_STUCK_HOURS     default 72, integer 1–720: a refund PROCESSING longer raises REFUND_STUCK (reconcile)
 *   WXPAY_SPBILL_CREATE_IP optional IPv4/IPv6.
 *
 * spbill_create_ip: spec §3.1 says that for mini-programs it is "the IP of the machine calling the API"
 * (the server, not the payer). A cloud function does not know its public egress address unless the
 * environment has a fixed egress IP, so: WXPAY_SPBILL_CREATE_IP when set (put the fixed egress IP there);
 * otherwise the first non-internal address of this machine (os.networkInterfaces(), IPv4 preferred) — the
 * calling machine's own address. Loopback/unspecified addresses are refused unless local use is enabled
 * (then 127.0.0.1 is the honest answer: the sandbox sees the call from loopback).
 */
import fs from 'node:fs';
import { isIP } from 'node:net';
import os from 'node:os';
import { ConfigError } from './errors';
import { createLogger, type Logger } from './log';
import { checkMerchantCertificate } from './wxpay/cert-check';
import { DEFAULT_BACKUP_BASE_URL, DEFAULT_BASE_URL } from './wxpay/client';
import type { ClientCertificate, WxPayClientOptions } from './wxpay/client-api';
import { checkCertificate } from './wxpay/transport';
import type { SignType } from './wxpay/types';

export type Env = Record<string, string | undefined>;

/** Where the merchant API certificate is (read later, by clientOptionsFromConfig / loadClientCertificate). */
export type CertificateSource =
  | { kind: 'pem'; certPath: string; keyPath: string }
  | { kind: 'p12'; p12Path: string }
  | { kind: 'cloud'; certFileId: string; keyFileId: string };

export interface ShouyinConfig {
  appid: string;
  mchId: string;
  /** The APIv2 key. Non-enumerable: never serialised or logged by accident. */
  readonly apiKey: string;
  /** Key rotation: the previous key (non-enumerable, like apiKey) and until when it still verifies notifications. */
  readonly previousApiKey?: string;
  previousApiKeyUntil?: number;
  signType: SignType;
  certificate?: CertificateSource;
  payNotifyUrl?: string;
  refundNotifyUrl?: string;
  baseUrl: string;
  /** null = no failover. */
  backupBaseUrl: string | null;
  caFile?: string;
  timeoutMs: number;
  allowLocalGateway: boolean;
  orderExpireMinutes: number;
  orderMaxUnpaid: number;
  /** A refund PROCESSING for longer than this raises one REFUND_STUCK alert. */
  refundStuckHours: number;
  spbillCreateIp: string;
  /** Where spbillCreateIp came from (see the module comment). */
  spbillCreateIpSource: 'env' | 'interface' | 'loopback';
}

export type ConfigRequirement = 'certificate' | 'payNotifyUrl' | 'refundNotifyUrl';

export type RequiredConfig<R extends ConfigRequirement> = Readonly<
  ShouyinConfig & { [K in R]-?: NonNullable<ShouyinConfig[K]> }
>;

export interface LoadConfigOptions<R extends ConfigRequirement> {
  require?: readonly R[];
  /** Injected for tests (default os.networkInterfaces). */
  networkInterfaces?: () => NodeJS.Dict<os.NetworkInterfaceInfo[]>;
  /** Injected for tests (default Date.now): WXPAY_API_KEY_PREVIOUS_UNTIL is checked against it. */
  now?: number;
}

export const WECHAT_HOSTS: readonly string[] = ['api.mch.weixin.qq.com', 'api2.mch.weixin.qq.com'];

const REQUIREMENT_VARIABLE: Record<ConfigRequirement, string> = {
  certificate: 'WXPAY_CERT_PATH',
  payNotifyUrl: 'WXPAY_PAY_NOTIFY_URL',
  refundNotifyUrl: 'WXPAY_REFUND_NOTIFY_URL',
};

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

interface Problem {
  variable: string;
  problem: string;
}

/** Validates the environment once; throws one ConfigError listing every problem. */
export function loadConfig<R extends ConfigRequirement = never>(
  env: Env = process.env,
  options: LoadConfigOptions<R> = {},
): RequiredConfig<R> {
  const problems: Problem[] = [];
  const fail = (variable: string, problem: string): undefined => {
    problems.push({ variable, problem });
    return undefined;
  };
  const get = (name: string): string | undefined => {
    const v = env[name];
    return v === undefined || v.trim() === '' ? undefined : v;
  };
  const required = (name: string): string | undefined => get(name) ?? fail(name, 'is required but not set');
  const int = (name: string, def: number, min: number, max: number): number => {
    const v = get(name);
    if (v === undefined) return def;
    if (!/^\d{1,9}$/.test(v) || Number(v) < min || Number(v) > max) {
      fail(name, `must be a whole number from ${min} to ${max}`);
      return def;
    }
    return Number(v);
  };

  // Local use first: it decides what else is allowed.
  const localRaw = get('SHOUYIN_ALLOW_LOCAL_GATEWAY');
  if (localRaw !== undefined && localRaw !== 'true' && localRaw !== 'false') {
    fail('SHOUYIN_ALLOW_LOCAL_GATEWAY', 'must be `true` or `false`');
  }
  const allowLocal = localRaw === 'true';

  const appid = required('WXPAY_APPID');
  if (appid !== undefined && !/^wx[0-9a-zA-Z]{16}$/.test(appid))
    fail('WXPAY_APPID', 'must be a mini-program AppID: wx + 16 letters/digits');
  const mchId = required('WXPAY_MCH_ID');
  if (mchId !== undefined && !/^\d{8,10}$/.test(mchId)) fail('WXPAY_MCH_ID', 'must be 8–10 digits');
  const apiKey = env.WXPAY_API_KEY;
  if (apiKey === undefined || apiKey === '') fail('WXPAY_API_KEY', 'is required but not set');
  else if (!/^[0-9A-Za-z]{32}$/.test(apiKey)) {
    fail(
      'WXPAY_API_KEY',
      `must be exactly 32 letters/digits (the APIv2 key from 商户平台 → API安全, not the AppSecret or the APIv3 key); ` +
        `the value set has ${apiKey.length} characters`,
    );
  }
  const previous = previousKey(get, apiKey, fail, options.now ?? Date.now());
  const signTypeRaw = get('WXPAY_SIGN_TYPE') ?? 'MD5';
  if (signTypeRaw !== 'MD5' && signTypeRaw !== 'HMAC-SHA256')
    fail('WXPAY_SIGN_TYPE', 'must be MD5 or HMAC-SHA256');
  const signType: SignType = signTypeRaw === 'HMAC-SHA256' ? 'HMAC-SHA256' : 'MD5';

  const certificate = certificateSource(get, fail);

  const notify = (name: string) => {
    const v = get(name);
    if (v === undefined) return undefined;
    const why = notifyUrlProblem(v, allowLocal);
    return why ? fail(name, why) : v;
  };
  const payNotifyUrl = notify('WXPAY_PAY_NOTIFY_URL');
  const refundNotifyUrl = notify('WXPAY_REFUND_NOTIFY_URL');

  const baseRaw = get('WXPAY_BASE_URL');
  const baseUrl =
    baseRaw === undefined ? DEFAULT_BASE_URL : gatewayUrl('WXPAY_BASE_URL', baseRaw, allowLocal, fail);
  const backupRaw = get('WXPAY_BACKUP_BASE_URL');
  let backupBaseUrl: string | null;
  if (backupRaw === 'none') backupBaseUrl = null;
  else if (backupRaw !== undefined)
    backupBaseUrl = gatewayUrl('WXPAY_BACKUP_BASE_URL', backupRaw, allowLocal, fail) ?? null;
  else backupBaseUrl = baseUrl !== undefined && isWeChatUrl(baseUrl) ? DEFAULT_BACKUP_BASE_URL : null;

  const caFile = get('WXPAY_CA_FILE');
  if (caFile !== undefined && !allowLocal) {
    fail(
      'WXPAY_CA_FILE',
      'a custom CA is only accepted with SHOUYIN_ALLOW_LOCAL_GATEWAY=true (local sandbox)',
    );
  }

  const timeoutMs = int('WXPAY_TIMEOUT_MS', 10_000, 1000, 30_000);
  const orderExpireMinutes = int('ORDER_EXPIRE_MINUTES', 30, 5, 10_080);
  const orderMaxUnpaid = int('ORDER_MAX_UNPAID', 5, 1, 100);
  const refundStuckHours = int('REFUND_STUCK_HOURS', 72, 1, 720);

  const ip = spbillCreateIp(
    get('WXPAY_SPBILL_CREATE_IP'),
    allowLocal,
    options.networkInterfaces ?? os.networkInterfaces,
    fail,
  );

  const present: Record<ConfigRequirement, unknown> = { certificate, payNotifyUrl, refundNotifyUrl };
  for (const r of options.require ?? []) {
    if (present[r] !== undefined) continue;
    const vars = r === 'certificate' ? CERT_VARIABLES : [REQUIREMENT_VARIABLE[r]];
    if (problems.some((p) => vars.includes(p.variable))) continue; // set but malformed: already reported
    fail(
      REQUIREMENT_VARIABLE[r],
      r === 'certificate'
        ? 'this function needs the merchant API certificate: set WXPAY_CERT_PATH + WXPAY_KEY_PATH, WXPAY_P12_PATH, or WXPAY_CERT_FILE_ID + WXPAY_KEY_FILE_ID'
        : 'is required by this function but not set',
    );
  }

  if (problems.length > 0) {
    const [first, ...rest] = problems as [Problem, ...Problem[]];
    const more = rest.map((p) => `; ${p.variable}: ${p.problem}`).join('');
    throw new ConfigError(first.variable, first.problem + more);
  }

  const config = {
    appid: appid!,
    mchId: mchId!,
    signType,
    certificate,
    payNotifyUrl,
    refundNotifyUrl,
    baseUrl: baseUrl!,
    backupBaseUrl,
    caFile,
    timeoutMs,
    allowLocalGateway: allowLocal,
    orderExpireMinutes,
    orderMaxUnpaid,
    refundStuckHours,
    spbillCreateIp: ip!.address,
    spbillCreateIpSource: ip!.source,
    previousApiKeyUntil: previous?.until,
  } as ShouyinConfig;
  for (const k of Object.keys(config) as (keyof ShouyinConfig)[])
    if (config[k] === undefined) delete config[k];
  Object.defineProperty(config, 'apiKey', {
    value: apiKey,
    enumerable: false,
    writable: false,
    configurable: false,
  });
  if (previous)
    Object.defineProperty(config, 'previousApiKey', {
      value: previous.key,
      enumerable: false,
      writable: false,
      configurable: false,
    });
  return Object.freeze(config) as RequiredConfig<R>;
}

/** The longest a rotation window may stay open: two keys must not verify notifications for good. */
export const MAX_KEY_ROTATION_MS = 30 * 24 * 3600_000;

function previousKey(
  get: (name: string) => string | undefined,
  current: string | undefined,
  fail: (variable: string, problem: string) => undefined,
  now: number,
): { key: string; until: number } | undefined {
  const key = get('WXPAY_API_KEY_PREVIOUS');
  const untilRaw = get('WXPAY_API_KEY_PREVIOUS_UNTIL');
  if (key === undefined && untilRaw === undefined) return undefined;
  if (key === undefined)
    return fail('WXPAY_API_KEY_PREVIOUS', 'is required when WXPAY_API_KEY_PREVIOUS_UNTIL is set');
  if (!/^[0-9A-Za-z]{32}$/.test(key))
    return fail('WXPAY_API_KEY_PREVIOUS', 'must be exactly 32 letters/digits (the APIv2 key being replaced)');
  if (key === current) return fail('WXPAY_API_KEY_PREVIOUS', 'must differ from WXPAY_API_KEY');
  if (untilRaw === undefined)
    return fail(
      'WXPAY_API_KEY_PREVIOUS_UNTIL',
      'is required with WXPAY_API_KEY_PREVIOUS (when the rotation ends)',
    );
  const until = /T.*(Z|[+-]\d{2}:\d{2})$/.test(untilRaw) ? Date.parse(untilRaw) : Number.NaN;
  if (!Number.isFinite(until))
    return fail(
      'WXPAY_API_KEY_PREVIOUS_UNTIL',
      'must be an ISO 8601 time with an offset, e.g. 2026-12-08T00:00:00+08:00',
    );
  if (until - now > MAX_KEY_ROTATION_MS)
    return fail(
      'WXPAY_API_KEY_PREVIOUS_UNTIL',
      'must be at most 30 days ahead: a rotation window is temporary',
    );
  return { key, until };
}

/**
 * The keys a notification may be verified (or, for refunds, decrypted) with at `now`: the current key, and
 * during a rotation window the previous one. Requests are always signed with the current key only.
 */
export function notificationKeys(
  config: { apiKey: string; previousApiKey?: string; previousApiKeyUntil?: number },
  now: number,
): string[] {
  const { previousApiKey, previousApiKeyUntil } = config;
  return previousApiKey !== undefined && previousApiKeyUntil !== undefined && now < previousApiKeyUntil
    ? [config.apiKey, previousApiKey]
    : [config.apiKey];
}

const CERT_VARIABLES = [
  'WXPAY_CERT_PATH',
  'WXPAY_KEY_PATH',
  'WXPAY_P12_PATH',
  'WXPAY_CERT_FILE_ID',
  'WXPAY_KEY_FILE_ID',
];

function certificateSource(
  get: (n: string) => string | undefined,
  fail: (v: string, p: string) => undefined,
): CertificateSource | undefined {
  const certPath = get('WXPAY_CERT_PATH');
  const keyPath = get('WXPAY_KEY_PATH');
  const p12Path = get('WXPAY_P12_PATH');
  const certFileId = get('WXPAY_CERT_FILE_ID');
  const keyFileId = get('WXPAY_KEY_FILE_ID');
  const forms = [
    certPath !== undefined || keyPath !== undefined ? 'WXPAY_CERT_PATH/WXPAY_KEY_PATH' : undefined,
    p12Path !== undefined ? 'WXPAY_P12_PATH' : undefined,
    certFileId !== undefined || keyFileId !== undefined ? 'WXPAY_CERT_FILE_ID/WXPAY_KEY_FILE_ID' : undefined,
  ].filter((f): f is string => f !== undefined);
  if (forms.length > 1) {
    return fail(forms[0]!.split('/')[0]!, `set only one certificate form, not ${forms.join(' and ')}`);
  }
  if (certPath !== undefined || keyPath !== undefined) {
    if (certPath === undefined)
      return fail('WXPAY_CERT_PATH', 'is required with WXPAY_KEY_PATH (apiclient_cert.pem)');
    if (keyPath === undefined)
      return fail('WXPAY_KEY_PATH', 'is required with WXPAY_CERT_PATH (apiclient_key.pem)');
    return { kind: 'pem', certPath, keyPath };
  }
  if (p12Path !== undefined) return { kind: 'p12', p12Path };
  if (certFileId !== undefined || keyFileId !== undefined) {
    if (certFileId === undefined) return fail('WXPAY_CERT_FILE_ID', 'is required with WXPAY_KEY_FILE_ID');
    if (keyFileId === undefined) return fail('WXPAY_KEY_FILE_ID', 'is required with WXPAY_CERT_FILE_ID');
    let bad = false;
    for (const [n, v] of [
      ['WXPAY_CERT_FILE_ID', certFileId],
      ['WXPAY_KEY_FILE_ID', keyFileId],
    ] as const) {
      if (!/^cloud:\/\/[^/\s]+\/\S+$/.test(v)) {
        fail(n, 'must be a cloud storage file id (cloud://<env>.<bucket>/<path>)');
        bad = true;
      }
    }
    return bad ? undefined : { kind: 'cloud', certFileId, keyFileId };
  }
  return undefined;
}

function isLoopbackHost(host: string): boolean {
  return LOOPBACK_HOSTS.has(host) || host.endsWith('.localhost');
}

/** Why a notify URL is unacceptable, or undefined (spec §3.1: absolute https, reachable, no query). */
export function notifyUrlProblem(v: string, allowLocal: boolean): string | undefined {
  let u: URL;
  try {
    u = new URL(v);
  } catch {
    return 'must be an absolute URL';
  }
  if (v.includes('?') || v.includes('#'))
    return 'must not have a query string or fragment (WeChat drops it, spec §3.1)';
  if (u.username || u.password) return 'must not contain credentials';
  if (v.length > 256) return 'must be at most 256 characters';
  const loopback = isLoopbackHost(u.hostname);
  if (u.protocol === 'https:' && !loopback) return undefined;
  if (allowLocal && loopback && (u.protocol === 'http:' || u.protocol === 'https:')) return undefined;
  return allowLocal
    ? 'must be an https URL, or http(s)://127.0.0.1:PORT/… / http://localhost… for local use'
    : 'must be a public https URL (loopback/http only with SHOUYIN_ALLOW_LOCAL_GATEWAY=true)';
}

function isWeChatUrl(v: string): boolean {
  const u = new URL(v);
  return (
    u.protocol === 'https:' && WECHAT_HOSTS.includes(u.host) && (u.pathname === '/' || u.pathname === '')
  );
}

function gatewayUrl(
  name: string,
  v: string,
  allowLocal: boolean,
  fail: (v: string, p: string) => undefined,
): string | undefined {
  let u: URL;
  try {
    u = new URL(v);
  } catch {
    return fail(name, 'must be an absolute https URL');
  }
  if (u.protocol !== 'https:') return fail(name, 'must be an https URL');
  if (v.includes('?') || v.includes('#') || u.username || u.password)
    return fail(name, 'must not have a query, fragment or credentials');
  const normalised = v.replace(/\/+$/, '');
  if (isWeChatUrl(normalised)) return normalised;
  if (!allowLocal) {
    return fail(
      name,
      `must be https://${WECHAT_HOSTS.join(' or https://')} (anything else only with SHOUYIN_ALLOW_LOCAL_GATEWAY=true)`,
    );
  }
  return normalised;
}

function spbillCreateIp(
  raw: string | undefined,
  allowLocal: boolean,
  interfaces: () => NodeJS.Dict<os.NetworkInterfaceInfo[]>,
  fail: (v: string, p: string) => undefined,
): { address: string; source: ShouyinConfig['spbillCreateIpSource'] } | undefined {
  const unusable = (ip: string) =>
    /^(0\.0\.0\.0|::|127\.\d+\.\d+\.\d+|::1|::ffff:127\.\d+\.\d+\.\d+)$/i.test(ip);
  if (raw !== undefined) {
    if (isIP(raw) === 0 || raw.length > 64)
      return fail('WXPAY_SPBILL_CREATE_IP', 'must be an IPv4 or IPv6 address');
    if (unusable(raw) && !(allowLocal && raw !== '0.0.0.0' && raw !== '::')) {
      return fail(
        'WXPAY_SPBILL_CREATE_IP',
        'must be the address of the machine calling the API, not loopback/unspecified',
      );
    }
    return { address: raw, source: 'env' };
  }
  let all: os.NetworkInterfaceInfo[] = [];
  try {
    all = Object.values(interfaces()).flatMap((l) => l ?? []);
  } catch {
    // some sandboxes refuse to enumerate interfaces
  }
  const usable = all.filter((a) => !a.internal && !unusable(a.address) && !/^fe80:/i.test(a.address));
  const pick = usable.find((a) => a.family === 'IPv4') ?? usable[0];
  if (pick) return { address: pick.address, source: 'interface' };
  if (allowLocal) return { address: '127.0.0.1', source: 'loopback' };
  return fail(
    'WXPAY_SPBILL_CREATE_IP',
    'is not set and this machine has no non-loopback address: set it to the egress IP',
  );
}

// ---------------------------------------------------------------------------------------------------
// From config to client options

export type ReadFile = (path: string) => Buffer;
export type DownloadFile = (fileId: string) => Promise<Buffer>;

function readVar(readFile: ReadFile, variable: string, path: string): Buffer {
  try {
    const b = readFile(path);
    return Buffer.isBuffer(b) ? b : Buffer.from(b);
  } catch (err) {
    const code = (err as { code?: string }).code ?? 'unreadable';
    throw new ConfigError(variable, `cannot read the file it names (${code})`);
  }
}

function pemPair(cert: Buffer, key: Buffer, certVar: string, keyVar: string): ClientCertificate {
  if (!cert.includes('-----BEGIN CERTIFICATE-----'))
    throw new ConfigError(certVar, 'is not a PEM certificate (apiclient_cert.pem)');
  if (!/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(key.toString('latin1'))) {
    throw new ConfigError(keyVar, 'is not a PEM private key (apiclient_key.pem)');
  }
  return { kind: 'pem', cert, key };
}

/**
 * Loads the merchant certificate named by the config: files via `readFile`, cloud file ids via `download`
 * (e.g. `(id) => cloud.downloadFile({ fileID: id }).then((r) => r.fileContent)`). Call once per cold start.
 * Validates it with OpenSSL (a legacy .p12 fails here with a WxPayCertificateError naming the PEM option).
 */
export async function loadClientCertificate(
  config: ShouyinConfig,
  io: { readFile?: ReadFile; download?: DownloadFile; log?: Logger; now?: number } = {},
): Promise<ClientCertificate | undefined> {
  const src = config.certificate;
  if (!src) return undefined;
  // At cold start: the pair must be this merchant's (CN = mch_id) and unexpired; < 30 days left is logged.
  const checked = (c: ClientCertificate | undefined, variable: string) => {
    if (c) checkMerchantCertificate(c, config.mchId, io.log ?? createLogger(), { variable, now: io.now });
    return c;
  };
  if (src.kind !== 'cloud')
    return checked(
      fileCertificate(config, io.readFile ?? fs.readFileSync),
      src.kind === 'pem' ? 'WXPAY_CERT_PATH' : 'WXPAY_P12_PATH',
    );
  if (!io.download)
    throw new ConfigError('WXPAY_CERT_FILE_ID', 'cloud storage file ids need a download function');
  const fetch = async (variable: string, id: string) => {
    try {
      return await io.download!(id);
    } catch {
      throw new ConfigError(variable, 'the cloud storage file cannot be downloaded');
    }
  };
  const [cert, key] = await Promise.all([
    fetch('WXPAY_CERT_FILE_ID', src.certFileId),
    fetch('WXPAY_KEY_FILE_ID', src.keyFileId),
  ]);
  const c = pemPair(cert, key, 'WXPAY_CERT_FILE_ID', 'WXPAY_KEY_FILE_ID');
  checkCertificate(c);
  return checked(c, 'WXPAY_CERT_FILE_ID');
}

function fileCertificate(config: ShouyinConfig, readFile: ReadFile): ClientCertificate | undefined {
  const src = config.certificate;
  if (!src) return undefined;
  let c: ClientCertificate;
  if (src.kind === 'pem') {
    c = pemPair(
      readVar(readFile, 'WXPAY_CERT_PATH', src.certPath),
      readVar(readFile, 'WXPAY_KEY_PATH', src.keyPath),
      'WXPAY_CERT_PATH',
      'WXPAY_KEY_PATH',
    );
  } else if (src.kind === 'p12') {
    c = { kind: 'p12', pfx: readVar(readFile, 'WXPAY_P12_PATH', src.p12Path), passphrase: config.mchId };
  } else {
    // Cloud storage ids cannot be read synchronously. Functions that never call /secapi/ (createPayment,
    // reconcile) simply get a client without a certificate; one that refunds downloads it at cold start
    // with loadClientCertificate(config, { download }) and passes it as `extra.certificate`.
    return undefined;
  }
  checkCertificate(c);
  return c;
}

/**
 * WxPayClientOptions from a validated config: reads the certificate files (PEM pair or .p12 with password
 * = mch_id) and the CA file. A certificate in cloud storage is used only when passed as `extra.certificate`
 * (from loadClientCertificate); without it the client has no certificate, which is all createPayment and
 * reconcile need, and a refund then fails with a WxPayCertificateError saying none is configured.
 */
export function clientOptionsFromConfig(
  config: ShouyinConfig,
  readFile: ReadFile = fs.readFileSync,
  extra: { certificate?: ClientCertificate; maxRetries?: number; retryDelayMs?: number } = {},
): WxPayClientOptions {
  const o: WxPayClientOptions = {
    appid: config.appid,
    mchId: config.mchId,
    apiKey: config.apiKey,
    signType: config.signType,
    baseUrl: config.baseUrl,
    backupBaseUrl: config.backupBaseUrl,
    timeoutMs: config.timeoutMs,
  };
  const certificate = extra.certificate ?? fileCertificate(config, readFile);
  if (certificate) o.certificate = certificate;
  if (config.caFile !== undefined) {
    const ca = readVar(readFile, 'WXPAY_CA_FILE', config.caFile);
    if (!ca.includes('-----BEGIN CERTIFICATE-----'))
      throw new ConfigError('WXPAY_CA_FILE', 'is not a PEM certificate');
    o.ca = ca;
  }
  if (extra.maxRetries !== undefined) o.maxRetries = extra.maxRetries;
  if (extra.retryDelayMs !== undefined) o.retryDelayMs = extra.retryDelayMs;
  return o;
}

/** A loggable summary of the configuration: secrets redacted, nothing that could rebuild a signature. */
export function describeConfig(config: ShouyinConfig): Record<string, string | number | boolean | null> {
  const cert = config.certificate;
  return {
    appid: config.appid,
    mchId: config.mchId,
    apiKey: config.apiKey ? '[redacted]' : '[missing]',
    signType: config.signType,
    certificate: !cert
      ? 'none'
      : cert.kind === 'pem'
        ? `pem ${cert.certPath} + ${cert.keyPath}`
        : cert.kind === 'p12'
          ? `p12 ${cert.p12Path}`
          : `cloud ${cert.certFileId} + ${cert.keyFileId}`,
    payNotifyUrl: config.payNotifyUrl ?? null,
    refundNotifyUrl: config.refundNotifyUrl ?? null,
    baseUrl: config.baseUrl,
    backupBaseUrl: config.backupBaseUrl,
    caFile: config.caFile ?? null,
    timeoutMs: config.timeoutMs,
    allowLocalGateway: config.allowLocalGateway,
    orderExpireMinutes: config.orderExpireMinutes,
    orderMaxUnpaid: config.orderMaxUnpaid,
    refundStuckHours: config.refundStuckHours,
    spbillCreateIp: `${config.spbillCreateIp} (${config.spbillCreateIpSource})`,
  };
}
