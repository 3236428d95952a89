// Issue 9 items 9, 10, 12 for the sandbox: one sandbox per state dir (a second start changes nothing), a
// loopback-only control API (cross-site Origin, DNS-rebound Host), and the control URL's index, 405 with Allow
// and 413 for an oversized body.
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { DirLockedError } from '@shouyin/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedPki, startTestSandbox, type TestSandbox } from '../testing/harness';
import { type Sandbox, startSandbox } from './sandbox';

const dirs: string[] = [];
const tmp = () => {
  const d = mkdtempSync(path.join(os.tmpdir(), 'shouyin-sandbox-hardening-'));
  dirs.push(d);
  return d;
};
let t: TestSandbox;
beforeAll(async () => {
  t = await startTestSandbox({}, { dir: tmp() });
});
afterAll(async () => {
  await t.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function control(
  sb: Sandbox,
  method: string,
  urlPath: string,
  headers: Record<string, string> = {},
  body?: string | Buffer,
): Promise<{ status: number; headers: Record<string, unknown>; json: Record<string, unknown> }> {
  const url = new URL(urlPath, sb.baseUrl);
  return new Promise((resolve, reject) => {
    const req = https.request(
      url,
      {
        method,
        agent: false,
        ca: readFileSync(sb.caFile),
        servername: '',
        checkServerIdentity: () => undefined,
        headers,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            json: JSON.parse(Buffer.concat(chunks).toString('utf8')),
          }),
        );
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const n of readdirSync(d)) {
      const p = path.join(d, n);
      const st = statSync(p);
      if (st.isDirectory()) walk(p);
      else out[path.relative(dir, p)] = `${st.size} ${st.mtimeMs} ${readFileSync(p).toString('base64')}`;
    }
  };
  walk(dir);
  return out;
}

describe('one sandbox per state dir', () => {
  it('a second start on the running sandbox state dir fails and changes nothing; the first still works', async () => {
    const dir = tmp();
    seedPki(t.dir, dir);
    const first = await startSandbox({ stateDir: dir, persist: true, clock: { mode: 'manual' } });
    try {
      const before = snapshot(dir);
      for (const clean of [false, true])
        await expect(startSandbox({ stateDir: dir, clean, persist: true })).rejects.toThrow(DirLockedError);
      await expect(startSandbox({ stateDir: dir })).rejects.toThrow(/is in use by a WeChat Pay sandbox/);
      expect(snapshot(dir)).toEqual(before);
      expect((await control(first, 'GET', '/sandbox/clock')).status).toBe(200);
    } finally {
      await first.stop();
    }
    // Stopped: the directory is free again.
    const again = await startSandbox({ stateDir: dir, persist: false });
    await again.stop();
  });

  it('a fixed port in use is refused before the state dir is touched', async () => {
    const port = Number(new URL(t.sb.baseUrl).port);
    const dir = path.join(tmp(), 'fresh');
    await expect(startSandbox({ stateDir: dir, port })).rejects.toThrow(
      `port ${port} on 127.0.0.1 is in use`,
    );
    expect(() => statSync(dir)).toThrow();
  });
});

describe('control API', () => {
  it('refuses a cross-site Origin and a DNS-rebound Host, before doing anything', async () => {
    const before = (await control(t.sb, 'GET', '/sandbox/clock')).json;
    const origin = await control(
      t.sb,
      'POST',
      '/sandbox/clock/advance',
      { origin: 'https://evil.example' },
      '{"ms":60000}',
    );
    expect(origin.status).toBe(403);
    expect(origin.json).toMatchObject({ error: { code: 'NOT_LOOPBACK' } });
    const port = new URL(t.sb.baseUrl).port;
    const rebound = await control(t.sb, 'GET', '/sandbox/info', { host: `rebind.evil.example:${port}` });
    expect(rebound.status).toBe(403);
    expect(JSON.stringify(rebound.json)).not.toContain(t.sb.info.merchants[0]!.apiKey);
    expect((await control(t.sb, 'GET', '/sandbox/clock')).json).toEqual(before);
    expect((await control(t.sb, 'GET', '/sandbox/clock', { origin: 'http://localhost:5173' })).status).toBe(
      200,
    );
  });

  it('GET on the control URL answers an index of every endpoint, without secrets', async () => {
    const r = await control(t.sb, 'GET', '/sandbox');
    expect(r.status).toBe(200);
    const control_ = r.json.control as string[];
    expect(control_).toContain(`GET ${t.sb.baseUrl}/sandbox/orders`);
    expect(control_).toContain(`POST ${t.sb.baseUrl}/sandbox/clock/advance`);
    expect(r.json.merchantApi).toContain(`POST ${t.sb.baseUrl}/pay/unifiedorder`);
    expect(JSON.stringify(r.json)).not.toContain(t.sb.info.merchants[0]!.apiKey);
    expect((await control(t.sb, 'GET', '/sandbox/')).status).toBe(200);
  });

  it('a wrong method on a control path gets 405 with Allow; an oversized body 413', async () => {
    const r = await control(t.sb, 'GET', '/sandbox/pay');
    expect(r.status).toBe(405);
    expect(r.headers.allow).toBe('POST');
    const f = await control(t.sb, 'PUT', '/sandbox/faults');
    expect(f.status).toBe(405);
    expect(f.headers.allow).toBe('GET, POST, DELETE');
    expect((await control(t.sb, 'GET', '/sandbox/nothing')).status).toBe(404);
    const big = await control(t.sb, 'POST', '/sandbox/pay', {}, Buffer.alloc(64 * 1024 + 1, 32));
    expect(big.status).toBe(413);
  });
});
