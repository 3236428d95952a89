// cloud.openapi (云调用): a Proxy turning cloud.openapi.subscribeMessage.send(data) into one request for the API
// 'subscribeMessage.send' (CloudBase notes §3.5). Request keys are converted camelCase → snake_case
// recursively unless convertCase is false; answers snake_case → camelCase; WeChat errcodes are thrown as
// CloudSDKError { errCode, errMsg: "openapi.<api>:fail <errmsg>" }.

import { type Bridge, isRpcFailure } from './bridge';
import { CloudSDKError } from './errors';

export interface OpenapiOptions {
  appid?: string;
  convertCase?: boolean;
  version?: string;
}

const toSnake = (k: string): string => k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
const toCamel = (k: string): string => k.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());

function convertKeys(v: unknown, f: (k: string) => string): unknown {
  if (Array.isArray(v)) return v.map((x) => convertKeys(x, f));
  if (v === null || typeof v !== 'object' || v instanceof Date) return v;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) out[f(k)] = convertKeys(x, f);
  return out;
}

async function invoke(
  getBridge: () => Bridge,
  api: string,
  data: unknown,
  options: OpenapiOptions,
): Promise<OpenapiAnswer> {
  const bridge = getBridge();
  const convert = options.convertCase !== false;
  // config.json permissions.openapi, when present, lists what the function may call (spec §1.4).
  if (bridge.openapiPermissions && !bridge.openapiPermissions.includes(api)) {
    throw new CloudSDKError(-604101, `openapi.${api}:fail function has no permission to call this API`);
  }
  const payload = (convert ? convertKeys(data ?? {}, toSnake) : (data ?? {})) as Record<string, unknown>;
  let answer: unknown;
  try {
    answer = await bridge.call({ op: 'openapi.call', api, data: payload });
  } catch (e) {
    if (isRpcFailure(e) && e.errCode !== undefined)
      throw new CloudSDKError(e.errCode, `openapi.${api}:fail ${e.message}`);
    throw new CloudSDKError(-1, `openapi.${api}:fail ${(e as Error).message}`);
  }
  const body = (convert ? convertKeys(answer, toCamel) : answer) as Record<string, unknown>;
  const { errcode: _c, errmsg: _m, ...rest } = body;
  return { ...rest, errMsg: `openapi.${api}:ok`, errCode: 0 };
}

/** subscribeMessage.send as functions call it (camelCase; spec §3.6). */
export interface SubscribeMessageSendData {
  touser: string;
  templateId: string;
  page?: string;
  data: Record<string, { value: string }>;
  miniprogramState?: 'developer' | 'trial' | 'formal';
  lang?: 'zh_CN' | 'en_US' | 'zh_HK' | 'zh_TW';
}

export type OpenapiAnswer = Record<string, unknown> & { errMsg: string; errCode: number };

/** cloud.openapi: subscribeMessage is emulated; other namespaces answer -604100 (API not found). */
export interface Openapi {
  (options: OpenapiOptions): Openapi;
  subscribeMessage: { send(data: SubscribeMessageSendData): Promise<OpenapiAnswer> };
  [namespace: string]: unknown;
}

export function createOpenapi(getBridge: () => Bridge, options: OpenapiOptions = {}): Openapi {
  const node = (path: string[]): unknown =>
    new Proxy(() => undefined, {
      get(_target, prop) {
        if (typeof prop === 'symbol' || prop === 'then') return undefined;
        return node([...path, prop]);
      },
      apply(_target, _this, args: unknown[]) {
        if (path.length === 0)
          return createOpenapi(getBridge, { ...options, ...(args[0] as OpenapiOptions) });
        return invoke(getBridge, path.join('.'), args[0], options);
      },
    });
  return node([]) as Openapi;
}
