// The embedded document store: collections of documents keyed by _id, held in memory in the emulator's main
// process and persisted through an append-only journal (journal.ts). Every operation is synchronous, so each
// one — a filtered multi-document update included — is atomic with respect to every other request: the
// conditional update `where({_id, status: 'A'}).update(...)` has exactly one winner (CloudBase notes §4.6).
// Documents carry a version stamp (not visible to functions) used by transactions to detect conflicts.
// Chosen over @seald-io/nedb by measurement: see docs/emulator.md and src/bench-db.ts.

import { collectionNotFound, duplicateKey, invalidParam } from './errors';
import { Journal, type JournalRecord } from './journal';
import { compileQuery, pinnedId, type Query, valuesAtPath } from './matcher';
import { type Projection, project, validateProjection } from './projection';
import { applyUpdate, type UpdateSpec, validateUpdate } from './updater';
import { compareValues, type Doc, valuesEqual } from './values';

export interface Stored {
  readonly doc: Doc;
  readonly version: number;
}

export type OrderBy = ReadonlyArray<readonly [field: string, direction: 'asc' | 'desc']>;

export interface FindOptions {
  orderBy?: OrderBy;
  skip?: number;
  limit?: number;
  projection?: Projection;
}

/** One write of a batch: a document put, or a delete when doc is null. */
export interface BatchWrite {
  collection: string;
  id: string;
  doc: Doc | null;
}

const COLLECTION_NAME = /^[A-Za-z0-9_-]{1,64}$/;

type Collection = Map<string, Stored>;

export class Engine {
  private readonly collections = new Map<string, Collection>();
  private seq = 0;

  private constructor(private readonly journal: Journal | undefined) {}

  /** In memory when no file is given; otherwise replays (and compacts) the journal at `file`. */
  static open(file?: string): Engine {
    if (!file) return new Engine(undefined);
    const { journal, records } = Journal.open(file);
    const engine = new Engine(journal);
    for (const r of records) engine.replay(r);
    if (journal.lineCount > engine.liveRecordCount()) journal.rewrite(engine.snapshot());
    return engine;
  }

  close(): void {
    this.journal?.close();
  }

  // ---- collections -------------------------------------------------------------------------------------

  createCollection(name: string): boolean {
    if (!COLLECTION_NAME.test(name)) throw invalidParam(`invalid collection name '${name}'`);
    if (this.collections.has(name)) return false;
    this.collections.set(name, new Map());
    this.log({ t: 'c', c: name });
    return true;
  }

  hasCollection(name: string): boolean {
    return this.collections.has(name);
  }

  collectionNames(): string[] {
    return [...this.collections.keys()].sort();
  }

  size(name: string): number {
    return this.coll(name).size;
  }

  // ---- reads -------------------------------------------------------------------------------------------

  /** The stored entry (not a copy: callers must copy before handing it out). */
  get(name: string, id: string): Stored | undefined {
    return this.coll(name).get(id);
  }

  count(name: string, query: Query): number {
    let n = 0;
    for (const _ of this.scan(name, query)) n++;
    return n;
  }

  find(name: string, query: Query, opts: FindOptions = {}): Doc[] {
    if (opts.projection) validateProjection(opts.projection);
    let docs = [...this.scan(name, query)].map((s) => s.doc);
    if (opts.orderBy && opts.orderBy.length > 0) {
      const order = opts.orderBy;
      docs = docs.sort((a, b) => {
        for (const [field, dir] of order) {
          const c = compareValues(sortKey(a, field, dir), sortKey(b, field, dir));
          if (c !== 0) return dir === 'desc' ? -c : c;
        }
        return 0;
      });
    }
    const skip = opts.skip ?? 0;
    const end = opts.limit === undefined ? undefined : skip + opts.limit;
    return docs.slice(skip, end).map((d) => project(d, opts.projection));
  }

  // ---- writes ------------------------------------------------------------------------------------------

  /** Inserts documents that already carry their _id; all or none (a duplicate aborts the whole call). */
  insert(name: string, docs: Doc[]): string[] {
    const coll = this.coll(name);
    const ids = docs.map((d) => d._id);
    const seen = new Set<string>();
    for (const id of ids) {
      if (typeof id !== 'string' || id === '') throw invalidParam('_id must be a non-empty string');
      if (coll.has(id) || seen.has(id)) throw duplicateKey(name, id);
      seen.add(id);
    }
    const ops: JournalRecord[] = docs.map((d) => ({ t: 'p', c: name, d }));
    this.log(ops.length === 1 ? ops[0]! : { t: 'b', ops });
    for (const d of docs) coll.set(d._id as string, { doc: d, version: ++this.seq });
    return ids as string[];
  }

  /** Filtered update. `updated` counts documents whose content changed (MongoDB's nModified). */
  updateMatching(
    name: string,
    query: Query,
    update: UpdateSpec,
    multi: boolean,
  ): { matched: number; updated: number } {
    validateUpdate(update);
    const coll = this.coll(name);
    const changes: Doc[] = [];
    let matched = 0;
    for (const s of this.scan(name, query)) {
      matched++;
      const next = applyUpdate(s.doc, update);
      if (!valuesEqual(next, s.doc)) changes.push(next);
      if (!multi) break;
    }
    if (changes.length > 0) {
      const ops: JournalRecord[] = changes.map((d) => ({ t: 'p', c: name, d }));
      this.log(ops.length === 1 ? ops[0]! : { t: 'b', ops });
      for (const d of changes) coll.set(d._id as string, { doc: d, version: ++this.seq });
    }
    return { matched, updated: changes.length };
  }

  removeMatching(name: string, query: Query, multi: boolean): number {
    const coll = this.coll(name);
    const ids: string[] = [];
    for (const s of this.scan(name, query)) {
      ids.push(s.doc._id as string);
      if (!multi) break;
    }
    if (ids.length > 0) {
      const ops: JournalRecord[] = ids.map((id) => ({ t: 'd', c: name, id }));
      this.log(ops.length === 1 ? ops[0]! : { t: 'b', ops });
      for (const id of ids) coll.delete(id);
    }
    return ids.length;
  }

  /** Upsert of a whole document (doc().set()). */
  replace(name: string, doc: Doc): { updated: number; created: number } {
    const coll = this.coll(name);
    const id = doc._id as string;
    const prev = coll.get(id);
    if (prev && valuesEqual(prev.doc, doc)) return { updated: 0, created: 0 };
    this.log({ t: 'p', c: name, d: doc });
    coll.set(id, { doc, version: ++this.seq });
    return prev ? { updated: 1, created: 0 } : { updated: 0, created: 1 };
  }

  /** Applies a transaction's writes as one atomic, journaled batch. */
  applyBatch(writes: BatchWrite[]): void {
    if (writes.length === 0) return;
    for (const w of writes) this.coll(w.collection);
    const ops: JournalRecord[] = writes.map((w) =>
      w.doc ? { t: 'p', c: w.collection, d: w.doc } : { t: 'd', c: w.collection, id: w.id },
    );
    this.log({ t: 'b', ops });
    for (const w of writes) {
      const coll = this.coll(w.collection);
      if (w.doc) coll.set(w.id, { doc: w.doc, version: ++this.seq });
      else coll.delete(w.id);
    }
  }

  // ---- internals ---------------------------------------------------------------------------------------

  private coll(name: string): Collection {
    const c = this.collections.get(name);
    if (!c) throw collectionNotFound();
    return c;
  }

  /** Matching documents in natural (insertion) order. Validates the query even when nothing is scanned. */
  private *scan(name: string, query: Query): Generator<Stored> {
    const coll = this.coll(name);
    const match = compileQuery(query);
    const id = pinnedId(query);
    if (id !== undefined) {
      const s = coll.get(id);
      if (s && match(s.doc)) yield s;
      return;
    }
    for (const s of coll.values()) if (match(s.doc)) yield s;
  }

  /** Told of every committed change, after it is applied (the console's event stream). */
  onChange: ((record: JournalRecord) => void) | undefined;

  private log(record: JournalRecord): void {
    const listener = this.onChange;
    if (listener) queueMicrotask(() => listener(record));
    if (!this.journal) return;
    this.journal.append(record);
    // Keep the file proportional to the data: compact when it holds far more lines than live records.
    const live = this.liveRecordCount();
    if (this.journal.lineCount > Math.max(10_000, live * 4)) this.journal.rewrite(this.snapshot());
  }

  private liveRecordCount(): number {
    let n = this.collections.size;
    for (const c of this.collections.values()) n += c.size;
    return n;
  }

  private *snapshot(): Generator<JournalRecord> {
    for (const [name, coll] of this.collections) {
      yield { t: 'c', c: name };
      for (const s of coll.values()) yield { t: 'p', c: name, d: s.doc };
    }
  }

  private replay(r: JournalRecord): void {
    switch (r.t) {
      case 'c':
        if (!this.collections.has(r.c)) this.collections.set(r.c, new Map());
        return;
      case 'p':
        this.replayColl(r.c).set(r.d._id as string, { doc: r.d, version: ++this.seq });
        return;
      case 'd':
        this.replayColl(r.c).delete(r.id);
        return;
      case 'b':
        for (const op of r.ops) this.replay(op);
        return;
    }
  }

  private replayColl(name: string): Collection {
    let c = this.collections.get(name);
    if (!c) {
      c = new Map();
      this.collections.set(name, c);
    }
    return c;
  }
}

/** Sort key of a field; for arrays MongoDB sorts by the smallest element ascending, the largest descending. */
function sortKey(doc: Doc, field: string, dir: 'asc' | 'desc'): unknown {
  const values = valuesAtPath(doc, field).flatMap((v) => (Array.isArray(v) && v.length > 0 ? v : [v]));
  if (values.length === 1) return values[0];
  return values.reduce((best, v) => {
    const c = compareValues(v, best);
    return (dir === 'asc' ? c < 0 : c > 0) ? v : best;
  });
}
