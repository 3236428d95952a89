import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DirLockedError, isLoopbackHostname, lockDir, loopbackRequestProblem } from './index';

const dirs: string[] = [];
const tmp = () => {
  const d = mkdtempSync(path.join(tmpdir(), 'dir-lock-'));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('lockDir', () => {
  it('refuses a second holder while the first lives, names the holder, and frees on release', () => {
    const dir = tmp();
    const a = lockDir(dir, 'x.lock', 'emulator');
    const before = readFileSync(a.file, 'utf8');
    expect(() => lockDir(dir, 'x.lock', 'emulator')).toThrow(DirLockedError);
    expect(() => lockDir(dir, 'x.lock', 'emulator')).toThrow(
      new RegExp(`in use by emulator \\(pid ${process.pid}, this process`),
    );
    expect(readFileSync(a.file, 'utf8')).toBe(before);
    a.release();
    expect(existsSync(a.file)).toBe(false);
    const b = lockDir(dir, 'x.lock', 'emulator');
    b.release();
  });

  it('takes over a stale lock whose process is gone', () => {
    const dir = tmp();
    // A pid that certainly exited: a finished child's.
    const dead = spawnSync(process.execPath, ['-e', '0']).pid!;
    writeFileSync(path.join(dir, 'x.lock'), JSON.stringify({ pid: dead, owner: 'emulator', since: 'then' }));
    const l = lockDir(dir, 'x.lock', 'sandbox');
    expect(JSON.parse(readFileSync(l.file, 'utf8'))).toMatchObject({ pid: process.pid, owner: 'sandbox' });
    l.release();
  });

  it('release does not remove a lock another holder took in the meantime', () => {
    const dir = tmp();
    const l = lockDir(dir, 'x.lock', 'emulator');
    writeFileSync(l.file, JSON.stringify({ pid: 1, owner: 'other', since: 'now' }));
    l.release();
    expect(existsSync(l.file)).toBe(true);
  });
});

describe('loopback requests', () => {
  it('knows loopback names', () => {
    for (const h of ['localhost', 'LOCALHOST', 'app.localhost', '127.0.0.1', '127.1.2.3', '::1', '[::1]'])
      expect(isLoopbackHostname(h), h).toBe(true);
    for (const h of [
      'evil.example',
      '127.0.0.1.evil.example',
      '10.0.0.1',
      '0.0.0.0',
      'localhost.evil.example',
    ])
      expect(isLoopbackHostname(h), h).toBe(false);
  });

  it('refuses a rebound Host, a cross-site Origin, Origin null and a missing Host', () => {
    expect(loopbackRequestProblem({ host: '127.0.0.1:8560' })).toBeUndefined();
    expect(
      loopbackRequestProblem({ host: 'localhost:8560', origin: 'http://localhost:3000' }),
    ).toBeUndefined();
    expect(loopbackRequestProblem({ host: '[::1]:8560', origin: 'https://127.0.0.1' })).toBeUndefined();
    expect(loopbackRequestProblem({ host: 'rebind.evil.example:8560' })).toMatch(/Host .*DNS-rebinding/);
    expect(loopbackRequestProblem({ host: '127.0.0.1:8560', origin: 'https://evil.example' })).toMatch(
      /Origin .*cross-site/,
    );
    expect(loopbackRequestProblem({ host: '127.0.0.1:8560', origin: 'null' })).toMatch(/Origin/);
    expect(loopbackRequestProblem({})).toMatch(/Host header is required/);
    expect(loopbackRequestProblem({ host: '192.168.1.5:8560' }, '192.168.1.5')).toBeUndefined();
  });
});
