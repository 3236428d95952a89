// Contract tests of the database stand-in: shapes, errors, operators, update semantics, limits, transactions,
// persistence — through the SDK API functions use (CloudBase notes §4).

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type InProcessCloud, inProcessCloud } from '../../testing/in-process';
import type { Database } from './database';

type SDKErr = Error & { errCode: number; errMsg: string; code?: string };

async function rejection(p: Promise<unknown>): Promise<SDKErr> {
  try {
    await p;
  } catch (e) {
    return e as SDKErr;
  }
  throw new Error('expected a rejection');
}

const NOW = Date.UTC(2024, 0, 2, 3, 4, 5);
let env: InProcessCloud;
let db: Database;

beforeEach(() => {
  env = inProcessCloud({ now: () => NOW });
  env.cloud.init({ env: env.cloud.DYNAMIC_CURRENT_ENV });
  db = env.cloud.database();
  env.engine.createCollection('orders');
});
afterEach(() => env.close());

describe('init', () => {
  it('refuses database() before init and ignores a second init', async () => {
    const other = inProcessCloud();
    expect(() => other.cloud.database()).toThrow(/please call init first/);
    other.cloud.init({ throwOnNotFound: false });
    other.cloud.init({ throwOnNotFound: true }); // no effect (WSS defaultInit)
    other.engine.createCollection('c');
    expect(await other.cloud.database().collection('c').doc('none').get()).toEqual({
      data: null,
      errMsg: 'document.get:ok',
    });
    other.close();
  });
});

describe('shapes (spec §4.1)', () => {
  it('add returns {_id}; a supplied _id is kept; an array gives {_ids}', async () => {
    const a = await db.collection('orders').add({ data: { n: 1 } });
    expect(a).toEqual({ _id: expect.stringMatching(/^[0-9a-f]{32}$/), errMsg: 'collection.add:ok' });
    expect(await db.collection('orders').add({ data: { _id: 'mine', n: 2 } })).toEqual({
      _id: 'mine',
      errMsg: 'collection.add:ok',
    });
    const many = await db.collection('orders').add({ data: [{ n: 3 }, { _id: 'x4', n: 4 }] });
    expect(many._ids).toEqual([expect.any(String), 'x4']);
    expect((await db.collection('orders').count()).total).toBe(4);
  });

  it('doc get/set/update/remove', async () => {
    const ref = db.collection('orders').doc('o1');
    expect(await ref.set({ data: { a: { b: 1, c: 2 }, s: 'x' } })).toEqual({
      _id: 'o1',
      stats: { updated: 0, created: 1 },
      errMsg: 'document.set:ok',
    });
    expect(await ref.get()).toEqual({
      data: { _id: 'o1', a: { b: 1, c: 2 }, s: 'x' },
      errMsg: 'document.get:ok',
    });
    // set replaces the whole document
    expect((await ref.set({ data: { z: 1 } })).stats).toEqual({ updated: 1, created: 0 });
    expect((await ref.get()).data).toEqual({ _id: 'o1', z: 1 });
    // update merges nested objects (flattened into $set of leaves, spec §4.3)
    await ref.set({ data: { a: { b: 1, c: 2 } } });
    expect(await ref.update({ data: { a: { b: 9 }, d: undefined } })).toEqual({
      stats: { updated: 1 },
      errMsg: 'document.update:ok',
    });
    expect((await ref.get()).data).toEqual({ _id: 'o1', a: { b: 9, c: 2 } });
    expect(await ref.remove()).toEqual({ stats: { removed: 1 }, errMsg: 'document.remove:ok' });
    expect(await ref.remove()).toEqual({ stats: { removed: 0 }, errMsg: 'document.remove:ok' });
  });

  it('update of a missing document is updated: 0, not an error', async () => {
    expect(
      await db
        .collection('orders')
        .doc('ghost')
        .update({ data: { a: 1 } }),
    ).toEqual({
      stats: { updated: 0 },
      errMsg: 'document.update:ok',
    });
  });

  it('where().get/update/remove/count shapes', async () => {
    await db.collection('orders').add({ data: [{ s: 'A' }, { s: 'A' }, { s: 'B' }] });
    const got = await db.collection('orders').where({ s: 'A' }).get();
    expect(got.errMsg).toBe('collection.get:ok');
    expect(got.data).toHaveLength(2);
    expect(await db.collection('orders').where({ s: 'A' }).count()).toEqual({
      total: 2,
      errMsg: 'collection.count:ok',
    });
    expect(
      await db
        .collection('orders')
        .where({ s: 'A' })
        .update({ data: { s: 'C' } }),
    ).toEqual({
      stats: { updated: 2 },
      errMsg: 'collection.update:ok',
    });
    expect(await db.collection('orders').where({ s: 'B' }).remove()).toEqual({
      stats: { removed: 1 },
      errMsg: 'collection.remove:ok',
    });
    expect(
      (
        await db
          .collection('orders')
          .where({ s: 'C' })
          .update({ data: { t: 1 }, multi: false })
      ).stats,
    ).toEqual({
      updated: 1,
    });
  });

  it('createCollection creates once; the second call fails', async () => {
    expect(await db.createCollection('fresh')).toEqual({
      errMsg: 'createCollection:ok',
      requestId: expect.any(String),
    });
    expect((await rejection(db.createCollection('fresh'))).errCode).toBe(-501001);
  });
});

describe('errors (spec §3.4, §4.4)', () => {
  it('missing collection → -502005 with the cloud text', async () => {
    const e = await rejection(
      db
        .collection('nope')
        .where({ a: 1 })
        .update({ data: { a: 2 } }),
    );
    expect(e.errCode).toBe(-502005);
    expect(e.message).toBe(e.errMsg);
    expect(e.errMsg).toMatch(
      /^collection\.update:fail -502005 database collection not exists\. \[ResourceNotFound\] Db or Table not exist\./,
    );
    expect((await rejection(db.collection('nope').add({ data: { a: 1 } }))).errCode).toBe(-502005);
    expect((await rejection(db.collection('nope').doc('x').get())).errCode).toBe(-502005);
  });

  it('doc().get() of a missing document rejects unless throwOnNotFound is false', async () => {
    const e = await rejection(db.collection('orders').doc('ghost').get());
    expect(e.errCode).toBe(-1);
    expect(e.errMsg).toBe('document.get:fail document with _id ghost does not exist');
    const lenient = env.cloud.database({ throwOnNotFound: false });
    expect(await lenient.collection('orders').doc('ghost').get()).toEqual({
      data: null,
      errMsg: 'document.get:ok',
    });
  });

  it('duplicate _id on add rejects and writes nothing', async () => {
    await db.collection('orders').add({ data: { _id: 'dup', v: 1 } });
    const e = await rejection(db.collection('orders').add({ data: { _id: 'dup', v: 2 } }));
    expect(e.errCode).toBe(-502001);
    expect(e.errMsg).toMatch(/^collection\.add:fail -502001 database request fail\. .*duplicate key/);
    expect((await db.collection('orders').doc('dup').get()).data).toEqual({ _id: 'dup', v: 1 });
  });

  it('refuses _id in update/set data, commands in set, empty data', async () => {
    await db.collection('orders').add({ data: { _id: 'o', v: 1 } });
    const u = await rejection(
      db
        .collection('orders')
        .doc('o')
        .update({ data: { _id: 'p' } }),
    );
    expect([u.errCode, u.errMsg]).toEqual([
      -501007,
      'document.update:fail -501007 invalid parameters. 不能更新_id的值',
    ]);
    expect(
      (
        await rejection(
          db
            .collection('orders')
            .where({ v: 1 })
            .update({ data: { _id: 'p' } }),
        )
      ).errCode,
    ).toBe(-501007);
    expect(
      (
        await rejection(
          db
            .collection('orders')
            .doc('o')
            .set({ data: { _id: 'o' } }),
        )
      ).errCode,
    ).toBe(-501007);
    const s = await rejection(
      db
        .collection('orders')
        .doc('o')
        .set({ data: { v: db.command.inc(1) } }),
    );
    expect(s.errMsg).toBe('document.set:fail -502001 database request fail. update operator complicit');
    expect((await rejection(db.collection('orders').doc('o').update({ data: {} }))).errCode).toBe(-501007);
  });

  it('where() with all-undefined values throws; a mix is fine', () => {
    expect(() => db.collection('orders').where({ a: undefined, b: undefined })).toThrow(/不能均为undefined/);
    expect(() => db.collection('orders').where({ a: undefined, b: 1 })).not.toThrow();
    expect(() => db.collection('orders').where('x' as never)).toThrow();
  });

  it('unsupported operators are refused, not ignored', async () => {
    const e = await rejection(
      db
        .collection('orders')
        .where({ a: { $where: 'x' } })
        .get(),
    );
    expect(e.errCode).toBe(-502002);
  });
});

describe('queries and commands (spec §4.3)', () => {
  const _ = () => db.command;
  beforeEach(async () => {
    await db.collection('orders').add({
      data: [
        { _id: '1', n: 1, s: 'a', tags: ['x', 'y'], payer: { openid: 'p1', name: 'A' } },
        { _id: '2', n: 2, s: 'b', tags: ['y'], payer: { openid: 'p2' } },
        { _id: '3', n: 3, s: 'c', flag: null },
        { _id: '4', n: 4, s: 'd', flag: true },
      ],
    });
  });
  const ids = async (
    q: ReturnType<Database['collection']>['where'] extends (...a: never[]) => infer R ? R : never,
  ) => (await q.orderBy('_id', 'asc').get()).data.map((d) => d._id);
  const where = (q: Record<string, unknown>) => db.collection('orders').where(q);

  it('comparison and membership', async () => {
    expect(await ids(where({ n: _().eq(2) }))).toEqual(['2']);
    expect(await ids(where({ n: _().neq(2) }))).toEqual(['1', '3', '4']);
    expect(await ids(where({ n: _().gt(2) }))).toEqual(['3', '4']);
    expect(await ids(where({ n: _().gte(2) }))).toEqual(['2', '3', '4']);
    expect(await ids(where({ n: _().lt(2) }))).toEqual(['1']);
    expect(await ids(where({ n: _().lte(2) }))).toEqual(['1', '2']);
    expect(await ids(where({ s: _().in(['a', 'd']) }))).toEqual(['1', '4']);
    expect(await ids(where({ s: _().nin(['a', 'd']) }))).toEqual(['2', '3']);
    expect(await ids(where({ tags: 'y' }))).toEqual(['1', '2']); // array containment
  });

  it('exists, null and logic', async () => {
    expect(await ids(where({ flag: _().exists(true) }))).toEqual(['3', '4']);
    expect(await ids(where({ flag: _().exists(false) }))).toEqual(['1', '2']);
    expect(await ids(where({ flag: null }))).toEqual(['1', '2', '3']); // null matches missing, as in MongoDB
    expect(await ids(where({ n: _().gt(1).and(_().lt(4)) }))).toEqual(['2', '3']);
    expect(await ids(where({ n: _().lt(2).or(_().gt(3)) }))).toEqual(['1', '4']);
    expect(await ids(db.collection('orders').where(_().or([{ s: 'a' }, { n: 4 }])))).toEqual(['1', '4']);
    expect(await ids(db.collection('orders').where(_().and([{ n: _().gt(1) }, { n: _().lt(3) }])))).toEqual([
      '2',
    ]);
  });

  it('nested objects in where() are flattened: payer.openid only, not whole-object equality', async () => {
    expect(await ids(where({ payer: { openid: 'p1' } }))).toEqual(['1']);
    expect(await ids(where({ 'payer.openid': 'p2' }))).toEqual(['2']);
    expect(await ids(where({ payer: _().eq({ openid: 'p2' }) }))).toEqual(['2']);
  });

  it('orderBy, skip, limit, field', async () => {
    const r = await db.collection('orders').orderBy('n', 'desc').skip(1).limit(2).field({ n: true }).get();
    expect(r.data).toEqual([
      { _id: '3', n: 3 },
      { _id: '2', n: 2 },
    ]);
    expect((await db.collection('orders').doc('1').field({ payer: false, tags: false }).get()).data).toEqual({
      _id: '1',
      n: 1,
      s: 'a',
    });
    expect(() => db.collection('orders').limit(1.5)).toThrow();
    expect(() => db.collection('orders').orderBy('n', 'up' as 'asc')).toThrow();
  });

  it('update commands: inc, set, remove, push; serverDate at write time', async () => {
    const ref = db.collection('orders').doc('1');
    await ref.update({
      data: {
        n: _().inc(10),
        payer: _().set({ openid: 'q' }),
        s: _().remove(),
        tags: _().push('z'),
        at: db.serverDate(),
        later: db.serverDate({ offset: 1000 }),
      },
    });
    await ref.update({ data: { tags: _().push(['m', 'n']), h: _().push({ from: 'A', to: 'B' }) } });
    const d = (await ref.get()).data!;
    expect(d).toEqual({
      _id: '1',
      n: 11,
      payer: { openid: 'q' },
      tags: ['x', 'y', 'z', 'm', 'n'],
      h: [{ from: 'A', to: 'B' }],
      at: new Date(NOW),
      later: new Date(NOW + 1000),
    });
    expect(d.at).toBeInstanceOf(Date);
  });
});

describe('limits (spec §4.2)', () => {
  it('get() returns 100 by default and at most 1000', async () => {
    const docs = Array.from({ length: 1200 }, (_, i) => ({ i }));
    await db.collection('orders').add({ data: docs });
    expect((await db.collection('orders').get()).data).toHaveLength(100);
    expect((await db.collection('orders').limit(5000).get()).data).toHaveLength(1000);
    expect((await db.collection('orders').skip(1150).limit(1000).get()).data).toHaveLength(50);
    expect((await db.collection('orders').count()).total).toBe(1200);
  });
});

describe('conditional update (spec §4.6)', () => {
  it('100 concurrent where({_id, status}) updates: exactly one wins', async () => {
    await db.collection('orders').add({ data: { _id: 'o', status: 'A' } });
    const results = await Promise.all(
      Array.from({ length: 100 }, () =>
        db
          .collection('orders')
          .where({ _id: 'o', status: 'A' })
          .update({ data: { status: 'B' } }),
      ),
    );
    expect(results.filter((r) => r.stats.updated === 1)).toHaveLength(1);
  });
});

describe('transactions (spec §4.5)', () => {
  beforeEach(async () => {
    await db.collection('orders').add({
      data: [
        { _id: 'a', v: 10 },
        { _id: 'b', v: 0 },
      ],
    });
  });

  it('commits single-document operations atomically and returns the callback value', async () => {
    const out = await db.runTransaction(async (t) => {
      const a = await t.collection('orders').doc('a').get();
      await t
        .collection('orders')
        .doc('a')
        .update({ data: { v: db.command.inc(-5) } });
      await t
        .collection('orders')
        .doc('b')
        .update({ data: { v: (a.data!.v as number) - 5 } });
      await t.collection('orders').add({ data: { _id: 'c', v: 1 } });
      return 'done';
    });
    expect(out).toBe('done');
    const all = (await db.collection('orders').orderBy('_id', 'asc').get()).data;
    expect(all.map((d) => d.v)).toEqual([5, 5, 1]);
  });

  it('a throwing callback writes nothing; rollback(reason) rejects with reason', async () => {
    await expect(
      db.runTransaction(async (t) => {
        await t
          .collection('orders')
          .doc('a')
          .update({ data: { v: 0 } });
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    await expect(
      db.runTransaction(async (t) => {
        await t
          .collection('orders')
          .doc('a')
          .update({ data: { v: 0 } });
        await t.rollback('nope');
      }),
    ).rejects.toBe('nope');
    expect((await db.collection('orders').doc('a').get()).data!.v).toBe(10);
  });

  it('reruns the whole callback on a commit conflict', async () => {
    let runs = 0;
    const out = await db.runTransaction(async (t) => {
      runs++;
      const a = (await t.collection('orders').doc('a').get()).data!;
      // First run: another writer changes the document after the transaction read it.
      if (runs === 1)
        await db
          .collection('orders')
          .doc('a')
          .update({ data: { v: db.command.inc(1) } });
      await t
        .collection('orders')
        .doc('a')
        .update({ data: { v: (a.v as number) * 2 } });
      return a.v;
    });
    expect(runs).toBe(2);
    expect(out).toBe(11);
    expect((await db.collection('orders').doc('a').get()).data!.v).toBe(22);
  });

  it('gives up after `times` conflicting runs with -501001 (the conflict code is kept)', async () => {
    let runs = 0;
    const e = await rejection(
      db.runTransaction(async (t) => {
        runs++;
        await t.collection('orders').doc('a').get();
        await db
          .collection('orders')
          .doc('a')
          .update({ data: { v: db.command.inc(1) } });
        await t
          .collection('orders')
          .doc('a')
          .update({ data: { v: 0 } });
      }, 2),
    );
    expect(runs).toBe(2);
    expect(e.errCode).toBe(-501001);
    expect(e.code).toBe('DATABASE_TRANSACTION_CONFLICT');
  });

  it('only documents written are checked: a read-only document changed meanwhile is no conflict', async () => {
    let runs = 0;
    await db.runTransaction(async (t) => {
      runs++;
      await t.collection('orders').doc('b').get();
      if (runs === 1)
        await db
          .collection('orders')
          .doc('b')
          .update({ data: { v: 99 } });
      await t
        .collection('orders')
        .doc('a')
        .update({ data: { v: 1 } });
    });
    expect(runs).toBe(1);
  });

  it('refuses batch operations and reports missing documents like the SDK', async () => {
    const t = await db.startTransaction();
    expect(() => t.collection('orders').where()).toThrow(/single-document/);
    expect((await rejection(t.collection('orders').doc('ghost').get())).errMsg).toMatch(/does not exist/);
    await t.rollback();
  });
});

describe('request counting', () => {
  it('counts one request per database call', async () => {
    const before = env.requests;
    await db.collection('orders').add({ data: { _id: 'z', s: 'A' } });
    await db.collection('orders').doc('z').get();
    await db
      .collection('orders')
      .where({ _id: 'z', s: 'A' })
      .update({ data: { s: 'B' } });
    expect(env.requests - before).toBe(3);
  });
});

describe('persistence', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'emu-db-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('survives a restart, dates included; a torn last line is ignored', async () => {
    const file = path.join(dir, 'db.jsonl');
    const first = inProcessCloud({ file, now: () => NOW });
    first.cloud.init();
    const d1 = first.cloud.database();
    await d1.createCollection('orders');
    await d1.collection('orders').add({ data: { _id: 'p', at: d1.serverDate(), n: 1 } });
    await d1
      .collection('orders')
      .doc('p')
      .update({ data: { n: d1.command.inc(1) } });
    await d1.runTransaction(async (t) => {
      await t.collection('orders').add({ data: { _id: 'q' } });
    });
    first.close();
    writeFileSync(file, `${readFileSync(file, 'utf8')}{"t":"p","c":"orders","d":{"_id":"torn"`);

    const second = inProcessCloud({ file });
    second.cloud.init();
    const d2 = second.cloud.database({ throwOnNotFound: false });
    expect((await d2.collection('orders').doc('p').get()).data).toEqual({
      _id: 'p',
      at: new Date(NOW),
      n: 2,
    });
    expect((await d2.collection('orders').doc('q').get()).data).toEqual({ _id: 'q' });
    expect((await d2.collection('orders').doc('torn').get()).data).toBeNull();
    // Replayed and compacted to one line per collection and document.
    expect(readFileSync(file, 'utf8').trim().split('\n')).toHaveLength(3);
    second.close();
  });
});
