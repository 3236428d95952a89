/**
 * Issue 9 item 9: a second `npm start` (the emulator CLI with --seed-demo, as built) on the same data directory,
 * or on the same port, fails with a clear message BEFORE touching any file — not the running emulator's
 * database, emulator.json, nor the sandbox's state and sandbox.json — and the first stack keeps working and
 * persisting (an order created after the failed second start is still there after a restart).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from './support/paths';

const CLI = path.join(REPO_ROOT, 'scripts/emulator/dist/cli.js');
const children: ChildProcess[] = [];
const dirs: string[] = [];
afterAll(async () => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

interface Run {
  child: ChildProcess;
  out: () => string;
  exit: Promise<number | null>;
}

function start(args: string[]): Run {
  const child = spawn(process.execPath, [CLI, '--seed-demo', '--quiet', '--no-timers', ...args], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let text = '';
  child.stdout!.on('data', (c: Buffer) => {
    text += c.toString();
  });
  child.stderr!.on('data', (c: Buffer) => {
    text += c.toString();
  });
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, out: () => text, exit };
}

async function ready(dataDir: string, run: Run): Promise<string> {
  const file = path.join(dataDir, 'emulator.json');
  for (let i = 0; i < 600; i++) {
    if (run.out().includes('What to try next') && existsSync(file))
      return (JSON.parse(readFileSync(file, 'utf8')) as { baseUrl: string }).baseUrl;
    if (run.child.exitCode !== null) throw new Error(`first start exited:\n${run.out()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`the stack did not start:\n${run.out()}`);
}

/** Every file under dir: size, mtime and content hash. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = path.join(d, name);
      const st = statSync(p);
      if (st.isDirectory()) walk(p);
      else
        out[path.relative(dir, p)] =
          `${st.size} ${st.mtimeMs} ${createHash('sha256').update(readFileSync(p)).digest('hex')}`;
    }
  };
  walk(dir);
  return out;
}

const create = (base: string, requestId: string) =>
  fetch(`${base}/functions/createPayment`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-wx-openid': 'o-demo-customer-alice' },
    body: JSON.stringify({
      data: { action: 'create', requestId, items: [{ productId: 'latte', quantity: 1 }] },
    }),
  }).then((r) => r.json() as Promise<{ result: { ok: boolean; data?: { outTradeNo: string } } }>);

describe('a second npm start', () => {
  it('on the same data dir or port fails clearly, changes nothing, and the first keeps working', async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'shouyin-second-start-'));
    const otherDir = path.join(mkdtempSync(path.join(os.tmpdir(), 'shouyin-second-start-b-')), 'data');
    dirs.push(dataDir, path.dirname(otherDir));
    const first = start(['--port', '0', '--data-dir', dataDir]);
    const base = await ready(dataDir, first);
    const port = new URL(base).port;
    const first1 = await create(base, 'second-start-0001');
    expect(first1.result.ok).toBe(true);
    const before = snapshot(dataDir);
    expect(Object.keys(before)).toEqual(
      expect.arrayContaining(['db.jsonl', 'emulator.json', 'emulator.lock', 'sandbox/sandbox.json']),
    );

    // Same data dir (another port): refused by the lock.
    const second = start(['--port', '0', '--data-dir', dataDir]);
    expect(await second.exit).toBe(1);
    expect(second.out()).toMatch(/is in use by an emulator \(pid \d+.*Stop it first.*Nothing was changed/s);
    // Same port (another data dir): refused before that data dir is even created.
    const third = start(['--port', port, '--data-dir', otherDir]);
    expect(await third.exit).toBe(1);
    expect(third.out()).toMatch(new RegExp(`port ${port} on 127\\.0\\.0\\.1 is in use`));
    expect(existsSync(otherDir)).toBe(false);
    expect(snapshot(dataDir)).toEqual(before);

    // The first stack still serves and persists.
    const after = await create(base, 'second-start-0002');
    expect(after.result.ok).toBe(true);
    first.child.kill('SIGTERM');
    expect(await first.exit).toBe(0);
    expect(existsSync(path.join(dataDir, 'emulator.lock'))).toBe(false);

    const again = start(['--port', '0', '--data-dir', dataDir]);
    const base2 = await ready(dataDir, again);
    const orders = (await (await fetch(`${base2}/db/orders`)).json()) as { data: Array<{ _id: string }> };
    expect(orders.data.map((o) => o._id).sort()).toEqual(
      [first1.result.data!.outTradeNo, after.result.data!.outTradeNo].sort(),
    );
    again.child.kill('SIGTERM');
    expect(await again.exit).toBe(0);
  }, 60_000);
});
