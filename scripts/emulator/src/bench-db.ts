// Engine measurement: the emulator's own store (src/db/engine.ts: in-memory maps + append-only journal) against
// @seald-io/nedb, on the operations the functions make. Run: node scripts/emulator/dist/bench-db.js [N]
// Results go to docs/emulator.md ("Database engine").

import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Datastore from '@seald-io/nedb';
import { Engine } from './db/engine';

const N = Number(process.argv[2] ?? 10_000);
const UPDATES = 1_000;
const QUERIES = 200;

interface Store {
  insert(doc: Record<string, unknown>): Promise<void>;
  claim(id: string): Promise<number>;
  findByStatus(status: string): Promise<number>;
  close(): Promise<void>;
}

function ours(file?: string): Store {
  const e = Engine.open(file);
  e.createCollection('orders');
  return {
    insert: async (d) => {
      e.insert('orders', [d]);
    },
    claim: async (id) =>
      e.updateMatching('orders', { _id: id, status: 'NOTPAY' }, { $set: { status: 'PAID' } }, true).updated,
    findByStatus: async (s) => e.find('orders', { status: s }, { limit: 1000 }).length,
    close: async () => e.close(),
  };
}

async function nedb(file?: string): Promise<Store> {
  const db = new Datastore(file ? { filename: file } : { inMemoryOnly: true });
  await db.loadDatabaseAsync();
  return {
    insert: async (d) => {
      await db.insertAsync(d);
    },
    claim: async (id) =>
      (await db.updateAsync({ _id: id, status: 'NOTPAY' }, { $set: { status: 'PAID' } })).numAffected,
    findByStatus: async (s) => (await db.findAsync({ status: s }).limit(1000)).length,
    close: async () => db.compactDatafileAsync(),
  };
}

async function time(f: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await f();
  return performance.now() - t0;
}

async function run(name: string, open: (file?: string) => Store | Promise<Store>, file?: string) {
  const s = await open(file);
  const ids = Array.from({ length: N }, (_, i) => `SY${String(i).padStart(12, '0')}`);
  const insertMs = await time(async () => {
    for (const [i, id] of ids.entries()) {
      await s.insert({
        _id: id,
        status: i % 10 === 0 ? 'PAID' : 'NOTPAY',
        totalFee: i,
        openid: `o${i % 97}`,
        lines: [{ p: 'a', q: 1 }],
      });
    }
  });
  let won = 0;
  const claimMs = await time(async () => {
    for (let i = 0; i < UPDATES; i++) won += await s.claim(ids[(i * 7919) % N]!);
  });
  const queryMs = await time(async () => {
    for (let i = 0; i < QUERIES; i++) await s.findByStatus(i % 2 ? 'PAID' : 'REFUNDED');
  });
  await s.close();
  let reopenMs: number | undefined;
  let bytes: number | undefined;
  if (file) {
    bytes = statSync(file).size;
    reopenMs = await time(async () => (await open(file)).close());
  }
  const us = (ms: number, n: number) => `${((ms * 1000) / n).toFixed(1)} µs/op`;
  console.log(
    [
      `${name.padEnd(22)}`,
      `insert ${us(insertMs, N)}`,
      `conditional update ${us(claimMs, UPDATES)} (${won} won)`,
      `scan query ${(queryMs / QUERIES).toFixed(2)} ms/op`,
      reopenMs === undefined ? '' : `reopen ${reopenMs.toFixed(0)} ms, file ${(bytes! / 1e6).toFixed(2)} MB`,
    ].join(' | '),
  );
}

async function main() {
  const dir = mkdtempSync(path.join(tmpdir(), 'emu-bench-'));
  try {
    console.log(
      `${N} documents, ${UPDATES} conditional updates, ${QUERIES} non-indexed queries; node ${process.version}`,
    );
    await run('engine (memory)', ours);
    await run('nedb (memory)', nedb);
    await run('engine (journal file)', ours, path.join(dir, 'engine.jsonl'));
    await run('nedb (datafile)', nedb, path.join(dir, 'nedb.db'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

void main();
