import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startSandbox } from './sandbox';

describe('listening address', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sandbox-host-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  // The control API is unauthenticated and /sandbox/info returns merchant keys: never off the machine.
  it.each(['0.0.0.0', '::', '192.168.1.20', 'example.com'])('refuses to listen on %s', async (host) => {
    await expect(startSandbox({ stateDir: dir, host, persist: false })).rejects.toThrow(/loopback only/);
  });
});
