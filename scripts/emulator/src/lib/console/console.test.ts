// The console's server side with the fixture repository: the page at / for browsers (emulator.json for the
// rest), the live event stream, the edit rules, grants, secrets redacted from the invocation log, and the
// sandbox routes answering "not available" when no sandbox runs. (With a sandbox: test/console-api.test.ts;
// in a browser: test/browser/console.test.ts.)

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Emulator, startEmulator } from '../emulator';
import { REDACTED } from './redact';

const FIXTURES = path.resolve(__dirname, '../../../test-fixtures');

let emu: Emulator;
let consoleDir: string;
beforeAll(async () => {
  consoleDir = mkdtempSync(path.join(tmpdir(), 'console-dist-'));
  writeFileSync(path.join(consoleDir, 'index.html'), '<!doctype html><title>console</title>');
  writeFileSync(path.join(consoleDir, 'console.js'), 'console.log(1)');
  emu = await startEmulator({ repoRoot: FIXTURES, runTimers: false, consoleDir });
});
afterAll(async () => {
  await emu?.stop();
  rmSync(consoleDir, { recursive: true, force: true });
});

/** Reads server-sent events from GET /events until `until` holds for the events read. */
async function collectEvents(
  run: () => Promise<unknown>,
  until: (events: Array<{ event: string; data: Record<string, unknown> }>) => boolean,
) {
  const ac = new AbortController();
  const res = await fetch(`${emu.baseUrl}/events`, { signal: ac.signal });
  expect(res.headers.get('content-type')).toContain('text/event-stream');
  const reader = res.body!.getReader();
  const events: Array<{ event: string; data: Record<string, unknown> }> = [];
  let buffer = '';
  await reader.read(); // the retry: line — the stream is subscribed from here on
  await run();
  const deadline = Date.now() + 10_000;
  while (!until(events) && Date.now() < deadline) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += Buffer.from(value).toString('utf8');
    let i = buffer.indexOf('\n\n');
    while (i >= 0) {
      const frame = buffer.slice(0, i);
      buffer = buffer.slice(i + 2);
      const event = /^event: (.*)$/m.exec(frame)?.[1];
      const data = /^data: (.*)$/m.exec(frame)?.[1];
      if (event && data) events.push({ event, data: JSON.parse(data) });
      i = buffer.indexOf('\n\n');
    }
  }
  ac.abort();
  return events;
}

describe('the console page', () => {
  it('GET / serves the page to browsers and emulator.json to everyone else', async () => {
    const html = await fetch(`${emu.baseUrl}/`, { headers: { accept: 'text/html,application/xhtml+xml' } });
    expect(html.headers.get('content-type')).toContain('text/html');
    expect(await html.text()).toContain('<title>console</title>');
    const json = await fetch(`${emu.baseUrl}/`);
    expect(((await json.json()) as { name: string }).name).toBe('shouyin-cloudbase-emulator');
    const js = await fetch(`${emu.baseUrl}/console/console.js`);
    expect(js.headers.get('content-type')).toContain('text/javascript');
    // Only the console's own file names are served: nothing from the URL reaches the file system.
    expect((await fetch(`${emu.baseUrl}/console/..%2Fpackage.json`)).status).toBe(404);
  });

  it('says the console is not built when its files are missing', async () => {
    const bare = await startEmulator({
      repoRoot: FIXTURES,
      runTimers: false,
      consoleDir: path.join(consoleDir, 'nope'),
    });
    try {
      const r = await fetch(`${bare.baseUrl}/`, { headers: { accept: 'text/html' } });
      expect(r.status).toBe(404);
      expect(await r.text()).toContain('console not built');
    } finally {
      await bare.stop();
    }
  });
});

describe('GET /events', () => {
  it('streams database changes and invocations as they happen (ids, never documents)', async () => {
    const events = await collectEvents(
      async () => {
        await emu.http('POST', '/db/items', JSON.stringify({ _id: 'ev-1', secretish: 'not in the event' }));
        await emu.invoke('sample', { action: 'counter' });
      },
      (ev) => ev.filter((e) => e.event === 'invocation').length >= 2 && ev.some((e) => e.event === 'db'),
    );
    const db = events.find((e) => e.event === 'db')!;
    expect(db.data).toEqual({ type: 'db', changes: [{ collection: 'items', id: 'ev-1' }] });
    const inv = events.filter((e) => e.event === 'invocation').map((e) => e.data);
    expect(inv).toEqual([
      expect.objectContaining({ function: 'sample', outcome: 'running' }),
      expect.objectContaining({ function: 'sample', outcome: 'ok' }),
    ]);
    expect(JSON.stringify(events)).not.toContain('not in the event');
  });

  it('announces subscription grants; GET /subscriptions lists what is left', async () => {
    const events = await collectEvents(
      async () => {
        const r = await emu.http(
          'POST',
          '/control/subscriptions',
          JSON.stringify({ openid: 'o-m', templateId: 'T1', count: 2 }),
        );
        expect(r.status).toBe(200);
      },
      (ev) => ev.some((e) => e.event === 'subscriptions'),
    );
    expect(events.map((e) => e.event)).toContain('subscriptions');
    const r = await fetch(`${emu.baseUrl}/subscriptions`);
    expect(await r.json()).toEqual({ grants: [{ openid: 'o-m', templateId: 'T1', remaining: 2 }] });
  });
});

describe('the invocation log as the console shows it', () => {
  it('keeps the answer with secret variable values redacted; the caller still gets the real answer', async () => {
    const r = (await emu.invoke('sample', { action: 'whoami' })) as {
      result: { env: { SECRET: string } };
      requestID: string;
    };
    expect(r.result.env.SECRET).toBe('from-cloudbaserc');
    const rec = emu.invocations({ function: 'sample' }).find((x) => x.requestId === r.requestID)!;
    expect(rec.answer).toContain(`"SECRET":"${REDACTED}"`);
    expect(rec.answer).not.toContain('from-cloudbaserc');
    expect(rec.answer).toContain('"GREETING":"hello"');
    const listed = await (await fetch(`${emu.baseUrl}/invocations?function=sample`)).text();
    expect(listed).not.toContain('from-cloudbaserc');
  });

  it('GET /instances counts running instances per function', async () => {
    const r = (await (await fetch(`${emu.baseUrl}/instances`)).json()) as {
      instances: Record<string, number>;
    };
    expect(r.instances.sample).toBeGreaterThanOrEqual(1);
    expect(r.instances).toHaveProperty('helper');
  });
});

describe('PUT /db/<collection>/<id>', () => {
  const put = (c: string, id: string, body: unknown) =>
    fetch(`${emu.baseUrl}/db/${c}/${id}`, { method: 'PUT', body: JSON.stringify(body) });

  it('replaces products and merchants with valid documents only (prices in integer fen)', async () => {
    // Provisioned from cloudbase-db.json in the real project; the fixture repository has neither.
    emu.db.createCollection('products');
    emu.db.createCollection('merchants');
    const good = { name: '拿铁', priceFee: 1800, onSale: true };
    expect((await put('products', 'latte', good)).status).toBe(200);
    expect(await emu.db.collection('products').get('latte')).toEqual({ _id: 'latte', ...good });
    for (const bad of [
      { ...good, priceFee: 18.5 },
      { ...good, priceFee: '1800' },
      { ...good, priceFee: 0 },
      { ...good, onSale: 'yes' },
      { ...good, name: '' },
      { ...good, _id: 'other' },
    ]) {
      const r = await put('products', 'latte', bad);
      expect(r.status).toBe(400);
    }
    expect(await emu.db.collection('products').get('latte')).toEqual({ _id: 'latte', ...good });
    const m = { name: 'shop', reviewerOpenids: ['o-a'], alertOpenids: [] };
    expect((await put('merchants', 'shop', m)).status).toBe(200);
    expect((await put('merchants', 'shop', { ...m, reviewerOpenids: 'o-a' })).status).toBe(400);
  });

  it('refuses every other collection: orders, refunds and alerts are money', async () => {
    await emu.db.collection('orders').put({ _id: 'o1', status: 'PAID', totalFee: 100 });
    for (const c of ['orders', 'refunds', 'alerts', 'requests', 'items']) {
      const r = await put(c, 'o1', { name: 'x', status: 'NOTPAY' });
      expect(r.status).toBe(403);
    }
    expect(await emu.db.collection('orders').get('o1')).toMatchObject({ status: 'PAID' });
  });
});

describe('/sandbox/* without a sandbox', () => {
  it('answers 404 NOT_AVAILABLE', async () => {
    const r = await fetch(`${emu.baseUrl}/sandbox/clock`);
    expect(r.status).toBe(404);
    expect(await r.json()).toMatchObject({ error: { code: 'NOT_AVAILABLE' } });
  });
});

describe('loopback only', () => {
  it('refuses a foreign Host (DNS rebinding) and cross-origin writes (a page elsewhere in the browser)', async () => {
    const { request } = await import('node:http');
    const send = (method: string, p: string, headers: Record<string, string>) =>
      new Promise<number>((resolve, reject) => {
        const req = request(`${emu.baseUrl}${p}`, { method, headers }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.on('error', reject);
        req.end(method === 'PUT' ? JSON.stringify({ name: 'x', priceFee: 1, onSale: true }) : undefined);
      });
    expect(await send('GET', '/instances', { host: 'evil.example:80' })).toBe(403);
    expect(await send('GET', '/events', { host: 'evil.example' })).toBe(403);
    const host = new URL(emu.baseUrl).host;
    expect(await send('PUT', '/db/products/latte', { host, origin: 'http://evil.example' })).toBe(403);
    expect(await send('PUT', '/db/products/latte', { host, origin: `http://${host}` })).toBe(200);
    expect(await send('GET', '/instances', { host: `localhost:${new URL(emu.baseUrl).port}` })).toBe(200);
  });
});
