// Builds the emulator console (docs/console.md): app/main.tsx → dist/console.js (one browser bundle with Preact),
// and copies index.html and console.css next to it. The emulator serves dist/ at / (scripts/emulator/src/lib/console).
// Used by scripts/build.mjs (`await buildConsole(root)`) and runnable alone: node scripts/console/build.mjs
import { copyFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const here = path.dirname(fileURLToPath(import.meta.url));

export async function buildConsole() {
  const out = path.join(here, 'dist');
  mkdirSync(out, { recursive: true });
  await esbuild.build({
    entryPoints: [path.join(here, 'app/main.tsx')],
    outfile: path.join(out, 'console.js'),
    bundle: true,
    platform: 'browser',
    format: 'esm',
    target: ['chrome110', 'safari16', 'firefox115'],
    jsx: 'automatic',
    jsxImportSource: 'preact',
    minify: true,
    sourcemap: true,
    legalComments: 'none',
    logLevel: 'warning',
  });
  for (const f of ['index.html', 'console.css']) copyFileSync(path.join(here, 'app', f), path.join(out, f));
  return 'console';
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const t0 = Date.now();
  await buildConsole();
  console.log(`build: console in ${Date.now() - t0} ms`);
}
