// Where the instance entry (worker.js) and the wx-server-sdk stand-in (wx-server-sdk.js) are. From the built
// package they sit next to dist/index.js. Run from source (vitest, ts tooling), they are built with esbuild into
// a temporary directory shared by the emulators of the process and removed when the last of them stops.

import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export interface RuntimeFiles {
  workerPath: string;
  sdkPath: string;
}

export interface RuntimeLease {
  files: RuntimeFiles;
  /** Call when the emulator using the files has stopped. */
  release(): void;
}

const filesIn = (dir: string): RuntimeFiles => ({
  workerPath: path.join(dir, 'worker.js'),
  sdkPath: path.join(dir, 'wx-server-sdk.js'),
});

const complete = (f: RuntimeFiles) => existsSync(f.workerPath) && existsSync(f.sdkPath);
const noop = () => undefined;

let shared: { dir: Promise<string>; users: number } | undefined;

async function buildFromSource(srcDir: string): Promise<string> {
  const esbuild = await import('esbuild');
  const outdir = mkdtempSync(path.join(tmpdir(), 'shouyin-emulator-runtime-'));
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
  return outdir;
}

/** The runtime files: from `runtimeDir` if given, else next to this bundle, else built from source. */
export async function acquireRuntimeFiles(runtimeDir?: string): Promise<RuntimeLease> {
  if (runtimeDir) {
    const files = filesIn(runtimeDir);
    if (!complete(files)) throw new Error(`no worker.js / wx-server-sdk.js in ${runtimeDir}`);
    return { files, release: noop };
  }
  const here = filesIn(__dirname);
  if (complete(here)) return { files: here, release: noop };
  // Source layout: this file is src/lib/host/runtime-files.ts, the entries are in src/.
  const srcDir = path.resolve(__dirname, '..', '..');
  if (!existsSync(path.join(srcDir, 'worker.ts'))) {
    throw new Error(`emulator runtime not found next to ${__dirname}; run npm run build`);
  }
  if (!shared) {
    const dir = buildFromSource(srcDir);
    const entry = { dir, users: 0 };
    shared = entry;
    dir.then(
      (d) => process.once('exit', () => rmSync(d, { recursive: true, force: true })),
      () => {
        if (shared === entry) shared = undefined;
      },
    );
  }
  const entry = shared;
  entry.users++;
  let dir: string;
  try {
    dir = await entry.dir;
  } catch (e) {
    entry.users--;
    throw e;
  }
  let released = false;
  return {
    files: filesIn(dir),
    release: () => {
      if (released) return;
      released = true;
      if (--entry.users > 0) return;
      if (shared === entry) shared = undefined;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
