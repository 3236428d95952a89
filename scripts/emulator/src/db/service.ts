// The database service of the main process: answers the stand-in's database requests (wire/rpc.ts) against the
// engine, the way the cloud's database backend answers wx-server-sdk — raw results, string error codes.
// Also resolves db.serverDate() placeholders with its own clock at write time (CloudBase notes §4.1, §8.9).

import { randomBytes } from 'node:crypto';
import type { DbAnswers, DbRequest, WireDoc } from '../wire/rpc';
import type { Engine, OrderBy } from './engine';
import { collectionExists, invalidParam } from './errors';
import type { Query } from './matcher';
import { validateProjection } from './projection';
import { Transactions } from './transactions';
import type { UpdateSpec } from './updater';
import { type Doc, isPlainObject, normalizeValue } from './values';

/** Server-side get(): 100 documents by default, at most 1000 (spec §4.2). */
export const DEFAULT_LIMIT = 100;
export const MAX_LIMIT = 1000;

/** A CloudBase-like document id: 32 hex characters. */
export const newDocId = (): string => randomBytes(16).toString('hex');

export class DbService {
  readonly transactions: Transactions;

  constructor(
    readonly engine: Engine,
    private readonly now: () => number = Date.now,
  ) {
    this.transactions = new Transactions(engine);
  }

  /** Handles one request on behalf of `owner` (the invocation id). Throws DbError on failure. */
  handle<R extends DbRequest>(req: R, owner: string): DbAnswers[R['op']] {
    return this.dispatch(req, owner) as DbAnswers[R['op']];
  }

  private dispatch(req: DbRequest, owner: string): unknown {
    switch (req.op) {
      case 'db.createCollection': {
        if (!this.engine.createCollection(req.name)) throw collectionExists(req.name);
        return {};
      }
      case 'db.add': {
        if (req.docs.length === 0) throw invalidParam('data must not be empty');
        const docs = req.docs.map((d) => this.newDoc(d));
        if (req.tx) {
          const tx = req.tx;
          return { ids: docs.map((d) => this.transactions.add(tx, req.collection, d)) };
        }
        return { ids: this.engine.insert(req.collection, docs) };
      }
      case 'db.doc.get': {
        if (req.projection) validateProjection(req.projection);
        if (req.tx) return { data: this.transactions.get(req.tx, req.collection, req.id, req.projection) };
        const [doc] = this.engine.find(
          req.collection,
          { _id: req.id },
          { projection: req.projection, limit: 1 },
        );
        return { data: doc ?? null };
      }
      case 'db.doc.set': {
        const doc = this.setDoc(req.id, req.data);
        if (req.tx) return this.transactions.set(req.tx, req.collection, doc);
        return this.engine.replace(req.collection, doc);
      }
      case 'db.doc.update': {
        const update = this.resolve(req.update) as UpdateSpec;
        if (req.tx) return this.transactions.update(req.tx, req.collection, req.id, update);
        const { updated } = this.engine.updateMatching(req.collection, { _id: req.id }, update, false);
        return { updated };
      }
      case 'db.doc.remove':
        if (req.tx) return this.transactions.remove(req.tx, req.collection, req.id);
        return { removed: this.engine.removeMatching(req.collection, { _id: req.id }, false) };
      case 'db.query': {
        const limit =
          req.limit === undefined || req.limit === 0 ? DEFAULT_LIMIT : Math.min(req.limit, MAX_LIMIT);
        checkCount('limit', limit);
        if (req.skip !== undefined) checkCount('skip', req.skip);
        return {
          data: this.engine.find(req.collection, this.query(req.query), {
            orderBy: checkOrder(req.orderBy),
            skip: req.skip,
            limit,
            projection: req.projection,
          }),
        };
      }
      case 'db.count':
        return { total: this.engine.count(req.collection, this.query(req.query)) };
      case 'db.update': {
        const update = this.resolve(req.update) as UpdateSpec;
        const { updated } = this.engine.updateMatching(
          req.collection,
          this.query(req.query),
          update,
          req.multi,
        );
        return { updated };
      }
      case 'db.remove':
        return { removed: this.engine.removeMatching(req.collection, this.query(req.query), req.multi) };
      case 'db.tx.begin':
        return { tx: this.transactions.begin(owner) };
      case 'db.tx.commit':
        this.transactions.commit(req.tx);
        return {};
      case 'db.tx.rollback':
        this.transactions.rollback(req.tx);
        return {};
    }
  }

  private newDoc(data: WireDoc): Doc {
    if (!isPlainObject(data)) throw invalidParam('data must be an object');
    const doc = normalizeValue(this.resolve(data), '') as Doc;
    if (doc._id === undefined) return { _id: newDocId(), ...doc };
    if (typeof doc._id !== 'string' || doc._id === '') throw invalidParam('_id must be a non-empty string');
    return doc;
  }

  private setDoc(id: string, data: WireDoc): Doc {
    if (!isPlainObject(data)) throw invalidParam('参数必需是非空对象');
    if (Object.hasOwn(data, '_id')) throw invalidParam('不能更新_id的值');
    return { _id: id, ...(normalizeValue(this.resolve(data), '') as Doc) };
  }

  private query(q: Query): Query {
    if (!isPlainObject(q)) throw invalidParam('query must be an object');
    return this.resolve(q) as Query;
  }

  /** Replaces serverDate placeholders by dates from the service clock. */
  private resolve(v: unknown): unknown {
    if (Array.isArray(v)) return v.map((x) => this.resolve(x));
    if (!isPlainObject(v)) return v;
    const sd = v.$tcb_server_date;
    if (isPlainObject(sd) && Object.keys(v).length === 1) {
      const offset = typeof sd.offset === 'number' ? sd.offset : 0;
      return new Date(this.now() + offset);
    }
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = this.resolve(x);
    return out;
  }
}

function checkCount(name: string, n: number): void {
  if (!Number.isInteger(n) || n < 0) throw invalidParam(`${name} must be a non-negative integer`);
}

function checkOrder(orderBy: OrderBy | undefined): OrderBy | undefined {
  for (const [field, dir] of orderBy ?? []) {
    if (typeof field !== 'string' || field === '') throw invalidParam('orderBy needs a field name');
    if (dir !== 'asc' && dir !== 'desc') throw invalidParam(`"direction" must be 'asc' or 'desc'`);
  }
  return orderBy;
}
