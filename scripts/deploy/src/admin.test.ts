// The admin scripts through the emulator adapter (`--local`): the CLI against a running emulator's management
// API over HTTP, checked through the emulator's own database and GET /admin/collections.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../../test/support/paths';
import { type Emulator, startEmulator } from '../../emulator/src/lib/emulator';
import { parseCatalogue, parseCsv } from './lib/admin/catalogue';
import { EmulatorAdmin } from './lib/admin/emulator-adapter';
import { addMerchantOpenid } from './lib/admin/use-cases';

const FIXTURES = path.join(REPO_ROOT, 'scripts/emulator/test-fixtures');
const tmp = mkdtempSync(path.join(os.tmpdir(), 'shouyin-admin-test-'));
let emu: Emulator;
beforeAll(async () => {
  // The fixture project provisions only its own collections: Shouyin's are created by `admin provision`.
  emu = await startEmulator({ repoRoot: FIXTURES, functions: [], runTimers: false });
});
afterAll(async () => {
  await emu?.stop();
  rmSync(tmp, { recursive: true, force: true });
});

/** Runs the built CLI (asynchronously: the emulator answering it lives in this process). */
function admin(...args: string[]): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      [
        path.join(REPO_ROOT, 'scripts/deploy/dist/admin.js'),
        '--repo',
        REPO_ROOT,
        '--local',
        emu.baseUrl,
        ...args,
      ],
      { cwd: REPO_ROOT, env: { PATH: process.env.PATH ?? '', HOME: tmp } },
    );
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('close', (code) => resolve({ code, out }));
  });
}

describe('npm run admin -- --local', () => {
  it('provision creates the collections with their security rules and indexes, idempotently', async () => {
    expect(emu.db.collections()).not.toContain('orders');
    const first = await admin('provision');
    expect(first.code).toBe(0);
    expect(first.out).toContain('orders: created');
    expect((await admin('provision')).out).toContain('orders: exists');
    const res = await emu.http('GET', '/admin/collections');
    const list = JSON.parse(res.body).collections as { name: string; indexes: unknown[]; rule: unknown }[];
    const orders = list.find((c) => c.name === 'orders')!;
    expect(orders.rule).toEqual({ read: false, write: false });
    expect(orders.indexes).toContainEqual({
      name: 'status_nextCheckAt',
      keys: [
        ['status', 1],
        ['nextCheckAt', 1],
      ],
    });
    for (const c of ['orders', 'refunds', 'requests', 'alerts', 'products', 'merchants'])
      expect(list.map((x) => x.name)).toContain(c);
  });

  it('imports a CSV catalogue in whole fen, and refuses a yuan price without writing anything', async () => {
    const csv = path.join(tmp, 'catalogue.csv');
    writeFileSync(
      csv,
      '_id,name,priceFee,onSale\nlatte,"拿铁, 大杯",1800,true\ntea,"He said ""hi""",900,0\n',
    );
    expect(await admin('import-catalogue', csv)).toMatchObject({ code: 0 });
    expect(await emu.db.collection('products').get('latte')).toEqual({
      _id: 'latte',
      name: '拿铁, 大杯',
      priceFee: 1800,
      onSale: true,
    });
    expect(await emu.db.collection('products').get('tea')).toMatchObject({
      name: 'He said "hi"',
      onSale: false,
    });
    const bad = path.join(tmp, 'bad.json');
    writeFileSync(
      bad,
      JSON.stringify({
        products: [
          { _id: 'cake', name: '蛋糕', priceFee: 26 },
          { _id: 'pie', name: '派', priceFee: '18.50' },
        ],
      }),
    );
    const r = await admin('import-catalogue', bad);
    expect(r.code).toBe(1);
    expect(r.out).toContain('did you mean 1850');
    expect(await emu.db.collection('products').get('cake')).toBeNull();
  });

  it('adds and removes merchant openids idempotently, and binds and unbinds a printer', async () => {
    expect((await admin('merchant', 'add', 'shop', 'o-owner-123456', '--name', '小店')).code).toBe(0);
    expect((await admin('merchant', 'add', 'shop', 'o-owner-123456')).code).toBe(0);
    expect((await admin('merchant', 'add', 'shop', 'o-clerk-123456', '--role', 'reviewer')).code).toBe(0);
    expect(await emu.db.collection('merchants').get('shop')).toEqual({
      _id: 'shop',
      name: '小店',
      reviewerOpenids: ['o-owner-123456', 'o-clerk-123456'],
      alertOpenids: ['o-owner-123456'],
    });
    expect((await admin('merchant', 'remove', 'shop', 'o-owner-123456', '--role', 'reviewer')).code).toBe(0);
    expect(await emu.db.collection('merchants').get('shop')).toMatchObject({
      reviewerOpenids: ['o-clerk-123456'],
      alertOpenids: ['o-owner-123456'],
    });
    expect(await admin('merchant', 'remove', 'nobody', 'o-owner-123456')).toMatchObject({ code: 1 });
    expect((await admin('merchant', 'add', 'shop', 'bad id!')).out).toContain('openid:');

    expect((await admin('printer', 'bind', 'shop', '--sn', '918510123', '--copies', '2')).code).toBe(0);
    expect(await emu.db.collection('merchants').get('shop')).toMatchObject({
      printer: { provider: 'feie', sn: '918510123', copies: 2 },
    });
    expect((await admin('printer', 'unbind', 'shop')).code).toBe(0);
    expect(await emu.db.collection('merchants').get('shop')).not.toHaveProperty('printer');
    expect((await admin('printer', 'bind', 'ghost', '--sn', '918510123')).out).toContain('no merchant ghost');
  });

  it('concurrent adds of different openids all land, also on a merchant they create (create-if-absent + atomic updates)', async () => {
    const port = new EmulatorAdmin(emu.baseUrl);
    await addMerchantOpenid(port, 'busy', 'o-first-000000', 'both');
    const ids = Array.from({ length: 20 }, (_, i) => `o-staff-${String(i).padStart(6, '0')}`);
    await Promise.all(ids.map((o) => addMerchantOpenid(port, 'busy', o, 'reviewer')));
    const doc = await emu.db.collection('merchants').get('busy');
    expect([...((doc?.reviewerOpenids ?? []) as string[])].sort()).toEqual(['o-first-000000', ...ids].sort());
    // a merchant that does not exist yet, created by concurrent adds: one creation wins, every openid lands
    await Promise.all(ids.map((o) => addMerchantOpenid(port, 'fresh', o, 'alert')));
    const fresh = await emu.db.collection('merchants').get('fresh');
    expect([...((fresh?.alertOpenids ?? []) as string[])].sort()).toEqual([...ids].sort());
    expect(fresh?.reviewerOpenids).toEqual([]);
  });

  it('the management API refuses a unique index (not emulated) and a missing collection', async () => {
    const ix = await emu.http(
      'PUT',
      '/admin/collections/orders/indexes',
      JSON.stringify({ indexes: [{ name: 'u', keys: [['outTradeNo', 1]], unique: true }] }),
    );
    expect(ix.status).toBe(400);
    expect((await emu.http('PUT', '/admin/collections/nope/rule', JSON.stringify({ rule: {} }))).status).toBe(
      404,
    );
  });
});

describe('catalogue parsing', () => {
  it('reads quoted CSV fields and refuses duplicates, bad ids and empty names', () => {
    expect(parseCsv('a,b\r\n"x,""y""",z\n')).toEqual([
      ['a', 'b'],
      ['x,"y"', 'z'],
    ]);
    expect(() =>
      parseCatalogue('[{"_id":"a","name":"A","priceFee":1},{"_id":"a","name":"B","priceFee":2}]', 'json'),
    ).toThrow('appears twice');
    expect(() => parseCatalogue('_id,name,priceFee\na b,A,1\n', 'csv')).toThrow('_id must be');
    expect(() => parseCatalogue('_id,name,priceFee\na,,1\n', 'csv')).toThrow('name must be');
    expect(() => parseCatalogue('_id,name,priceFee\na,A,0\n', 'csv')).toThrow('whole number of fen');
  });
});
