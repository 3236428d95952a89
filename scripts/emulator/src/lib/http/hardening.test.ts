// Issue 9 items 10 and 12 for the emulator's HTTP API: loopback-only Host and Origin, a real 413 for bodies over
// 6 MB (not a connection reset), 405 with Allow on a control path called with the wrong method.
import http from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Emulator, startEmulator } from '../emulator';
import { MAX_BODY_BYTES } from './server';

const FIXTURES = path.resolve(__dirname, '../../../test-fixtures');
let emu: Emulator;
beforeAll(async () => {
  emu = await startEmulator({ repoRoot: FIXTURES, runTimers: false });
});
afterAll(() => emu?.stop());

/** A raw request (custom Host allowed); the body is streamed in 1 MB chunks. */
function raw(
  method: string,
  urlPath: string,
  headers: Record<string, string> = {},
  body?: Buffer,
): Promise<{ status: number; headers: http.IncomingHttpHeaders; text: string }> {
  const url = new URL(urlPath, emu.baseUrl);
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          text: Buffer.concat(chunks).toString(),
        }),
      );
    });
    req.on('error', reject);
    if (body) for (let i = 0; i < body.length; i += 1 << 20) req.write(body.subarray(i, i + (1 << 20)));
    req.end();
  });
}

const json = { 'content-type': 'application/json' };

describe('loopback only', () => {
  it('refuses a cross-site Origin: no seeding, no function call', async () => {
    const before = await emu.db.collection('items').count();
    const calls = emu.invocations({ function: 'sample' }).length;
    const evil = { ...json, origin: 'https://evil.example' };
    const seed = await raw('POST', '/db/items', evil, Buffer.from('{"_id":"x","n":1}'));
    expect(seed.status).toBe(403);
    expect(JSON.parse(seed.text).error).toMatch(/Origin "https:\/\/evil.example" is not this machine/);
    const call = await raw(
      'POST',
      '/functions/sample',
      { ...evil, 'x-wx-openid': 'o-victim' },
      Buffer.from('{}'),
    );
    expect(call.status).toBe(403);
    const access = await raw('POST', '/sample/http', evil, Buffer.from('{}'));
    expect(access.status).toBe(403);
    expect(await emu.db.collection('items').count()).toBe(before);
    expect(emu.invocations({ function: 'sample' }).length).toBe(calls);
  });

  it("refuses a DNS-rebound Host (the page's own name pointing at 127.0.0.1)", async () => {
    const port = new URL(emu.baseUrl).port;
    const r = await raw('GET', '/db/items', { host: `rebind.evil.example:${port}` });
    expect(r.status).toBe(403);
    expect(JSON.parse(r.text).error).toMatch(/Host "rebind\.evil\.example:\d+" is not this machine/);
    expect((await raw('GET', '/', { host: `rebind.evil.example:${port}` })).status).toBe(403);
  });

  it('serves loopback names and loopback origins', async () => {
    const port = new URL(emu.baseUrl).port;
    expect((await raw('GET', '/db', { host: `localhost:${port}` })).status).toBe(200);
    expect((await raw('GET', '/db', { origin: `http://127.0.0.1:${port}` })).status).toBe(200);
  });
});

describe('limits and methods', () => {
  it('a body over 6 MB gets a 413 answer (on a control call and on an HTTP access path), not a reset', async () => {
    const over = Buffer.alloc(MAX_BODY_BYTES + 1, 0x20);
    for (const p of ['/functions/sample', '/sample/http', '/db/items']) {
      const r = await raw('POST', p, json, over);
      expect(r.status, p).toBe(413);
      expect(JSON.parse(r.text).error).toMatch(/larger than 6291456 bytes/);
    }
    // Exactly the limit is read and handed on (valid JSON padded with whitespace).
    const at = Buffer.alloc(MAX_BODY_BYTES, 0x20);
    at.write('{"data":{"action":"whoami"}}');
    const r = await raw('POST', '/functions/sample', json, at);
    expect(r.status).toBe(200);
    expect(JSON.parse(r.text)).toMatchObject({ errMsg: 'cloud.callFunction:ok' });
  });

  it('GET on a POST-only path is 405 with Allow, and the other way round', async () => {
    const cases: Array<[string, string, string]> = [
      ['GET', '/functions/sample', 'POST'],
      ['GET', '/triggers/sample/t', 'POST'],
      ['GET', '/control/subscriptions', 'POST'],
      ['GET', '/client-db/items', 'POST'],
      ['POST', '/messages', 'GET'],
      ['POST', '/invocations', 'GET'],
      ['POST', '/db', 'GET'],
      ['DELETE', '/db/items', 'GET, POST'],
    ];
    for (const [method, p, allow] of cases) {
      const r = await raw(method, p);
      expect(r.status, `${method} ${p}`).toBe(405);
      expect(r.headers.allow, `${method} ${p}`).toBe(allow);
    }
    expect((await raw('GET', '/nothing/here')).status).toBe(404);
  });
});
