#!/usr/bin/env node
// Builds everything that runs as plain JavaScript:
//  - shared/dist: the @shouyin/shared package (esbuild bundle + tsc declarations)
//  - cloudfunctions/<name>/index.js: each deployable function, shared bundled in, wx-server-sdk external
//  - scripts/<tool>/dist/<entry>.js: every top-level src/*.ts of a tool (sandbox, emulator, bench, ...)
// Usage: node scripts/build.mjs [--no-dts]
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const sharedEntry = path.join(root, 'shared/src/index.ts');
// CloudBase fixes the runtime at creation; deploy pins Nodejs20.19 (spec cloudbase.md §1.5).
const target = 'node20';
const alias = { '@shouyin/shared': sharedEntry };

const isEntry = (dir, f) =>
  f.endsWith('.ts') &&
  !f.endsWith('.test.ts') &&
  !f.endsWith('.d.ts') &&
  statSync(path.join(dir, f)).isFile();

async function buildShared() {
  await esbuild.build({
    entryPoints: [sharedEntry],
    outfile: path.join(root, 'shared/dist/index.js'),
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target,
    packages: 'external',
    sourcemap: true,
    logLevel: 'warning',
  });
  if (!process.argv.includes('--no-dts')) {
    execFileSync(
      process.execPath,
      [path.join(root, 'node_modules/typescript/bin/tsc'), '-p', 'shared/tsconfig.build.json'],
      {
        cwd: root,
        stdio: 'inherit',
      },
    );
  }
}

async function buildFunctions() {
  const dir = path.join(root, 'cloudfunctions');
  if (!existsSync(dir)) return [];
  const names = readdirSync(dir).filter((n) => existsSync(path.join(dir, n, 'src/index.ts')));
  await Promise.all(
    names.map((name) =>
      esbuild.build({
        entryPoints: [path.join(dir, name, 'src/index.ts')],
        outfile: path.join(dir, name, 'index.js'),
        bundle: true,
        platform: 'node',
        format: 'cjs',
        target,
        alias,
        // The cloud installs wx-server-sdk from the folder's package.json; locally the emulator provides it.
        external: ['wx-server-sdk'],
        legalComments: 'none',
        logLevel: 'warning',
      }),
    ),
  );
  return names;
}

async function buildTools() {
  const dir = path.join(root, 'scripts');
  const tools = readdirSync(dir).filter((n) => existsSync(path.join(dir, n, 'src')));
  await Promise.all(
    tools.map((tool) => {
      const src = path.join(dir, tool, 'src');
      const entryPoints = readdirSync(src)
        .filter((f) => isEntry(src, f))
        .map((f) => path.join(src, f));
      if (entryPoints.length === 0) return undefined;
      return esbuild.build({
        entryPoints,
        outdir: path.join(dir, tool, 'dist'),
        bundle: true,
        platform: 'node',
        format: 'cjs',
        target,
        alias,
        packages: 'external',
        sourcemap: true,
        logLevel: 'warning',
      });
    }),
  );
  return tools;
}

const t0 = Date.now();
await buildShared();
const [fns, tools] = await Promise.all([buildFunctions(), buildTools()]);
await (await import('./console/build.mjs')).buildConsole(); // the emulator console (docs/console.md)
console.log(
  `build: shared, ${fns.length} function(s) [${fns.join(', ')}], tools [${tools.join(', ')}] in ${Date.now() - t0} ms`,
);
