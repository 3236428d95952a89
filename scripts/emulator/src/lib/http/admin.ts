// The emulator's management API: what the deploy/admin tooling does to a cloud environment through
// @cloudbase/manager-node, done to the emulator over HTTP (`npm run admin -- --local`, scripts/deploy).
//
//   POST /admin/collections                    {"name"}: create a collection (created: false if it existed)
//   GET  /admin/collections                    every collection with its indexes and security rule
//   PUT  /admin/collections/<c>/indexes        {"indexes": [{name, keys: [[field, 1|-1]…]}]}: create or replace
//                                              each named index (others stay, as CreateIndexes does)
//   PUT  /admin/collections/<c>/rule           {"rule": {...}}: the collection's security rule (CloudBase JSON)
//   PUT  /admin/collections/<c>/docs           {"docs": [{_id, …}]}: create or replace each document by _id
//   POST /admin/collections/<c>/docs           {"doc": {_id, …}}: create it unless that _id exists (created: false)
//   GET  /admin/collections/<c>/docs/<id>      one document (404 when missing)
//   POST /admin/collections/<c>/docs/<id>/update  {"update": {"$addToSet"|"$pull"|"$set"|"$unset": …}}: one
//                                              atomic update of an existing document (404 when missing)
//
// Indexes and rules are recorded (and persisted with the data directory) so tooling can read them back; the
// emulator's queries do not need indexes, and a *unique* index is refused (not emulated: a silently
// unenforced unique index would be more lenient than the cloud). Enforcing rules on client-side database
// calls is the emulator's security-rule feature (cloudbase-db.json "rules"), not this file's.
// Every path refuses a missing collection with 404, as the cloud does (-502005).

import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import type { Engine } from '../../db/engine';
import { DbError } from '../../db/errors';
import type { UpdateSpec } from '../../db/updater';
import { type Doc, isPlainObject } from '../../db/values';
import type { JsonReply } from './server';

export interface AdminIndex {
  name: string;
  keys: [string, 1 | -1][];
}

interface Meta {
  indexes: Record<string, AdminIndex[]>;
  rules: Record<string, unknown>;
}

const UPDATE_OPS = new Set(['$addToSet', '$pull', '$set', '$unset']);

export class AdminStore {
  private meta: Meta = { indexes: {}, rules: {} };

  constructor(
    private readonly engine: Engine,
    /** <dataDir>/admin.json, or undefined in memory. */
    private readonly file: string | undefined,
  ) {
    if (file && existsSync(file)) {
      const raw = JSON.parse(readFileSync(file, 'utf8')) as Partial<Meta>;
      this.meta = { indexes: raw.indexes ?? {}, rules: raw.rules ?? {} };
    }
  }

  private save(): void {
    if (!this.file) return;
    writeFileSync(`${this.file}.tmp`, JSON.stringify(this.meta));
    renameSync(`${this.file}.tmp`, this.file);
  }

  reply(method: string, parts: string[], body: unknown): JsonReply | undefined {
    if (parts[0] !== 'admin' || parts[1] !== 'collections') return undefined;
    try {
      return this.route(method, parts.slice(2).map(decodeURIComponent), isPlainObject(body) ? body : {});
    } catch (e) {
      if (e instanceof DbError) return { status: 400, body: { error: e.code, message: e.message } };
      throw e;
    }
  }

  private route(method: string, p: string[], b: Record<string, unknown>): JsonReply | undefined {
    const e = this.engine;
    if (p.length === 0) {
      if (method === 'GET')
        return ok({
          collections: e.collectionNames().map((name) => ({
            name,
            count: e.size(name),
            indexes: this.meta.indexes[name] ?? [],
            rule: this.meta.rules[name] ?? null,
          })),
        });
      if (method === 'POST') {
        if (typeof b.name !== 'string') return bad('name must be a collection name');
        return ok({ name: b.name, created: e.createCollection(b.name) });
      }
      return undefined;
    }
    const c = p[0]!;
    if (!e.hasCollection(c))
      return { status: 404, body: { error: 'DATABASE_COLLECTION_NOT_EXIST', message: `no collection ${c}` } };
    if (p.length === 2 && p[1] === 'indexes' && method === 'PUT') {
      const list = indexesOf(b.indexes);
      if (typeof list === 'string') return bad(list);
      const kept = (this.meta.indexes[c] ?? []).filter((x) => !list.some((n) => n.name === x.name));
      this.meta.indexes[c] = [...kept, ...list];
      this.save();
      return ok({ collection: c, indexes: this.meta.indexes[c] });
    }
    if (p.length === 2 && p[1] === 'rule' && method === 'PUT') {
      if (!isPlainObject(b.rule)) return bad('rule must be an object');
      this.meta.rules[c] = b.rule;
      this.save();
      return ok({ collection: c, rule: b.rule });
    }
    if (p.length === 2 && p[1] === 'docs' && method === 'PUT') {
      if (!Array.isArray(b.docs) || b.docs.length === 0) return bad('docs must be a non-empty array');
      let created = 0;
      let updated = 0;
      for (const d of b.docs) {
        if (!isPlainObject(d) || typeof d._id !== 'string' || d._id === '')
          return bad('each doc needs a string _id');
      }
      for (const d of b.docs as Doc[]) {
        const r = e.replace(c, d);
        created += r.created;
        updated += r.updated;
      }
      return ok({ collection: c, created, updated });
    }
    if (p.length === 2 && p[1] === 'docs' && method === 'POST') {
      const d = b.doc;
      if (!isPlainObject(d) || typeof d._id !== 'string' || d._id === '')
        return bad('doc needs a string _id');
      try {
        e.insert(c, [d as Doc]);
        return ok({ created: true });
      } catch (err) {
        if (err instanceof DbError && err.code === 'DATABASE_DUPLICATE_WRITE') return ok({ created: false });
        throw err;
      }
    }
    if (p.length === 3 && p[1] === 'docs' && method === 'GET') {
      const doc = e.find(c, { _id: p[2]! }, { limit: 1 })[0];
      return doc
        ? ok({ data: doc })
        : { status: 404, body: { error: 'NOT_FOUND', message: `no document ${p[2]}` } };
    }
    if (p.length === 4 && p[1] === 'docs' && p[3] === 'update' && method === 'POST') {
      const u = b.update;
      if (!isPlainObject(u) || Object.keys(u).length === 0 || !Object.keys(u).every((k) => UPDATE_OPS.has(k)))
        return bad(`update must use only ${[...UPDATE_OPS].join(', ')}`);
      const r = e.updateMatching(c, { _id: p[2]! }, u as UpdateSpec, false);
      if (r.matched === 0)
        return { status: 404, body: { error: 'NOT_FOUND', message: `no document ${p[2]}` } };
      return ok({ updated: r.updated });
    }
    return undefined;
  }
}

const ok = (body: unknown): JsonReply => ({ status: 200, body });
const bad = (message: string): JsonReply => ({ status: 400, body: { error: 'INVALID_PARAM', message } });

function indexesOf(v: unknown): AdminIndex[] | string {
  if (!Array.isArray(v) || v.length === 0) return 'indexes must be a non-empty array';
  const out: AdminIndex[] = [];
  for (const ix of v) {
    if (!isPlainObject(ix) || typeof ix.name !== 'string' || !Array.isArray(ix.keys) || ix.keys.length === 0)
      return 'each index needs a name and keys';
    if (ix.unique === true)
      return `index ${ix.name}: unique indexes are not emulated (refused rather than unenforced)`;
    const keys: [string, 1 | -1][] = [];
    for (const k of ix.keys) {
      if (!Array.isArray(k) || typeof k[0] !== 'string' || (k[1] !== 1 && k[1] !== -1))
        return `index ${ix.name}: each key is [field, 1 | -1]`;
      keys.push([k[0], k[1]]);
    }
    out.push({ name: ix.name, keys });
  }
  return out;
}
