// The per-invocation environment and context of each invocation source (CloudBase notes §2.1, §2.2, §3.2,
// §8 items 3-5). The instance writes these variables into process.env before the call and removes them after;
// wx-server-sdk's getWXContext() then computes identity from them.
//
// Unconfirmed (spec §10 item 2): which keys HTTP-access and timer invocations receive. The emulator makes it a
// switch, ContextKeysMode:
//   'empty'      — no WX_CONTEXT_KEYS at all: getWXContext() returns {} (the SDK's rule), the likely case;
//   'env-source' — WX_CONTEXT_KEYS present but naming no identity: getWXContext() gives only ENV and SOURCE.
// Product code must work under both.

import type { ContextData } from '../../wire/messages';

export type ContextKeysMode = 'empty' | 'env-source';
export type InvocationSource = 'callFunction' | 'http' | 'timer' | 'function';

/** The simulated mini-program user of a callFunction invocation. */
export interface Identity {
  openid?: string;
  appid?: string;
  unionid?: string;
  clientIp?: string;
}

/** SOURCE values (D-WXCTX). The HTTP access service's own value is unconfirmed; wx_http is the documented
 * value for HTTP-API invocations and is used for it. */
export const SOURCE_VALUES: Record<Exclude<InvocationSource, 'function'>, string> = {
  callFunction: 'wx_client',
  http: 'wx_http',
  timer: 'wx_trigger',
};

const IDENTITY_KEYS = [
  ['WX_OPENID', 'openid'],
  ['WX_APPID', 'appid'],
  ['WX_UNIONID', 'unionid'],
  ['WX_CLIENTIP', 'clientIp'],
] as const;

/** Names of every per-invocation variable the emulator may set. */
export const PER_INVOCATION_KEYS = [
  'WX_CONTEXT_KEYS',
  ...IDENTITY_KEYS.map(([k]) => k),
  'TCB_ENV',
  'SCF_NAMESPACE',
  'TCB_SOURCE',
  'TRIGGER_SRC',
] as const;

export function identityEnv(identity: Identity | undefined): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, field] of IDENTITY_KEYS) {
    const v = identity?.[field];
    if (v) env[key] = v;
  }
  if (Object.keys(env).length > 0) env.WX_CONTEXT_KEYS = Object.keys(env).join(',');
  return env;
}

export interface EnvRequest {
  source: InvocationSource;
  envId: string;
  mode: ContextKeysMode;
  identity?: Identity;
  /** For source 'function': the calling invocation's per-invocation environment. */
  callerEnv?: Record<string, string>;
  /** For source 'function': whether the caller's WX identity carries over (unconfirmed, spec §2.2). */
  propagateIdentity?: boolean;
}

export function invocationEnv(req: EnvRequest): Record<string, string> {
  const base = { TCB_ENV: req.envId, SCF_NAMESPACE: req.envId };
  switch (req.source) {
    case 'callFunction':
      return { ...identityEnv(req.identity), ...base, TCB_SOURCE: SOURCE_VALUES.callFunction };
    case 'http':
    case 'timer': {
      const env: Record<string, string> = { ...base, TCB_SOURCE: SOURCE_VALUES[req.source] };
      if (req.source === 'timer') env.TRIGGER_SRC = 'timer';
      // A non-empty list whose entries are all empty: the SDK skips empty keys, so only ENV and SOURCE remain.
      if (req.mode === 'env-source') env.WX_CONTEXT_KEYS = ',';
      return env;
    }
    case 'function': {
      const caller = req.callerEnv ?? {};
      const env: Record<string, string> = { ...base };
      if (req.propagateIdentity !== false) {
        for (const [key] of IDENTITY_KEYS) if (caller[key]) env[key] = caller[key];
        if (caller.WX_CONTEXT_KEYS) env.WX_CONTEXT_KEYS = caller.WX_CONTEXT_KEYS;
      } else if (caller.WX_CONTEXT_KEYS) {
        env.WX_CONTEXT_KEYS = ',';
      }
      // The SOURCE chain records the hop (e.g. wx_client,scf; D-WXCTX).
      env.TCB_SOURCE = caller.TCB_SOURCE ? `${caller.TCB_SOURCE},scf` : 'scf';
      return env;
    }
  }
}

export interface ContextRequest {
  requestId: string;
  functionName: string;
  envId: string;
  memoryMb: number;
  timeoutMs: number;
  env: Record<string, string>;
}

export function contextData(req: ContextRequest): ContextData {
  return {
    request_id: req.requestId,
    function_name: req.functionName,
    function_version: '$LATEST',
    namespace: req.envId,
    memory_limit_in_mb: req.memoryMb,
    time_limit_in_ms: req.timeoutMs,
    environ: Object.entries(req.env)
      .map(([k, v]) => `${k}=${v}`)
      .join(';'),
    environment: JSON.stringify(req.env),
    tencentcloud_region: 'ap-shanghai',
    tencentcloud_appid: '1250000000',
    tencentcloud_uin: '100000000001',
  };
}

/** The callFunction event: the caller's data plus userInfo {appId, openId} (older docs, spec §2.2). The
 * platform's value replaces any userInfo the client put in data (unconfirmed; never trust event identity). */
export function callFunctionEvent(data: unknown, identity: Identity | undefined): Record<string, unknown> {
  const base =
    data !== null && typeof data === 'object' && !Array.isArray(data)
      ? (data as Record<string, unknown>)
      : {};
  const userInfo: Record<string, string> = {};
  if (identity?.appid) userInfo.appId = identity.appid;
  if (identity?.openid) userInfo.openId = identity.openid;
  return { ...base, userInfo };
}

/** The timer event (SCF shape, spec §1.4). Time is ISO-8601 UTC without milliseconds. */
export function timerEvent(triggerName: string, at: Date): Record<string, string> {
  return {
    Type: 'Timer',
    TriggerName: triggerName,
    Time: at.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    Message: '',
  };
}
