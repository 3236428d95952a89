// Reads the project the way the deploy does: the built function folders (<functionsDir>/<name>/index.js,
// config.json), cloudbaserc.json (CloudBase notes §7.3: timeout, memorySize, envVariables, handler — they are
// not config.json fields, §1.4), the git-ignored cloudbaserc.local.json holding the secrets the cloud console
// would hold, cloudbase-routes.json (HTTP access paths, §5.1) and cloudbase-db.json (collections to provision).

import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

export interface TimerTrigger {
  name: string;
  type: 'timer';
  /** 7-field cron: sec min hour day month week year. */
  config: string;
}

export interface FunctionSpec {
  name: string;
  dir: string;
  handler: string;
  timeoutMs: number;
  memoryMb: number;
  /** Static environment: cloudbaserc envVariables, then the local file, then caller overrides. */
  env: Record<string, string>;
  triggers: TimerTrigger[];
  /** config.json permissions.openapi, when present. */
  openapiPermissions?: string[];
  /** The variables the local file (cloudbaserc.local.json) set for this function, with their values. */
  localEnv?: Record<string, string>;
}

export interface Route {
  path: string;
  function: string;
}

export interface Project {
  repoRoot: string;
  envId: string;
  functionsDir: string;
  functions: FunctionSpec[];
  routes: Route[];
  collections: string[];
  /** cloudbase-db.json `rules` as written (security rules: db/security-rules.ts parses them). */
  rules?: unknown;
  /** Problems that do not stop the emulator (a function folder without a built index.js, ...). */
  warnings: string[];
}

/** The local secrets file: variables for all functions and per function (cloudbaserc.local.json). */
export interface LocalEnvFile {
  envVariables?: Record<string, string>;
  functions?: Record<string, { envVariables?: Record<string, string> }>;
}

export interface LoadProjectOptions {
  repoRoot: string;
  functionsDir?: string;
  /** Load only these functions. */
  only?: string[];
  localEnvFile?: string;
}

/** Default CloudBase function timeout (spec §1.5) and memory (MGR default). */
export const DEFAULT_TIMEOUT_S = 3;
export const DEFAULT_MEMORY_MB = 256;
export const DEFAULT_ENV_ID = 'shouyin-local';

interface RcFunction {
  name?: unknown;
  handler?: unknown;
  timeout?: unknown;
  memorySize?: unknown;
  envVariables?: unknown;
  triggers?: unknown;
}

function readJson(file: string): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new Error(`cannot read ${file}: ${(e as Error).message}`);
  }
}

const readOptional = (file: string): unknown => (existsSync(file) ? readJson(file) : undefined);

const isObject = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v);

function stringMap(v: unknown, where: string): Record<string, string> {
  if (v === undefined) return {};
  if (!isObject(v)) throw new Error(`${where} must be an object of strings`);
  const out: Record<string, string> = {};
  for (const [k, x] of Object.entries(v)) {
    if (x === undefined || x === null) continue;
    out[k] = typeof x === 'string' ? x : String(x);
  }
  return out;
}

function triggersOf(v: unknown, where: string): TimerTrigger[] {
  if (v === undefined) return [];
  if (!Array.isArray(v)) throw new Error(`${where}: triggers must be an array`);
  return v.map((t, i) => {
    if (!isObject(t) || typeof t.name !== 'string' || typeof t.config !== 'string') {
      throw new Error(`${where}: triggers[${i}] needs a name and a config`);
    }
    if (t.type !== 'timer')
      throw new Error(`${where}: trigger ${t.name} has type ${String(t.type)}; only "timer" exists`);
    if (!/^[A-Za-z][A-Za-z0-9_-]{0,59}$/.test(t.name))
      throw new Error(`${where}: invalid trigger name ${t.name}`);
    return { name: t.name, type: 'timer', config: t.config };
  });
}

export function loadProject(opts: LoadProjectOptions): Project {
  const repoRoot = path.resolve(opts.repoRoot);
  const warnings: string[] = [];
  const rc = readOptional(path.join(repoRoot, 'cloudbaserc.json'));
  if (rc !== undefined && !isObject(rc)) throw new Error('cloudbaserc.json must be an object');
  const envId = typeof rc?.envId === 'string' && rc.envId ? rc.envId : DEFAULT_ENV_ID;
  const functionsDir = path.resolve(
    repoRoot,
    opts.functionsDir ?? (typeof rc?.functionRoot === 'string' ? rc.functionRoot : 'cloudfunctions'),
  );
  const rcFunctions = new Map<string, RcFunction>();
  if (rc?.functions !== undefined) {
    if (!Array.isArray(rc.functions)) throw new Error('cloudbaserc.json: functions must be an array');
    for (const f of rc.functions as RcFunction[]) if (typeof f?.name === 'string') rcFunctions.set(f.name, f);
  }

  const localFile = opts.localEnvFile ?? path.join(repoRoot, 'cloudbaserc.local.json');
  const local = (readOptional(localFile) ?? {}) as LocalEnvFile;
  const localAll = stringMap(local.envVariables, `${localFile}: envVariables`);

  const names = existsSync(functionsDir)
    ? readdirSync(functionsDir).filter((n) => statSync(path.join(functionsDir, n)).isDirectory())
    : [];
  const functions: FunctionSpec[] = [];
  for (const name of names.sort()) {
    if (opts.only && !opts.only.includes(name)) continue;
    const dir = path.join(functionsDir, name);
    const rcf = rcFunctions.get(name) ?? {};
    const handler = typeof rcf.handler === 'string' ? rcf.handler : 'index.main';
    const entry = path.join(dir, `${handler.slice(0, handler.lastIndexOf('.')) || 'index'}.js`);
    if (!existsSync(entry)) {
      warnings.push(`${name}: no ${path.basename(entry)} (not built?), skipped`);
      continue;
    }
    const config = (readOptional(path.join(dir, 'config.json')) ?? {}) as Record<string, unknown>;
    const where = `${name}/config.json`;
    let triggers = triggersOf(config.triggers, where);
    if (triggers.length === 0) triggers = triggersOf(rcf.triggers, `cloudbaserc.json ${name}`);
    if (triggers.length > 1)
      warnings.push(`${name}: CloudBase supports one trigger per function; ${triggers.length} declared`);
    const perms = isObject(config.permissions) ? config.permissions.openapi : undefined;
    const localEnv = {
      ...localAll,
      ...stringMap(local.functions?.[name]?.envVariables, `${localFile}: functions.${name}.envVariables`),
    };
    const timeout = typeof rcf.timeout === 'number' ? rcf.timeout : DEFAULT_TIMEOUT_S;
    functions.push({
      name,
      dir,
      handler,
      timeoutMs: Math.round(timeout * 1000),
      memoryMb: typeof rcf.memorySize === 'number' ? rcf.memorySize : DEFAULT_MEMORY_MB,
      env: {
        ...stringMap(rcf.envVariables, `cloudbaserc.json ${name}.envVariables`),
        ...localAll,
        ...stringMap(local.functions?.[name]?.envVariables, `${localFile}: functions.${name}.envVariables`),
      },
      triggers,
      ...(Object.keys(localEnv).length > 0 ? { localEnv } : {}),
      ...(Array.isArray(perms)
        ? { openapiPermissions: perms.filter((p): p is string => typeof p === 'string') }
        : {}),
    });
  }
  for (const wanted of opts.only ?? []) {
    if (!functions.some((f) => f.name === wanted))
      warnings.push(`${wanted}: requested but not found in ${functionsDir}`);
  }

  const routesFile = readOptional(path.join(repoRoot, 'cloudbase-routes.json')) as
    | { routes?: unknown }
    | undefined;
  const routes: Route[] = [];
  for (const r of Array.isArray(routesFile?.routes) ? routesFile.routes : []) {
    if (!isObject(r) || typeof r.path !== 'string' || typeof r.function !== 'string') {
      throw new Error('cloudbase-routes.json: each route needs a path and a function');
    }
    routes.push({ path: r.path.startsWith('/') ? r.path : `/${r.path}`, function: r.function });
  }

  const dbFile = readOptional(path.join(repoRoot, 'cloudbase-db.json')) as
    | { collections?: unknown; rules?: unknown }
    | undefined;
  const collections = Array.isArray(dbFile?.collections)
    ? dbFile.collections.filter((c): c is string => typeof c === 'string')
    : [];

  return { repoRoot, envId, functionsDir, functions, routes, collections, rules: dbFile?.rules, warnings };
}
