/**
 * npm run package:check — every built function folder, alone in a temporary directory with only its declared
 * dependencies installed, loads with a valid configuration and exports `main`; its cloud-call permissions
 * match what it calls (lib/package-check.ts). Exit code 1 on any problem.
 * `--fix-permissions` first rewrites each config.json's permissions.openapi to what its bundle calls.
 * Usage: node scripts/deploy/dist/package-check.js [--repo DIR] [--cache DIR] [--fix-permissions]
 */

import path from 'node:path';
import { cliOption, readEnvFile } from './lib/env-file';
import { CHECK_ENV, checkFolder, fixPermissions, npmInstallCache } from './lib/package-check';
import { loadDeployProject } from './lib/project';

const root = path.resolve(cliOption('--repo') ?? process.cwd());
const cacheRoot = path.resolve(
  cliOption('--cache') ?? path.join(root, 'node_modules/.cache/shouyin-package-check'),
);
const t0 = Date.now();
if (process.argv.includes('--fix-permissions')) {
  for (const fn of loadDeployProject(root).functions) {
    const changed = fixPermissions(fn);
    if (changed) console.log(`package:check: fixed ${changed}`);
  }
}
const project = loadDeployProject(root);
const cache = npmInstallCache(cacheRoot);
const example = Object.fromEntries(
  Object.entries(readEnvFile(path.join(root, '.env.example'))).filter(([, v]) => v !== ''),
);
let failed = 0;
let installs = 0;
for (const fn of project.functions) {
  // The fake merchant, the committed example's non-empty values (a channel's placeholder ids), the committed
  // per-function variables: every function must start with them.
  const r = checkFolder(fn, cache, { ...CHECK_ENV, ...example, ...fn.envVariables });
  if (r.installed) installs += 1;
  if (r.problems.length > 0) {
    failed += 1;
    for (const p of r.problems) console.error(`package:check: ${p}`);
  } else
    console.log(
      `package:check: ${fn.name} ok (loads alone with ${Object.keys(fn.dependencies).join(', ') || 'no dependencies'})`,
    );
}
console.log(
  `package:check: ${project.functions.length - failed}/${project.functions.length} folders ok, ` +
    `${installs} dependency set(s) installed, in ${Date.now() - t0} ms`,
);
if (project.functions.length === 0) console.error('package:check: no function folders found');
if (failed > 0 || project.functions.length === 0) process.exitCode = 1;
