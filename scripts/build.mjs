#!/usr/bin/env node
// Builds everything that runs as plain JavaScript:
//  - shared/dist: the @shouyin/shared package (esbuild bundle + tsc declarations)
//  - cloudfunctions/<name>/index.js (+ index.js.map): each deployable function, shared bundled in,
//    wx-server-sdk external; the folder's package.json must declare exactly the packages the bundle leaves
//    external, at exact versions (scripts/build/function-folder.mjs). Every folder with a src/index.ts is a
//    function: nothing here lists them.
//  - scripts/<tool>/dist/<entry>.js: every top-level src/*.ts of a tool (sandbox, emulator, bench, deploy, ...)
// Incremental: a target whose options, inputs and outputs are unchanged since its last build is skipped
// (scripts/build/stamp.mjs), so `npm start` / `npm run demo` / `npm test` do not rebuild unchanged sources.
// Usage: node scripts/build.mjs [--no-dts] [--force] [--quiet]
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import { externalPackages, formatSize, manifestProblems } from './build/function-folder.mjs';
import { metafileInputs, StampStore } from './build/stamp.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = new Set(process.argv.slice(2));
const sharedEntry = path.join(root, 'shared/src/index.ts');
// CloudBase fixes the runtime at creation; deploy pins Nodejs20.19 (CloudBase notes §1.5).
const target = 'node20';
const alias = { '@shouyin/shared': sharedEntry };
const stamps = new StampStore(root);
if (args.has('--force')) stamps.stamps = {};
// Everything a target's output depends on besides its input files.
const scriptHash = ['build.mjs', 'build/stamp.mjs', 'build/function-folder.mjs']
  .map((f) => readFileSync(path.join(root, 'scripts', f), 'utf8'))
  .join('\0');
const baseKey = (o) => JSON.stringify({ esbuild: esbuild.version, script: hashOf(scriptHash), ...o });
const built = [];
const skipped = [];

function hashOf(s) {
  return createHash('sha1').update(s).digest('hex');
}

const isEntry = (dir, f) =>
  f.endsWith('.ts') &&
  !f.endsWith('.test.ts') &&
  !f.endsWith('.d.ts') &&
  statSync(path.join(dir, f)).isFile();

/** Runs an esbuild build unless its stamp says it is up to date; answers the (possibly cached) meta. */
async function esbuildCached(name, options, meta = () => undefined) {
  const outputs = options.outfile
    ? [options.outfile]
    : options.entryPoints.map((e) => path.join(options.outdir, `${path.basename(e, '.ts')}.js`));
  if (options.sourcemap) outputs.push(...outputs.map((o) => `${o}.map`));
  const key = baseKey({ ...options, entryPoints: options.entryPoints.map((e) => path.relative(root, e)) });
  const why = stamps.staleReason(name, key);
  if (why === null) {
    skipped.push(name);
    return stamps.meta(name);
  }
  const r = await esbuild.build({ ...options, absWorkingDir: root, metafile: true });
  const m = meta(r.metafile);
  stamps.record(name, key, { inputs: metafileInputs(root, r.metafile), outputs, meta: m });
  built.push(name);
  return m;
}

function listFiles(dir, keep) {
  const out = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...listFiles(p, keep));
    else if (keep(p)) out.push(p);
  }
  return out;
}

async function buildShared() {
  await esbuildCached('shared', {
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
  if (args.has('--no-dts')) return;
  const inputs = [
    ...listFiles(path.join(root, 'shared/src'), (p) => p.endsWith('.ts') && !p.endsWith('.test.ts')),
    path.join(root, 'shared/tsconfig.build.json'),
    path.join(root, 'tsconfig.json'),
  ];
  // The file list is part of the key: a new or deleted source file changes the declarations.
  const key = baseKey({ tsc: inputs.map((p) => path.relative(root, p)).sort() });
  if (stamps.staleReason('shared.d.ts', key) === null) {
    skipped.push('shared.d.ts');
    return;
  }
  execFileSync(
    process.execPath,
    [path.join(root, 'node_modules/typescript/bin/tsc'), '-p', 'shared/tsconfig.build.json'],
    { cwd: root, stdio: 'inherit' },
  );
  stamps.record('shared.d.ts', key, { inputs, outputs: [path.join(root, 'shared/dist/index.d.ts')] });
  built.push('shared.d.ts');
}

/** Function folders: every cloudfunctions/<name> with a src/index.ts (discovered, never listed). */
function functionNames(dir) {
  return existsSync(dir)
    ? readdirSync(dir)
        .filter((n) => existsSync(path.join(dir, n, 'src/index.ts')))
        .sort()
    : [];
}

async function buildFunctions() {
  const dir = path.join(root, 'cloudfunctions');
  const names = functionNames(dir);
  const results = await Promise.all(
    names.map(async (name) => {
      const externals = await esbuildCached(
        `function:${name}`,
        {
          entryPoints: [path.join(dir, name, 'src/index.ts')],
          outfile: path.join(dir, name, 'index.js'),
          bundle: true,
          platform: 'node',
          format: 'cjs',
          target,
          alias,
          // The cloud installs wx-server-sdk from the folder's package.json; locally the emulator provides it.
          external: ['wx-server-sdk'],
          sourcemap: true,
          legalComments: 'none',
          logLevel: 'warning',
        },
        externalPackages,
      );
      return { name, externals: externals ?? [] };
    }),
  );
  const problems = results.flatMap(({ name, externals }) =>
    manifestProblems(path.join(dir, name), externals),
  );
  return { names, problems };
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
      return esbuildCached(`tool:${tool}`, {
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
let failed = false;
try {
  await buildShared();
  const [fns, tools] = await Promise.all([buildFunctions(), buildTools()]);
  await (await import('./console/build.mjs')).buildConsole(); // the emulator console (docs/console.md)
  if (!args.has('--quiet')) {
    const sizes = fns.names.map((n) => {
      const f = path.join(root, 'cloudfunctions', n, 'index.js');
      return `${n} ${formatSize(statSync(f).size)}`;
    });
    console.log(
      `build: ${built.length} rebuilt, ${skipped.length} up to date in ${Date.now() - t0} ms; ` +
        `functions [${sizes.join(', ')}], tools [${tools.join(', ')}]`,
    );
  }
  if (fns.problems.length > 0) {
    console.error(`build: function folders not deployable:\n  ${fns.problems.join('\n  ')}`);
    failed = true;
  }
} finally {
  stamps.save();
}
if (failed) process.exitCode = 1;
