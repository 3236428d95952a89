// The deployable project as the deploy tooling sees it: every function folder (discovered from
// cloudfunctions/<name>/src/index.ts, never listed), its cloudbaserc.json entry (runtime, timeout, memory,
// committed non-secret variables), its config.json (openapi permissions, timer), the HTTP routes of
// cloudbase-routes.json and the collections, indexes and security rules of cloudbase-db.json.

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

export interface TimerTrigger {
  name: string;
  type: 'timer';
  config: string;
}

export interface IndexSpec {
  name: string;
  keys: [string, 1 | -1][];
  unique?: boolean;
}

export interface FunctionEntry {
  name: string;
  dir: string;
  built: boolean;
  runtime: string | undefined;
  timeout: number | undefined;
  memorySize: number | undefined;
  handler: string;
  /** Non-secret variables committed in cloudbaserc.json. */
  envVariables: Record<string, string>;
  openapi: string[] | undefined;
  triggers: TimerTrigger[];
  dependencies: Record<string, string>;
}

export interface DeployProject {
  root: string;
  functions: FunctionEntry[];
  routes: { path: string; function: string }[];
  collections: string[];
  indexes: Record<string, IndexSpec[]>;
  /** Security rules by collection (CloudBase rule JSON); collections without one default to server-only. */
  rules: Record<string, unknown>;
}

/** The rule that denies every client read and write: only functions (admin rights) touch the collection. */
export const SERVER_ONLY_RULE = { read: false, write: false } as const;

const isObject = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v);

function readJson(file: string): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new Error(`cannot read ${path.basename(file)}: ${(e as Error).message}`);
  }
}

const optional = (file: string): unknown => (existsSync(file) ? readJson(file) : undefined);

/** Function folder names: every cloudfunctions/<name> with a src/index.ts. */
export function functionNames(functionsDir: string): string[] {
  if (!existsSync(functionsDir)) return [];
  return readdirSync(functionsDir)
    .filter((n) => existsSync(path.join(functionsDir, n, 'src/index.ts')))
    .sort();
}

function triggersOf(v: unknown): TimerTrigger[] {
  if (!Array.isArray(v)) return [];
  return v.filter(isObject).map((t) => ({
    name: String(t.name),
    type: 'timer',
    config: String(t.config),
  }));
}

function stringMap(v: unknown): Record<string, string> {
  if (!isObject(v)) return {};
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, String(x)]));
}

function indexesOf(v: unknown): Record<string, IndexSpec[]> {
  if (!isObject(v)) return {};
  const out: Record<string, IndexSpec[]> = {};
  for (const [collection, list] of Object.entries(v)) {
    if (!Array.isArray(list)) throw new Error(`cloudbase-db.json: indexes.${collection} must be an array`);
    out[collection] = list.map((ix, i) => {
      const where = `cloudbase-db.json: indexes.${collection}[${i}]`;
      if (!isObject(ix) || typeof ix.name !== 'string' || !Array.isArray(ix.keys) || ix.keys.length === 0)
        throw new Error(`${where} needs a name and keys`);
      const keys = ix.keys.map((k) => {
        if (!Array.isArray(k) || typeof k[0] !== 'string' || (k[1] !== 1 && k[1] !== -1))
          throw new Error(`${where}: each key is [field, 1 | -1]`);
        return [k[0], k[1]] as [string, 1 | -1];
      });
      return { name: ix.name, keys, ...(ix.unique === true ? { unique: true } : {}) };
    });
  }
  return out;
}

export function loadDeployProject(root: string): DeployProject {
  const rc = optional(path.join(root, 'cloudbaserc.json'));
  const rcFns = new Map<string, Record<string, unknown>>();
  if (isObject(rc) && Array.isArray(rc.functions))
    for (const f of rc.functions) if (isObject(f) && typeof f.name === 'string') rcFns.set(f.name, f);
  const functionsDir = path.join(
    root,
    isObject(rc) && typeof rc.functionRoot === 'string' ? rc.functionRoot : 'cloudfunctions',
  );
  const functions = functionNames(functionsDir).map((name): FunctionEntry => {
    const dir = path.join(functionsDir, name);
    const rcf = rcFns.get(name) ?? {};
    const cfg = optional(path.join(dir, 'config.json'));
    const pkg = optional(path.join(dir, 'package.json'));
    const perms = isObject(cfg) && isObject(cfg.permissions) ? cfg.permissions.openapi : undefined;
    const triggers = triggersOf(isObject(cfg) ? cfg.triggers : undefined);
    return {
      name,
      dir,
      built: existsSync(path.join(dir, 'index.js')),
      runtime: typeof rcf.runtime === 'string' ? rcf.runtime : undefined,
      timeout: typeof rcf.timeout === 'number' ? rcf.timeout : undefined,
      memorySize: typeof rcf.memorySize === 'number' ? rcf.memorySize : undefined,
      handler: typeof rcf.handler === 'string' ? rcf.handler : 'index.main',
      envVariables: stringMap(rcf.envVariables),
      openapi: Array.isArray(perms) ? perms.map(String) : undefined,
      triggers: triggers.length > 0 ? triggers : triggersOf(rcf.triggers),
      dependencies: stringMap(isObject(pkg) ? pkg.dependencies : undefined),
    };
  });
  const routesFile = optional(path.join(root, 'cloudbase-routes.json'));
  const routes =
    isObject(routesFile) && Array.isArray(routesFile.routes)
      ? routesFile.routes
          .filter(isObject)
          .map((r) => ({ path: String(r.path), function: String(r.function) }))
      : [];
  const db = optional(path.join(root, 'cloudbase-db.json'));
  const collections =
    isObject(db) && Array.isArray(db.collections)
      ? db.collections.filter((c): c is string => typeof c === 'string')
      : [];
  return {
    root,
    functions,
    routes,
    collections,
    indexes: indexesOf(isObject(db) ? db.indexes : undefined),
    rules: isObject(db) && isObject(db.rules) ? db.rules : {},
  };
}

/** The security rule a collection gets: the one in cloudbase-db.json, else server-only. */
export function ruleFor(project: DeployProject, collection: string): unknown {
  return project.rules[collection] ?? SERVER_ONLY_RULE;
}
