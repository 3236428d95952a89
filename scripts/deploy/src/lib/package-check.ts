// package:check — proves each built function folder works on its own, the way the cloud runs it:
//  1. the folder (index.js, index.js.map, package.json, config.json) is copied alone to a temporary directory;
//  2. its declared dependencies are installed from the npm registry — once per distinct dependency set, kept in
//     a cache directory (node_modules/.cache/shouyin-package-check/<hash>) and linked into each copy;
//  3. a fresh `node` in that directory, with a valid (fake) configuration and a temporary HOME, runs
//     `require('./index.js')` and checks that `main` is a function — a missing module or a cold-start
//     configuration error fails here, not in the cloud;
//  4. the cloud-call APIs the bundle calls equal its config.json permissions, and its timer is well-formed.

import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openapiCalls, permissionProblems } from './openapi-scan';
import type { FunctionEntry } from './project';
import { triggerProblems } from './triggers';

/** A configuration every function accepts at cold start (fake values: nothing is ever called). */
export const CHECK_ENV: Readonly<Record<string, string>> = {
  WXPAY_APPID: 'wx0123456789abcdef',
  WXPAY_MCH_ID: '1900000109',
  WXPAY_API_KEY: 'A'.repeat(32),
  WXPAY_SIGN_TYPE: 'MD5',
  WXPAY_PAY_NOTIFY_URL: 'https://example-env.service.tcloudbase.com/wxpay/pay-notify',
  WXPAY_REFUND_NOTIFY_URL: 'https://example-env.service.tcloudbase.com/wxpay/refund-notify',
  WXPAY_CERT_FILE_ID: 'cloud://example-env.6578-example/shouyin-private/apiclient_cert.pem',
  WXPAY_KEY_FILE_ID: 'cloud://example-env.6578-example/shouyin-private/apiclient_key.pem',
  WXPAY_SPBILL_CREATE_IP: '203.0.113.10',
};

export interface InstallCache {
  /** node_modules directory holding exactly `deps`, installing it when not cached. */
  nodeModules(deps: Record<string, string>): { dir: string; installed: boolean };
}

/** Installs each distinct dependency set once with npm (ordinary registry client), keyed by its hash. */
export function npmInstallCache(cacheRoot: string, env: NodeJS.ProcessEnv = process.env): InstallCache {
  return {
    nodeModules(deps) {
      const sorted = Object.fromEntries(Object.entries(deps).sort(([a], [b]) => a.localeCompare(b)));
      const hash = createHash('sha1').update(JSON.stringify(sorted)).digest('hex').slice(0, 16);
      const dir = path.join(cacheRoot, hash);
      const done = path.join(dir, '.complete');
      if (existsSync(done)) return { dir: path.join(dir, 'node_modules'), installed: false };
      rmSync(dir, { recursive: true, force: true });
      mkdirSync(dir, { recursive: true });
      writeFileSync(
        path.join(dir, 'package.json'),
        JSON.stringify({ name: 'package-check', private: true, dependencies: sorted }),
      );
      if (Object.keys(sorted).length > 0) {
        execFileSync(
          'npm',
          ['install', '--no-audit', '--no-fund', '--no-package-lock', '--omit=dev', '--loglevel=error'],
          { cwd: dir, stdio: ['ignore', 'ignore', 'inherit'], env },
        );
      } else mkdirSync(path.join(dir, 'node_modules'));
      writeFileSync(done, '');
      return { dir: path.join(dir, 'node_modules'), installed: true };
    },
  };
}

const LOADER = `
const m = require('./index.js');
if (typeof m.main !== 'function') { console.error('exports no main function'); process.exit(3); }
`;

export interface FolderResult {
  name: string;
  problems: string[];
  installed: boolean;
}

/** Checks one function folder; `env` is the configuration its cold start sees. */
export function checkFolder(
  fn: FunctionEntry,
  cache: InstallCache,
  env: Record<string, string>,
): FolderResult {
  const problems: string[] = [];
  if (!fn.built)
    return { name: fn.name, problems: [`${fn.name}: not built (npm run build)`], installed: false };
  const code = readFileSync(path.join(fn.dir, 'index.js'), 'utf8');
  problems.push(...permissionProblems(fn.name, openapiCalls(code), fn.openapi));
  problems.push(...triggerProblems(fn.name, fn.triggers));

  const tmp = mkdtempSync(path.join(os.tmpdir(), `shouyin-pkg-${fn.name}-`));
  try {
    const folder = path.join(tmp, fn.name);
    mkdirSync(folder);
    for (const f of ['index.js', 'index.js.map', 'package.json', 'config.json']) {
      if (existsSync(path.join(fn.dir, f))) copyFileSync(path.join(fn.dir, f), path.join(folder, f));
    }
    let installed = false;
    try {
      const nm = cache.nodeModules(fn.dependencies);
      installed = nm.installed;
      symlinkSync(nm.dir, path.join(folder, 'node_modules'), 'dir');
    } catch (e) {
      problems.push(`${fn.name}: installing its dependencies failed: ${(e as Error).message.split('\n')[0]}`);
      return { name: fn.name, problems, installed };
    }
    const home = path.join(tmp, 'home');
    mkdirSync(home);
    const r = spawnSync(process.execPath, ['-e', LOADER], {
      cwd: folder,
      env: { PATH: process.env.PATH ?? '', HOME: home, TZ: 'UTC', ...env },
      encoding: 'utf8',
      timeout: 30_000,
    });
    if (r.status !== 0) {
      const why = (r.stderr || r.error?.message || `exit ${r.status}`).trim().split('\n');
      const line = why.find((l) => /Error|Cannot find|ConfigError|main/.test(l)) ?? why[0];
      problems.push(`${fn.name}: require('./index.js') failed: ${line}`);
    }
    return { name: fn.name, problems, installed };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/**
 * `package:check --fix-permissions`: sets config.json's permissions.openapi to exactly the APIs the built bundle
 * calls (other fields kept). Answers what changed, or undefined when it already matched.
 */
export function fixPermissions(fn: FunctionEntry): string | undefined {
  if (!fn.built) return undefined;
  const calls = openapiCalls(readFileSync(path.join(fn.dir, 'index.js'), 'utf8'));
  if (permissionProblems(fn.name, calls, fn.openapi).length === 0) return undefined;
  const file = path.join(fn.dir, 'config.json');
  const cfg = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>) : {};
  const permissions = (cfg.permissions ?? {}) as Record<string, unknown>;
  cfg.permissions = { ...permissions, openapi: calls };
  writeFileSync(file, `${JSON.stringify(cfg, null, 2)}\n`);
  return `${fn.name}/config.json permissions.openapi = [${calls.join(', ')}]`;
}
