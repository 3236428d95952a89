// cloud.getWXContext(), by wx-server-sdk's own algorithm (CloudBase notes §3.2, WSS getWXContext.ts):
// identity comes from the per-invocation process.env the runtime writes before each call, never from event.

export interface WXContext {
  OPENID?: string;
  APPID?: string;
  UNIONID?: string;
  CLIENTIP?: string;
  CLIENTIPV6?: string;
  ENV?: string;
  SOURCE?: string;
  [key: string]: string | number | undefined;
}

const BLACKLIST = new Set(['API_TOKEN', 'TRIGGER_API_TOKEN_V0']);

export function getWXContext(env: NodeJS.ProcessEnv = process.env): WXContext {
  const keys = env.WX_CONTEXT_KEYS;
  // 1. No WX_CONTEXT_KEYS → {} (not even ENV).
  if (!keys) return {};
  const ctx: WXContext = {};
  // 2. Each listed key: skip empty and blacklisted names, skip unset variables, integers become numbers,
  //    a leading WX_ is stripped.
  for (const key of keys.split(',')) {
    if (!key) continue;
    const name = key.startsWith('WX_') ? key.slice(3) : key;
    if (BLACKLIST.has(name)) continue;
    const value = env[key];
    if (value === undefined) continue;
    ctx[name] = /^-?\d+$/.test(value) ? Number.parseInt(value, 10) : value;
  }
  // 3. ENV from TCB_ENV or SCF_NAMESPACE, SOURCE from TCB_SOURCE when present.
  ctx.ENV = env.TCB_ENV || env.SCF_NAMESPACE;
  if (env.TCB_SOURCE) ctx.SOURCE = env.TCB_SOURCE;
  return ctx;
}
