// The client-side database under owner-based rules (the Shouyin rules themselves are tested end to end in
// test/client-db.test.ts): what a mini-program user may read and write, and what is refused before any change.
import { describe, expect, it } from 'vitest';
import { Engine } from '../db/engine';
import { parseSecurityRules } from '../db/security-rules';
import { DbService } from '../db/service';
import { CLIENT_GET_LIMIT, clientDbRequest } from './client-db';
import { reviveDates } from './emulator';

function setup() {
  const engine = Engine.open();
  for (const c of ['notes', 'products', 'orders']) engine.createCollection(c);
  const db = new DbService(engine);
  const rules = parseSecurityRules({
    notes: { read: 'doc._openid == auth.openid', write: 'doc._openid == auth.openid' },
    products: { read: true, write: false },
  });
  const ctx = { engine, db, rules, revive: reviveDates };
  const call = (collection: string, body: unknown, openid?: string) =>
    clientDbRequest(ctx, collection, body, { openid });
  return { engine, call };
}

describe('client database', () => {
  it('add stores the caller as _openid; the owner reads and updates, another user cannot', () => {
    const { engine, call } = setup();
    const added = call(
      'notes',
      { action: 'add', data: { text: 'hi', at: { $date: '2026-01-01T00:00:00Z' } } },
      'o-alice',
    );
    expect(added.status).toBe(200);
    const id = (added.body as { _id: string })._id;
    expect(engine.get('notes', id)!.doc).toMatchObject({
      _openid: 'o-alice',
      text: 'hi',
      at: new Date('2026-01-01T00:00:00Z'),
    });
    expect(call('notes', { action: 'doc.get', id }, 'o-alice').body).toMatchObject({
      errMsg: 'document.get:ok',
    });
    expect(call('notes', { action: 'get', where: { _openid: 'o-alice' } }, 'o-alice').body).toMatchObject({
      data: [{ _id: id }],
      errMsg: 'collection.get:ok',
    });
    const other = call('notes', { action: 'doc.get', id }, 'o-bob');
    expect(other).toMatchObject({ status: 403, body: { errCode: -502003 } });
    expect((other.body as { errMsg: string }).errMsg).toMatch(
      /^document\.get:fail -502003 database permission denied\./,
    );
    expect(call('notes', { action: 'get', where: { _openid: 'o-alice' } }, 'o-bob').status).toBe(403);
    expect(call('notes', { action: 'get' }, 'o-alice').status).toBe(403);
    expect(call('notes', { action: 'doc.update', id, data: { text: 'x' } }, 'o-bob').status).toBe(403);
    expect(call('notes', { action: 'doc.remove', id }, 'o-bob').status).toBe(403);
    expect(engine.get('notes', id)!.doc.text).toBe('hi');
    expect(
      call('notes', { action: 'doc.update', id, data: { text: 'edited' } }, 'o-alice').body,
    ).toMatchObject({
      stats: { updated: 1 },
      errMsg: 'document.update:ok',
    });
    expect(engine.get('notes', id)!.doc.text).toBe('edited');
  });

  it('the owner field cannot be forged or moved, and an anonymous caller cannot add', () => {
    const { engine, call } = setup();
    expect(call('notes', { action: 'add', data: { _openid: 'o-bob' } }, 'o-alice')).toMatchObject({
      status: 400,
      body: { errCode: -501007 },
    });
    const id = (call('notes', { action: 'add', data: { n: 1 } }, 'o-alice').body as { _id: string })._id;
    expect(call('notes', { action: 'doc.update', id, data: { _openid: 'o-bob' } }, 'o-alice').status).toBe(
      400,
    );
    expect(call('notes', { action: 'doc.set', id, data: { n: 2 } }, 'o-alice').status).toBe(200);
    expect(engine.get('notes', id)!.doc).toEqual({ _id: id, n: 2, _openid: 'o-alice' });
    expect(call('notes', { action: 'add', data: { n: 1 } }).status).toBe(403);
  });

  it('read-only products: anyone reads (at most 20 at a time), no client writes', () => {
    const { engine, call } = setup();
    engine.insert(
      'products',
      Array.from({ length: 25 }, (_, i) => ({ _id: `p${String(i).padStart(2, '0')}`, priceFee: 100 + i })),
    );
    const all = call('products', { action: 'get', limit: 100, orderBy: [['priceFee', 'desc']] });
    expect(all.status).toBe(200);
    const data = (all.body as { data: Array<{ _id: string }> }).data;
    expect(data).toHaveLength(CLIENT_GET_LIMIT);
    expect(data[0]!._id).toBe('p24');
    expect(call('products', { action: 'count' }).body).toMatchObject({ total: 25 });
    expect(
      call('products', { action: 'doc.update', id: 'p00', data: { priceFee: 1 } }, 'o-alice').status,
    ).toBe(403);
    expect(call('products', { action: 'update', where: {}, data: { priceFee: 1 } }, 'o-alice').status).toBe(
      403,
    );
    expect(call('products', { action: 'add', data: { priceFee: 1 } }, 'o-alice').status).toBe(403);
    expect(call('products', { action: 'remove', where: {} }, 'o-alice').status).toBe(403);
    expect(engine.get('products', 'p00')!.doc.priceFee).toBe(100);
    expect(engine.size('products')).toBe(25);
  });

  it('no rule: denied; bad requests and missing collections answer in the SDK shape', () => {
    const { call } = setup();
    expect(call('orders', { action: 'get', where: { _openid: 'o-alice' } }, 'o-alice').status).toBe(403);
    expect(call('nope', { action: 'get' }, 'o-alice')).toMatchObject({
      status: 404,
      body: { errCode: -502005 },
    });
    expect(call('notes', { action: 'drop' }, 'o-alice')).toMatchObject({
      status: 400,
      body: { errCode: -501007 },
    });
    expect(call('notes', { action: 'doc.get' }, 'o-alice').status).toBe(400);
  });
});
