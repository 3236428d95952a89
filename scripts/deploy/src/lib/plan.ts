// The deploy plan: everything `npm run deploy` will create or update, computed without credentials or network,
// and refused as a whole (nothing uploaded) when a function's configuration is a sandbox setting or invalid.

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ConfigError, loadConfig } from '@shouyin/shared';
import {
  configRequirements,
  envBytes,
  functionVariables,
  LOCAL_CERT_VARIABLES,
  MAX_ENV_BYTES,
  usesMerchantConfig,
} from './function-env';
import { openapiCalls, permissionProblems } from './openapi-scan';
import { type DeployProject, type IndexSpec, ruleFor, type TimerTrigger } from './project';
import { triggerProblems } from './triggers';

/** The runtime every function is created with (fixed at creation; the bundles target node20). */
export const RUNTIME = 'Nodejs20.19';
export const DEFAULT_TIMEOUT_S = 10;
export const MAX_INDEXES = 20;

export interface PlannedFunction {
  name: string;
  runtime: string;
  handler: string;
  timeout: number;
  memorySize: number;
  /** Values are secrets: print names only. */
  envVariables: Record<string, string>;
  envBytes: number;
  openapi: string[];
  triggers: TimerTrigger[];
}

export interface DeployPlan {
  envId: string;
  functions: PlannedFunction[];
  routes: { path: string; function: string }[];
  collections: { name: string; rule: unknown; indexes: IndexSpec[] }[];
  notifyUrls: { payNotify?: string; refundNotify?: string };
  warnings: string[];
}

export class PlanRefused extends Error {
  constructor(readonly problems: string[]) {
    super(`deploy refused (nothing was uploaded):\n  ${problems.join('\n  ')}`);
  }
}

/** The default HTTP access domain of an environment (CloudBase notes §5.1). */
export const defaultDomain = (envId: string): string => `https://${envId}.service.tcloudbase.com`;

export function makePlan(
  project: DeployProject,
  envId: string | undefined,
  dotenv: Readonly<Record<string, string>>,
): DeployPlan {
  const problems: string[] = [];
  const warnings: string[] = [];
  if (!envId || !/^[a-z0-9][a-z0-9-]{3,60}$/.test(envId) || envId === 'your-env-id')
    problems.push('TCB_ENV_ID: set it (in .env or the environment) to your CloudBase environment id');
  if (dotenv.SHOUYIN_ALLOW_LOCAL_GATEWAY !== undefined && dotenv.SHOUYIN_ALLOW_LOCAL_GATEWAY !== 'false')
    problems.push('SHOUYIN_ALLOW_LOCAL_GATEWAY: a sandbox setting; remove it from .env before deploying');
  const localCert = LOCAL_CERT_VARIABLES.filter((v) => dotenv[v]);
  if (localCert.length > 0 && !(dotenv.WXPAY_CERT_FILE_ID && dotenv.WXPAY_KEY_FILE_ID))
    problems.push(
      `${localCert.join(', ')}: a path on this machine does not exist in the cloud — upload the PEM pair to ` +
        'cloud storage (docs/deploy.md "The merchant certificate") and set WXPAY_CERT_FILE_ID + WXPAY_KEY_FILE_ID',
    );

  const domain = defaultDomain(envId ?? 'your-env-id');
  const routeUrl = (fn: string) => {
    const r = project.routes.find((x) => x.function === fn);
    return r ? `${domain}${r.path}` : undefined;
  };
  const vars: Record<string, string> = { ...dotenv };
  const payNotify = vars.WXPAY_PAY_NOTIFY_URL ?? routeUrl('payNotify');
  const refundNotify = vars.WXPAY_REFUND_NOTIFY_URL ?? routeUrl('refundNotify');
  for (const [name, url] of [
    ['WXPAY_PAY_NOTIFY_URL', payNotify],
    ['WXPAY_REFUND_NOTIFY_URL', refundNotify],
  ] as const) {
    // The issue's rule, stricter than the spec's (https, no query): WeChat is only promised port 443.
    if (url && URL.canParse(url) && new URL(url).port !== '')
      problems.push(`${name}: must not name a port (WeChat calls https on 443 only)`);
  }
  if (payNotify) vars.WXPAY_PAY_NOTIFY_URL = payNotify;
  if (refundNotify) vars.WXPAY_REFUND_NOTIFY_URL = refundNotify;

  const names = new Set(project.functions.map((f) => f.name));
  const functions: PlannedFunction[] = [];
  for (const fn of project.functions) {
    if (!fn.built) {
      problems.push(`${fn.name}: not built (npm run build)`);
      continue;
    }
    const code = readFileSync(path.join(fn.dir, 'index.js'), 'utf8');
    if (fn.runtime !== undefined && fn.runtime !== RUNTIME)
      problems.push(`${fn.name}: cloudbaserc.json runtime ${fn.runtime}; the bundles target ${RUNTIME}`);
    const committed = { ...fn.envVariables };
    // cloudbaserc.json's notify URL is a placeholder for the emulator; the plan's URL wins.
    if (payNotify && 'WXPAY_PAY_NOTIFY_URL' in committed) committed.WXPAY_PAY_NOTIFY_URL = payNotify;
    const env = functionVariables(code, committed, vars);
    const bytes = envBytes(env);
    if (bytes > MAX_ENV_BYTES)
      problems.push(
        `${fn.name}: its variables total ${bytes} bytes, over CloudBase's 4 KB (${MAX_ENV_BYTES}) limit`,
      );
    try {
      // Only functions that load the merchant configuration at cold start are checked against it
      // (orderAlert, fulfilOrder and whoami validate their own, narrower settings).
      if (usesMerchantConfig(code))
        loadConfig(env, {
          require: configRequirements(code) as ('certificate' | 'payNotifyUrl' | 'refundNotifyUrl')[],
          networkInterfaces: () => ({ eth0: [] }),
        });
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e;
      // spbill_create_ip is found at run time in the cloud (its own interface); only refuse the rest.
      const msg = e.message
        .split('; ')
        .filter((p) => !p.includes('WXPAY_SPBILL_CREATE_IP') && !p.includes('no non-loopback address'));
      if (msg.length > 0) problems.push(`${fn.name}: ${msg.join('; ')}`);
    }
    const calls = openapiCalls(code);
    problems.push(
      ...permissionProblems(fn.name, calls, fn.openapi),
      ...triggerProblems(fn.name, fn.triggers),
    );
    if (fn.timeout === undefined)
      warnings.push(`${fn.name}: no timeout in cloudbaserc.json; deploying with ${DEFAULT_TIMEOUT_S} s`);
    functions.push({
      name: fn.name,
      runtime: RUNTIME,
      handler: fn.handler,
      timeout: fn.timeout ?? DEFAULT_TIMEOUT_S,
      memorySize: fn.memorySize ?? 256,
      envVariables: env,
      envBytes: bytes,
      openapi: calls,
      triggers: fn.triggers,
    });
  }
  const routes = project.routes.filter((r) => {
    if (names.has(r.function)) return true;
    warnings.push(`route ${r.path} → ${r.function}: no such function folder yet; skipped`);
    return false;
  });
  for (const [name, url] of [
    ['WXPAY_PAY_NOTIFY_URL', payNotify],
    ['WXPAY_REFUND_NOTIFY_URL', refundNotify],
  ] as const) {
    if (url && !project.routes.some((r) => url.endsWith(r.path)))
      warnings.push(`${name} does not end with a route path of cloudbase-routes.json`);
  }
  for (const [c, list] of Object.entries(project.indexes)) {
    if (!project.collections.includes(c))
      problems.push(`cloudbase-db.json: indexes for unknown collection ${c}`);
    // Basic plan: 20 indexes per collection (CloudBase notes §4.2; an older copy says 10), _id's included.
    if (list.length > MAX_INDEXES - 1)
      problems.push(
        `cloudbase-db.json: ${c} has ${list.length} indexes; CloudBase allows ${MAX_INDEXES} with _id's`,
      );
    const names = list.map((ix) => ix.name);
    if (new Set(names).size !== names.length) problems.push(`cloudbase-db.json: ${c} repeats an index name`);
  }
  for (const c of Object.keys(project.rules))
    if (!project.collections.includes(c))
      problems.push(`cloudbase-db.json: rules for unknown collection ${c}`);
  if (problems.length > 0) throw new PlanRefused(problems);
  return {
    envId: envId!,
    functions,
    routes,
    collections: project.collections.map((name) => ({
      name,
      rule: ruleFor(project, name),
      indexes: project.indexes[name] ?? [],
    })),
    notifyUrls: {
      ...(payNotify && names.has('payNotify') ? { payNotify } : {}),
      ...(refundNotify && names.has('refundNotify') ? { refundNotify } : {}),
    },
    warnings,
  };
}

/** The plan in plain words; variable values are never printed (names and sizes only). */
export function formatPlan(plan: DeployPlan): string {
  const l: string[] = [`Deploy plan for CloudBase environment ${plan.envId}`, '', 'Functions:'];
  for (const f of plan.functions) {
    l.push(
      `  ${f.name}: runtime ${f.runtime}, handler ${f.handler}, timeout ${f.timeout} s, memory ${f.memorySize} MB`,
      `    variables (${f.envBytes}/4096 bytes): ${Object.keys(f.envVariables).sort().join(', ') || 'none'}`,
      `    openapi permissions: ${f.openapi.join(', ') || 'none'}`,
    );
    for (const t of f.triggers) l.push(`    timer trigger ${t.name}: ${t.config}`);
  }
  l.push('', 'HTTP access routes:');
  for (const r of plan.routes) l.push(`  ${r.path} → ${r.function}`);
  l.push('', 'Collections (security rule; indexes):');
  for (const c of plan.collections) {
    l.push(`  ${c.name}: rule ${JSON.stringify(c.rule)}`);
    for (const ix of c.indexes)
      l.push(
        `    index ${ix.name}: ${ix.keys.map(([k, d]) => `${k} ${d === 1 ? 'asc' : 'desc'}`).join(', ')}${ix.unique ? ' (unique)' : ''}`,
      );
  }
  l.push('', 'Notify URLs (https, no port, no query):');
  if (plan.notifyUrls.payNotify)
    l.push(`  payment: ${plan.notifyUrls.payNotify} (sent with every unifiedorder as notify_url)`);
  if (plan.notifyUrls.refundNotify)
    l.push(
      `  refund:  ${plan.notifyUrls.refundNotify} (paste into 商户平台 → 交易中心 → 退款管理 → 退款配置; refund requests also send it)`,
    );
  if (plan.warnings.length > 0) l.push('', 'Warnings:', ...plan.warnings.map((w) => `  ${w}`));
  return l.join('\n');
}
