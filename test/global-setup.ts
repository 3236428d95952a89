/**
 * Vitest global setup (vitest.config.ts `globalSetup`), run once per `vitest run` before any test file:
 *  1. builds what the end-to-end tests run — the deployable function bundles (cloudfunctions/<name>/index.js),
 *     the sandbox (scripts/sandbox/dist) and the emulator's instance runtime (scripts/emulator/dist) — so a test
 *     never runs a stale bundle;
 *  2. generates the sandbox's PKI (CA, server and merchant certificates, API keys) once, in a temporary
 *     directory that every end-to-end file copies (an RSA key costs ~0.4 s; there are four).
 * The directory is handed to the test files with `provide` / `inject('sandboxPkiDir')` and removed at the end.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { loadSandboxModule, REPO_ROOT, SANDBOX_MERCHANTS } from './support/paths';

declare module 'vitest' {
  export interface ProvidedContext {
    /** A sandbox state dir holding only certs/ and keys.json for SANDBOX_MERCHANTS. */
    sandboxPkiDir: string;
  }
}

export default async function setup(project: TestProject): Promise<() => void> {
  execFileSync(process.execPath, [path.join(REPO_ROOT, 'scripts/build.mjs'), '--no-dts'], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const dir = mkdtempSync(path.join(os.tmpdir(), 'shouyin-e2e-pki-'));
  try {
    const sandbox = await loadSandboxModule().startSandbox({
      stateDir: dir,
      persist: false,
      clock: { mode: 'manual' },
      merchants: [...SANDBOX_MERCHANTS],
    });
    await sandbox.stop();
    rmSync(path.join(dir, 'sandbox.json'), { force: true });
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  project.provide('sandboxPkiDir', dir);
  return () => rmSync(dir, { recursive: true, force: true });
}
