// The emulator end to end with the fixture repository (scripts/emulator/test-fixtures): the three invocation
// paths, both context-keys modes, instances and their isolation, cloud.callFunction, open APIs, timeouts, the
// 100-instance conditional update, control calls and persistence.

import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeClock } from '../testing/fake-clock';
import { DEFAULT_APPID, type Emulator, startEmulator } from './emulator';
import type { ContextKeysMode } from './host/invocation-env';

const FIXTURES = path.resolve(__dirname, '../../test-fixtures');
const TPL = 'tplOrderPaid0000000001';

type Ok = { result: Record<string, unknown>; errMsg: string; requestID: string };
const ok = (r: unknown): Record<string, unknown> => {
  expect(r).toMatchObject({ errMsg: 'cloud.callFunction:ok' });
  return (r as Ok).result;
};

let emu: Emulator;
beforeAll(async () => {
  emu = await startEmulator({
    repoRoot: FIXTURES,
    maxInstancesPerFunction: 100,
    runTimers: false,
    envOverrides: ({ baseUrl }) => ({ EXTRA: baseUrl }),
  });
});
afterAll(() => emu?.stop());

describe('callFunction', () => {
  it('POST /functions/<name> runs the function with the caller identity from the headers', async () => {
    const res = await emu.http('POST', '/functions/sample', JSON.stringify({ data: { action: 'whoami' } }), {
      'content-type': 'application/json',
      'x-wx-openid': 'o-alice',
      'x-wx-unionid': 'u-alice',
      'x-wx-client-ip': '10.1.2.3',
    });
    expect(res.status).toBe(200);
    const body = JSON.parse(res.body);
    expect(body).toMatchObject({ errMsg: 'cloud.callFunction:ok', requestID: expect.any(String) });
    expect(body.result).toEqual({
      ctx: {
        OPENID: 'o-alice',
        APPID: DEFAULT_APPID,
        UNIONID: 'u-alice',
        CLIENTIP: '10.1.2.3',
        ENV: 'fixture-env',
        SOURCE: 'wx_client',
      },
      userInfo: { appId: DEFAULT_APPID, openId: 'o-alice' },
      // cloudbaserc.json envVariables, and the caller's overrides (here the emulator's own URL).
      env: { GREETING: 'hello', SECRET: 'from-cloudbaserc', EXTRA: emu.baseUrl },
    });
  });

  it('invoke() answers like POST /functions; a throw gives the cloud error shape', async () => {
    expect(ok(await emu.invoke('sample', { action: 'whoami' }, { openid: 'o-bob' }))).toMatchObject({
      ctx: { OPENID: 'o-bob' },
    });
    const err = await emu.invoke('sample', { action: 'throw' });
    expect(err).toMatchObject({ errCode: -404011 });
    expect((err as { errMsg: string }).errMsg).toMatch(
      /^cloud\.callFunction:fail requestID [\w-]+, cloud function service error code -504002, error message kaboom$/,
    );
    const missing = await emu.http('POST', '/functions/nope', '{}');
    expect([missing.status, JSON.parse(missing.body).errCode]).toEqual([404, -404011]);
    const broken = await emu.invoke('broken');
    expect((broken as { errMsg: string }).errMsg).toMatch(/failed to load: broken at load/);
  });

  it('keeps module state across warm invocations of one instance', async () => {
    const a = ok(await emu.invoke('sample', { action: 'counter' }));
    const b = ok(await emu.invoke('sample', { action: 'counter' }));
    expect(b.instanceTag).toBe(a.instanceTag);
    expect(b.calls).toBe((a.calls as number) + 1);
    const last = emu.invocations({ function: 'sample' }).at(-1)!;
    expect(last).toMatchObject({ source: 'callFunction', outcome: 'ok', coldStart: false });
  });

  it('cloud.callFunction goes through the host, with identity and the SOURCE chain', async () => {
    const r = ok(await emu.invoke('sample', { action: 'callHelper' }, { openid: 'o-carol' }));
    expect(r).toMatchObject({ errMsg: 'callFunction:ok', requestID: expect.any(String) });
    expect(r.result).toEqual({
      got: { x: 1 },
      ctx: {
        OPENID: 'o-carol',
        APPID: DEFAULT_APPID,
        CLIENTIP: '127.0.0.1',
        ENV: 'fixture-env',
        SOURCE: 'wx_client,scf',
      },
    });
    const child = emu.invocations({ function: 'helper' }).at(-1)!;
    const parent = emu.invocations({ function: 'sample' }).at(-1)!;
    expect(child).toMatchObject({ source: 'function', parentId: parent.requestId, outcome: 'ok' });
    const missing = ok(await emu.invoke('sample', { action: 'callMissing' }));
    expect(missing.errCode).toBe(-501001);
    expect(missing.errMsg).toMatch(/^callFunction:fail -501001 .*function nope not found/);
  });

  it('database errors reach the function in the SDK format', async () => {
    const r = ok(await emu.invoke('sample', { action: 'missingCollection' }));
    expect(r.errCode).toBe(-502005);
    expect(r.errMsg).toMatch(
      /^collection\.add:fail -502005 database collection not exists\. \[ResourceNotFound\]/,
    );
  });

  it('counts the database requests of each invocation', async () => {
    ok(await emu.invoke('sample', { action: 'dbops' }));
    expect(emu.invocations({ function: 'sample' }).at(-1)!.dbRequests).toBe(3);
  });
});

describe('instances', () => {
  it('runs concurrent invocations in separate instances, each with its own identity', async () => {
    const users = Array.from({ length: 12 }, (_, i) => `o-user-${i}`);
    const results = await Promise.all(
      users.map((openid, i) => emu.invoke('sample', { action: 'sleep', ms: 40 + (i % 3) * 20 }, { openid })),
    );
    results.forEach((r, i) => {
      expect((ok(r).ctx as Record<string, unknown>).OPENID).toBe(users[i]);
    });
    const records = emu.invocations({ function: 'sample' }).slice(-12);
    expect(new Set(records.map((r) => r.instanceId)).size).toBe(12);
  });

  it('clears the per-invocation environment after each call', async () => {
    ok(await emu.invoke('sample', { action: 'whoami' }, { openid: 'o-dave' }));
    const first = emu.invocations({ function: 'sample' }).at(-1)!;
    // The next invocation on the same (warm, most recently used) instance comes without identity.
    const r = await emu.http('GET', '/sample/http?mode=echo');
    const echoed = JSON.parse(/CDATA\[(.*)\]\]>/s.exec(r.body)![1]!);
    expect(emu.invocations({ function: 'sample' }).at(-1)!.instanceId).toBe(first.instanceId);
    expect(echoed.ctx).toEqual({});
  });

  it('100 concurrent conditional updates from 100 instances: exactly one wins', async () => {
    await emu.db.collection('counters').insert({ _id: 'race', status: 'A' });
    const results = await Promise.all(
      Array.from({ length: 100 }, () => emu.invoke('sample', { action: 'claim', id: 'race' })),
    );
    const updated = results.map((r) => ok(r).updated);
    expect(updated.filter((u) => u === 1)).toHaveLength(1);
    expect(updated.filter((u) => u === 0)).toHaveLength(99);
    const instances = new Set(
      emu
        .invocations({ function: 'sample' })
        .slice(-100)
        .map((r) => r.instanceId),
    );
    expect(instances.size).toBe(100);
    expect(await emu.db.collection('counters').get('race')).toEqual({ _id: 'race', status: 'B' });
  });
});

describe.each<ContextKeysMode>(['empty', 'env-source'])('HTTP access and timers, context keys %s', (mode) => {
  const expectedCtx = (source: string) => (mode === 'empty' ? {} : { ENV: 'fixture-env', SOURCE: source });
  beforeAll(() => emu.configure({ contextKeysMode: mode }));
  afterAll(() => emu.configure({ contextKeysMode: 'empty', base64Bodies: true }));

  it('maps an XML POST to the integration event (base64 body) and the integration response back', async () => {
    const xml = '<xml><return_code><![CDATA[SUCCESS]]></return_code><attach>中文</attach></xml>';
    const r = await emu.http('POST', '/sample/http/sub?x=1', xml, {
      'content-type': 'text/xml',
      'X-Custom': 'v',
    });
    expect(r.status).toBe(201);
    expect(r.headers['content-type']).toBe('text/xml');
    expect(r.headers['x-echo']).toBe('yes');
    const echoed = JSON.parse(/CDATA\[(.*)\]\]><\/echo>/s.exec(r.body)![1]!);
    expect(echoed.event).toMatchObject({
      path: '/sample/http/sub',
      httpMethod: 'POST',
      headers: { 'content-type': 'text/xml', 'x-custom': 'v' },
      queryStringParameters: { x: '1' },
      requestContext: { envId: 'fixture-env' },
      isBase64Encoded: true,
    });
    expect(echoed.body).toBe(xml);
    expect(echoed.ctx).toEqual(expectedCtx('wx_http'));
    const record = emu.invocations({ source: 'http' }).at(-1)!;
    expect(echoed.event.requestContext.requestId).toBe(record.requestId);
  });

  it('sends bodies as text when base64 is switched off; JSON bodies are never encoded', async () => {
    emu.configure({ base64Bodies: false });
    const text = await emu.http('POST', '/sample/http', '<xml/>', { 'content-type': 'text/xml' });
    expect(JSON.parse(/CDATA\[(.*)\]\]><\/echo>/s.exec(text.body)![1]!).event).toMatchObject({
      isBase64Encoded: false,
      body: '<xml/>',
    });
    emu.configure({ base64Bodies: true });
    const json = await emu.http('POST', '/sample/http', '{"a":1}', { 'content-type': 'application/json' });
    expect(JSON.parse(/CDATA\[(.*)\]\]><\/echo>/s.exec(json.body)![1]!).event).toMatchObject({
      isBase64Encoded: false,
      body: '{"a":1}',
    });
  });

  it('plain results: objects become JSON, strings text; a throw is a 502', async () => {
    const o = await emu.http('GET', '/sample/http?mode=object');
    expect([o.status, o.headers['content-type'], JSON.parse(o.body)]).toEqual([
      200,
      'application/json; charset=utf-8',
      { hello: 'json' },
    ]);
    const s = await emu.http('GET', '/sample/http?mode=string');
    expect([s.status, s.body]).toEqual([200, 'plain text']);
    expect((await emu.http('GET', '/sample/http?mode=fail')).status).toBe(502);
    expect((await emu.http('GET', '/no/route')).status).toBe(404);
  });

  it('fires a timer trigger with the timer event and context', async () => {
    const before = await emu.db.collection('items').count({ kind: 'tick' });
    const viaHttp = await emu.http('POST', '/triggers/sample/tick');
    expect(viaHttp.status).toBe(200);
    expect(JSON.parse(viaHttp.body).invocation).toMatchObject({
      source: 'timer',
      trigger: 'tick',
      outcome: 'ok',
    });
    const record = await emu.fireTrigger('sample', 'tick');
    expect(record).toMatchObject({
      function: 'sample',
      source: 'timer',
      trigger: 'tick',
      outcome: 'ok',
      dbRequests: 1,
    });
    const ticks = await emu.db.collection('items').find({ kind: 'tick' });
    expect(ticks).toHaveLength(before + 2);
    const tick = ticks.at(-1)!;
    expect(tick.event).toEqual({
      Type: 'Timer',
      TriggerName: 'tick',
      Time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
      Message: '',
    });
    expect(tick.ctx).toEqual(expectedCtx('wx_trigger'));
    expect(tick.triggerSrc).toBe('timer');
    expect((await emu.http('POST', '/triggers/sample/nope')).status).toBe(404);
  });
});

describe('subscribe messages', () => {
  const send = (data: Record<string, unknown>) =>
    emu.invoke('sample', { action: 'send', touser: 'o-merchant', templateId: TPL, data });

  it('43101 without a grant; a granted message is recorded once; values are validated (47003)', async () => {
    const data = { thing1: { value: '订单已支付' }, amount2: { value: '¥12.50' } };
    expect(ok(await send(data))).toMatchObject({ ok: false, errCode: 43101 });
    const grant = await emu.http(
      'POST',
      '/control/subscriptions',
      JSON.stringify({ openid: 'o-merchant', templateId: TPL }),
    );
    expect(JSON.parse(grant.body)).toMatchObject({ remaining: 1 });
    const bad = ok(await send({ thing1: { value: 'x'.repeat(21) } }));
    expect(bad).toMatchObject({ ok: false, errCode: 47003 });
    expect(bad.errMsg).toMatch(/^openapi\.subscribeMessage\.send:fail argument invalid! data\.thing1\.value/);
    expect(ok(await send(data))).toEqual({
      ok: true,
      res: { errMsg: 'openapi.subscribeMessage.send:ok', errCode: 0 },
    });
    expect(ok(await send(data))).toMatchObject({ ok: false, errCode: 43101 });
    const messages = JSON.parse((await emu.http('GET', '/messages')).body).messages;
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatchObject({
      touser: 'o-merchant',
      templateId: TPL,
      page: 'pages/order/detail?id=1',
      miniprogramState: 'developer',
      data,
      function: 'sample',
    });
    expect(emu.messages()).toEqual(messages);
  });
});

describe('control calls', () => {
  it('GET / is emulator.json; the db and invocation calls work', async () => {
    const info = JSON.parse((await emu.http('GET', '/')).body);
    expect(info).toEqual(JSON.parse(JSON.stringify(emu.info)));
    expect(info.functions.sample).toMatchObject({
      callFunctionUrl: `${emu.baseUrl}/functions/sample`,
      httpUrls: [`${emu.baseUrl}/sample/http`],
      triggers: [{ name: 'tick', config: '0 0 3 * * * *', fireUrl: `${emu.baseUrl}/triggers/sample/tick` }],
      timeoutMs: 3000,
    });
    expect(info.choices).toMatchObject({
      httpBodyEncoding: 'base64 for non-JSON bodies',
      contextKeys: { http: 'empty' },
      duplicateId: expect.stringMatching(/^-502001 .*E11000 duplicate key/),
      integrationResponse: expect.stringMatching(/numeric statusCode/),
      transactionIsolation: expect.stringMatching(/^conflicts only on documents the transaction wrote/),
      subscriptionGrants: expect.stringMatching(/^accumulate/),
      httpAccessSource: 'wx_http',
      httpFailureReply: expect.stringMatching(/^502 .*"errorCode".*"errorMessage".*"requestId"/),
      beyondInstanceLimit: expect.stringMatching(/^queued/),
      collectionProvisioning: expect.stringMatching(/cloudbase-db\.json are created at start/),
      multiDocumentUpdate: expect.stringMatching(/atomically here.*must not rely on it/),
      workAfterReturn: expect.stringMatching(/refused/),
      envVariablesLimit: expect.stringMatching(/^4096 bytes .*UTF-8 bytes of every KEY=value pair/),
    });
    // Every side docs/emulator.md describes is written down, none left empty.
    expect(Object.keys(info.choices).sort()).toEqual(
      [
        'httpBodyEncoding',
        'integrationResponse',
        'contextKeys',
        'httpAccessSource',
        'httpFailureReply',
        'callFunctionIdentity',
        'callFunctionUserInfo',
        'timerTimeZone',
        'cronWeekDigits',
        'timerEventTime',
        'duplicateId',
        'createExistingCollection',
        'transactionIsolation',
        'multiDocumentUpdate',
        'serverDateOffset',
        'subscriptionGrants',
        'beyondInstanceLimit',
        'maxInstancesPerFunction',
        'afterTimeout',
        'timeoutScale',
        'workAfterReturn',
        'envVariablesLimit',
        'openapiPermissions',
        'collectionProvisioning',
        'updatedCounts',
        'securityRules',
        'clientGetLimit',
        'clientOwnerField',
        'shippingIndexing',
        'shippingFieldCodes',
        'shippingModification',
        'shippingOrderState',
        'shippingEnrolment',
        'feieStimeWindow',
        'feieErrorCodes',
        'feieContentLimit',
        'wecomRateLimit',
      ].sort(),
    );
    for (const v of Object.values(info.choices)) expect(v === '' || v === null).toBe(false);
    expect(info.collections).toEqual(expect.arrayContaining(['items', 'counters']));

    const seeded = await emu.http(
      'POST',
      '/db/products',
      JSON.stringify([
        { _id: 'p1', price: 100, at: { $date: '2024-01-01T00:00:00.000Z' } },
        { _id: 'p2', price: 5 },
      ]),
    );
    expect(JSON.parse(seeded.body)).toMatchObject({ created: true, ids: ['p1', 'p2'] });
    expect((await emu.db.collection('products').get('p1'))?.at).toEqual(new Date('2024-01-01T00:00:00Z'));
    const listed = JSON.parse(
      (await emu.http('GET', `/db/products?where=${encodeURIComponent('{"price":{"$gt":10}}')}`)).body,
    );
    expect(listed).toMatchObject({ collection: 'products', total: 1, data: [{ _id: 'p1', price: 100 }] });
    expect((await emu.http('GET', '/db/ghosts')).status).toBe(404);
    // put() upserts by _id: seeding twice is harmless.
    await emu.db.collection('products').put([{ _id: 'p2', price: 6 }]);
    await emu.db.collection('products').put([{ _id: 'p2', price: 6 }]);
    expect(await emu.db.collection('products').find({}, { orderBy: [['_id', 'asc']] })).toEqual([
      expect.objectContaining({ _id: 'p1' }),
      { _id: 'p2', price: 6 },
    ]);
    const invocations = JSON.parse((await emu.http('GET', '/invocations?function=helper')).body).invocations;
    expect(invocations.length).toBeGreaterThan(0);
    expect(invocations.every((r: { function: string }) => r.function === 'helper')).toBe(true);
  });
});

describe('timeouts and scheduled timers', () => {
  let short: Emulator;
  let clock: FakeClock;
  beforeAll(async () => {
    clock = new FakeClock(Date.parse('2024-01-01T18:59:59Z'));
    short = await startEmulator({
      repoRoot: FIXTURES,
      functions: ['sample'],
      timeoutScale: 0.1,
      maxInstancesPerFunction: 2,
      timerClock: clock,
      timerTimeZoneOffsetMinutes: 480,
    });
  });
  afterAll(() => short?.stop());

  it('a function past its timeout is stopped and reported; the next call gets a fresh instance', async () => {
    const r = await short.invoke('sample', { action: 'spin' });
    expect((r as { errMsg: string }).errMsg).toMatch(
      /error code -504002, error message Invoking task timed out after 0\.30 seconds/,
    );
    const record = short.invocations().at(-1)!;
    expect(record.outcome).toBe('timeout');
    const next = await short.invoke('sample', { action: 'counter' });
    expect(ok(next).calls).toBe(1);
    expect(short.invocations().at(-1)!.coldStart).toBe(true);
  });

  it('queues invocations beyond the instance limit', async () => {
    const results = await Promise.all(
      Array.from({ length: 5 }, (_, i) =>
        short.invoke('sample', { action: 'sleep', ms: 20 }, { openid: `q${i}` }),
      ),
    );
    results.forEach((r, i) => {
      expect((ok(r).ctx as Record<string, unknown>).OPENID).toBe(`q${i}`);
    });
    expect(short.instanceCounts()).toEqual({ sample: 2 });
  });

  it('runs config.json timers on schedule (03:00 Beijing time), on a virtual clock', async () => {
    expect(short.invocations({ source: 'timer' })).toHaveLength(0);
    clock.advance(1000);
    await new Promise<void>((resolve, reject) => {
      const t0 = Date.now();
      const poll = () => {
        const done = short.invocations({ source: 'timer' }).find((r) => r.outcome !== 'running');
        if (done) resolve();
        else if (Date.now() - t0 > 10_000) reject(new Error('timer did not run'));
        else setTimeout(poll, 10);
      };
      poll();
    });
    const [tick] = await short.db.collection('items').find({ kind: 'tick' });
    expect((tick!.event as Record<string, unknown>).Time).toBe('2024-01-01T19:00:00Z');
  });
});

describe('work after main returns (the cloud freezes the instance, spec §2.1, §8)', () => {
  let e: Emulator;
  const functionLog: Array<{ fn: string; level: string; text: string }> = [];
  beforeAll(async () => {
    e = await startEmulator({
      repoRoot: FIXTURES,
      functions: ['late', 'helper'],
      runTimers: false,
      functionLogs: (fn, level, text) => functionLog.push({ fn, level, text }),
    });
  });
  afterAll(() => e?.stop());

  it.each(['db', 'timer', 'callFunction', 'openapi'])(
    'refuses a %s request made after main returned, warns, and the warm instance goes on normally',
    async (kind) => {
      const fired = ok(await e.invoke('late', { action: 'fire', kind }));
      const first = e.invocations({ function: 'late' }).at(-1)!;
      expect(first).toMatchObject({ outcome: 'ok', dbRequests: 0 });

      const report = ok(await e.invoke('late', { action: 'report' }));
      const records = e.invocations({ function: 'late' });
      const firstNow = records.find((r) => r.requestId === first.requestId)!;
      const second = records.at(-1)!;
      // The late call was refused with an error saying why, and nothing happened.
      expect(report.late).toMatchObject({ served: false });
      const message = (report.late as { message: string }).message;
      expect(message).toContain(`invocation ${first.requestId} of function late had already ended`);
      expect(message).toContain('in the cloud the instance would be frozen');
      expect(report.lateDocs).toBe(0);
      expect(e.invocations({ function: 'helper' })).toHaveLength(0);
      expect(e.messages()).toHaveLength(0);
      // Warned on the invocation that left the work behind, and in the function log, naming the function.
      expect(firstNow.warnings).toHaveLength(1);
      expect(firstNow.warnings[0]).toMatch(
        new RegExp(`^function late: .* was made after invocation ${first.requestId} had ended`),
      );
      expect(firstNow.dbRequests).toBe(0);
      expect(functionLog).toContainEqual({ fn: 'late', level: 'warn', text: firstNow.warnings[0] });
      // The next invocation of the same warm instance works normally (its own request is served).
      expect(report.instanceTag).toBe(fired.instanceTag);
      expect(second).toMatchObject({
        outcome: 'ok',
        coldStart: false,
        instanceId: first.instanceId,
        dbRequests: 1,
        warnings: [],
      });
    },
  );

  it('serves requests made during the invocation as before', async () => {
    ok(await e.invoke('late', { action: 'report' }));
    expect(e.invocations({ function: 'late' }).at(-1)).toMatchObject({ dbRequests: 1, warnings: [] });
  });
});

describe('environment variables over 4 KB (spec §1.5)', () => {
  it('the function does not start; the error names it and the size, never the values', async () => {
    // sample: GREETING=hello (14 bytes) + SECRET=from-cloudbaserc (23) + PAD=… → exactly 4096 bytes, allowed.
    // helper: 2 050 characters, but 4 097 UTF-8 bytes.
    const e = await startEmulator({
      repoRoot: FIXTURES,
      functions: ['sample', 'helper'],
      runTimers: false,
      functionEnvOverrides: {
        sample: { PAD: 'a'.repeat(4096 - 37 - 4) },
        helper: { P: `${'é'.repeat(2047)}a` },
      },
    });
    try {
      expect(ok(await e.invoke('sample', { action: 'counter' })).calls).toBe(1);
      const r = (await e.invoke('helper', {})) as { errCode: number; errMsg: string };
      expect(r.errCode).toBe(-404011);
      expect(r.errMsg).toMatch(
        /error message function helper cannot start: its environment variables total 4097 bytes, over CloudBase's limit of 4096 bytes/,
      );
      expect(r.errMsg).not.toContain('é');
      expect(e.invocations({ function: 'helper' }).at(-1)).toMatchObject({ outcome: 'error' });
      expect(e.instanceCounts()).toEqual({ sample: 1, helper: 0 });
      expect(e.info.warnings).toEqual([
        expect.stringMatching(/^function helper cannot start: .* 4097 bytes/),
      ]);
    } finally {
      await e.stop();
    }
  });

  it('counts the merged variables: cloudbaserc.json, envOverrides and per-function overrides', async () => {
    const e = await startEmulator({
      repoRoot: FIXTURES,
      functions: ['sample'],
      runTimers: false,
      envOverrides: { ALL: 'a'.repeat(2000) },
      functionEnvOverrides: { sample: { MINE: 'b'.repeat(2100) } },
    });
    try {
      // 14 + 23 + 2004 + 2105 = 4146 bytes.
      const r = (await e.invoke('sample', { action: 'counter' })) as { errMsg: string };
      expect(r.errMsg).toMatch(/function sample cannot start: its environment variables total 4146 bytes/);
      expect(r.errMsg).toMatch(/largest: MINE \(2105 bytes\), ALL \(2004 bytes\), SECRET \(23 bytes\)/);
    } finally {
      await e.stop();
    }
  });
});

describe('persistence', () => {
  it('keeps the database across restarts, writes emulator.json, and --clean starts empty', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'emu-data-'));
    try {
      const first = await startEmulator({
        repoRoot: FIXTURES,
        functions: ['sample'],
        dataDir,
        runTimers: false,
      });
      const info = JSON.parse(readFileSync(path.join(dataDir, 'emulator.json'), 'utf8'));
      expect(info).toMatchObject({ baseUrl: first.baseUrl, dataDir });
      const { _id } = ok(await first.invoke('sample', { action: 'dbops' })) as { _id: string };
      await first.stop();
      expect(existsSync(path.join(dataDir, 'emulator.json'))).toBe(false);

      const second = await startEmulator({
        repoRoot: FIXTURES,
        functions: ['sample'],
        dataDir,
        runTimers: false,
      });
      expect(await second.db.collection('items').get(_id)).toEqual({ _id, kind: 'dbops', n: 2 });
      await second.stop();

      const third = await startEmulator({
        repoRoot: FIXTURES,
        functions: ['sample'],
        dataDir,
        clean: true,
        runTimers: false,
      });
      expect(await third.db.collection('items').count()).toBe(0);
      await third.stop();
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
