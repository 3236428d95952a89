// Where the instance entry (worker.js) and the wx-server-sdk stand-in (wx-server-sdk.js) are. From the built
// package they sit next to dist/index.js. Run from source (vitest, ts tooling), they are built on first use
// with esbuild into a temporary directory, removed when the process exits.

import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export interface RuntimeFiles {
  workerPath: string;
  sdkPath: string;
}

const filesIn = (dir: string): RuntimeFiles => ({
  workerPath: path.join(dir, 'worker.js'),
  sdkPath: path.join(dir, 'wx-server-sdk.js'),
});

const complete = (f: RuntimeFiles) => existsSync(f.workerPath) && existsSync(f.sdkPath);

let built: Promise<RuntimeFiles> | undefined;

async function buildFromSource(srcDir: string): Promise<RuntimeFiles> {
  const esbuild = await import('esbuild');
  const outdir = mkdtempSync(path.join(tmpdir(), 'shouyin-emulator-runtime-'));
  process.once('exit', () => rmSync(outdir, { recursive: true, force: true }));
  await esbuild.build({
    entryPoints: [path.join(srcDir, 'worker.ts'), path.join(srcDir, 'wx-server-sdk.ts')],
    outdir,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    packages: 'external',
    logLevel: 'warning',
  });
  return filesIn(outdir);
}

/** The runtime files: from `runtimeDir` if given, else next to this bundle, else built from source. */
export function resolveRuntimeFiles(runtimeDir?: string): Promise<RuntimeFiles> {
  if (runtimeDir) {
    const f = filesIn(runtimeDir);
    if (!complete(f)) return Promise.reject(new Error(`no worker.js / wx-server-sdk.js in ${runtimeDir}`));
    return Promise.resolve(f);
  }
  const here = filesIn(__dirname);
  if (complete(here)) return Promise.resolve(here);
  // Source layout: this file is src/lib/host/runtime-files.ts, the entries are in src/.
  const srcDir = path.resolve(__dirname, '..', '..');
  if (!existsSync(path.join(srcDir, 'worker.ts'))) {
    return Promise.reject(new Error(`emulator runtime not found next to ${__dirname}; run npm run build`));
  }
  built ??= buildFromSource(srcDir);
  return built;
}
