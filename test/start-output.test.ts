/**
 * Issue 9 items 11 and 13, through the CLI as `npm start` runs it (a copy of the repository's configuration with a
 * developer's cloudbaserc.local.json): every function's configuration is validated at start and its errors are
 * printed by variable name, never value; replacing a local value with the sandbox's is said; the output ends with
 * what to do next (ready-to-paste sandbox lines included), and the choices block only comes with --show-choices.
 */
import { spawn } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from './support/paths';

const CLI = path.join(REPO_ROOT, 'scripts/emulator/dist/cli.js');
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const LOCAL_KEY = 'LocalSecretKeyLocalSecretKey1234';
const LOCAL_MCH = '1230000109';

/** A repository copy: the real configuration and built functions, plus a local secrets file. */
function repoWith(local: unknown): string {
  const repo = mkdtempSync(path.join(os.tmpdir(), 'shouyin-start-output-'));
  dirs.push(repo);
  for (const f of ['cloudbaserc.json', 'cloudbase-db.json', 'cloudbase-routes.json'])
    copyFileSync(path.join(REPO_ROOT, f), path.join(repo, f));
  symlinkSync(path.join(REPO_ROOT, 'cloudfunctions'), path.join(repo, 'cloudfunctions'));
  symlinkSync(path.join(REPO_ROOT, 'scripts'), path.join(repo, 'scripts'));
  if (local) writeFileSync(path.join(repo, 'cloudbaserc.local.json'), JSON.stringify(local));
  return repo;
}

/** Runs `npm start`'s command in `repo` until it prints "Ctrl-C stops", then stops it; returns the output. */
function startOutput(repo: string, extra: string[] = []): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        CLI,
        '--seed-demo',
        '--quiet',
        '--no-timers',
        '--port',
        '0',
        '--data-dir',
        path.join(repo, '.data'),
        ...extra,
      ],
      { cwd: repo, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`no start within 40 s:\n${out}`));
    }, 40_000);
    const onData = (c: Buffer) => {
      out += c.toString();
      if (out.includes('Ctrl-C stops')) child.kill('SIGTERM');
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', () => {
      clearTimeout(timer);
      resolve(
        out.slice(0, out.indexOf('Ctrl-C stops') + 'Ctrl-C stops the emulator and the sandbox.'.length),
      );
    });
  });
}

describe('npm start output', () => {
  it('validates every function at start (names only) and says which local values the sandbox replaces', async () => {
    const repo = repoWith({
      envVariables: { WXPAY_MCH_ID: LOCAL_MCH, WXPAY_API_KEY: LOCAL_KEY },
      functions: { createPayment: { envVariables: { ORDER_EXPIRE_MINUTES: '2' } } },
    });
    const out = await startOutput(repo);
    expect(out).toMatch(
      /warning: cloudbaserc\.local\.json sets WXPAY_API_KEY, WXPAY_MCH_ID for [a-zA-Z, ]*createPayment, [a-zA-Z, ]*payNotify, [a-zA-Z, ]*reconcile[a-zA-Z, ]*; the local stack's sandbox wiring .* replace them/,
    );
    expect(out).toMatch(/warning: createPayment cannot start .*ORDER_EXPIRE_MINUTES/);
    expect(out).not.toMatch(/warning: (?!createPayment)\w+ cannot start/);
    expect(out).not.toContain(LOCAL_KEY);
    expect(out).not.toContain(LOCAL_MCH);
    // The warnings come before what to do next, which ends the output.
    expect(out.indexOf('warning: createPayment')).toBeLessThan(out.indexOf('What to try next:'));
  }, 60_000);

  it('ends with what to do next (ready-to-paste sandbox lines); choices only with --show-choices', async () => {
    const repo = repoWith(undefined);
    const out = await startOutput(repo);
    expect(out).not.toContain('warning:');
    expect(out).not.toContain('transactionIsolation');
    expect(out).toMatch(/Choices on unconfirmed platform behaviour: \d+, in emulator\.json .*--show-choices/);
    const next = out.slice(out.indexOf('What to try next:'));
    expect(next).toMatch(/C=https:\/\/127\.0\.0\.1:\d+\/sandbox; CA=\.data\/sandbox\/certs\/ca\.pem/);
    expect(next).toContain('curl -s --cacert "$CA" "$C/orders"');
    expect(next).toContain('also in .data/sandbox/sandbox.json');
    expect(out.trimEnd().endsWith('Ctrl-C stops the emulator and the sandbox.')).toBe(true);

    const verbose = await startOutput(repoWith(undefined), ['--show-choices']);
    expect(verbose).toMatch(/Choices on unconfirmed platform behaviour:\n {2}httpBodyEncoding/);
    expect(verbose).toContain('transactionIsolation');
  }, 90_000);
});
