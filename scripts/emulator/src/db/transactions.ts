// Transactions (CloudBase notes §4.5): single-document operations only, optimistic, conflict detected at commit.
// Isolation deliberately claims no more than the cloud documents ("ACID with conflict detection"; the level is
// unconfirmed): each document is read once from committed state when the transaction first touches it, writes
// are buffered, and commit fails with DATABASE_TRANSACTION_CONFLICT if any document the transaction WRITES was
// changed by someone else since it was first touched. Documents only read are not checked (write skew is
// possible, as under MongoDB's snapshot isolation). Commit applies all writes as one atomic journal batch.

import type { Engine } from './engine';
import { DbError, duplicateKey } from './errors';
import { type Projection, project } from './projection';
import { applyUpdate, type UpdateSpec, validateUpdate } from './updater';
import { type Doc, deepCopy, valuesEqual } from './values';

interface Touched {
  collection: string;
  id: string;
  baseVersion: number; // 0 = absent when first touched
  current: Doc | null;
  written: boolean;
}

interface Tx {
  owner: string;
  docs: Map<string, Touched>;
}

export const conflictError = (): DbError =>
  new DbError(
    'DATABASE_TRANSACTION_CONFLICT',
    '[ResourceUnavailable.TransactionConflict] Transaction is conflicted, maybe resource operated by others. Please retry.',
  );

const unknownTx = (): DbError =>
  new DbError(
    'DATABASE_TRANSACTION_FAIL',
    '[ResourceNotFound.TransactionNotExist] Transaction does not exist on the server: it was committed, rolled back or expired.',
  );

export class Transactions {
  private readonly open = new Map<string, Tx>();
  private seq = 0;

  constructor(private readonly engine: Engine) {}

  begin(owner: string): string {
    const id = `tx-${Date.now().toString(36)}-${(++this.seq).toString(36)}`;
    this.open.set(id, { owner, docs: new Map() });
    return id;
  }

  get(tx: string, collection: string, id: string, projection?: Projection): Doc | null {
    const t = this.touch(tx, collection, id);
    return t.current ? project(t.current, projection) : null;
  }

  set(tx: string, collection: string, doc: Doc): { updated: number; created: number } {
    const t = this.touch(tx, collection, doc._id as string);
    const prev = t.current;
    if (prev && valuesEqual(prev, doc)) return { updated: 0, created: 0 };
    t.current = doc;
    t.written = true;
    return prev ? { updated: 1, created: 0 } : { updated: 0, created: 1 };
  }

  update(tx: string, collection: string, id: string, update: UpdateSpec): { updated: number } {
    validateUpdate(update);
    const t = this.touch(tx, collection, id);
    if (!t.current) return { updated: 0 };
    const next = applyUpdate(t.current, update);
    if (valuesEqual(next, t.current)) return { updated: 0 };
    t.current = next;
    t.written = true;
    return { updated: 1 };
  }

  remove(tx: string, collection: string, id: string): { removed: number } {
    const t = this.touch(tx, collection, id);
    if (!t.current) return { removed: 0 };
    t.current = null;
    t.written = true;
    return { removed: 1 };
  }

  add(tx: string, collection: string, doc: Doc): string {
    const id = doc._id as string;
    const t = this.touch(tx, collection, id);
    if (t.current) throw duplicateKey(collection, id);
    t.current = doc;
    t.written = true;
    return id;
  }

  commit(tx: string): void {
    const t = this.take(tx);
    const writes = [...t.docs.values()].filter((d) => d.written);
    for (const w of writes) {
      const now = this.engine.get(w.collection, w.id)?.version ?? 0;
      if (now !== w.baseVersion) throw conflictError();
    }
    this.engine.applyBatch(writes.map((w) => ({ collection: w.collection, id: w.id, doc: w.current })));
  }

  rollback(tx: string): void {
    this.take(tx);
  }

  /** Drops the transactions an invocation left open (its instance is done with them). */
  discardOwnedBy(owner: string): number {
    let n = 0;
    for (const [id, t] of this.open) {
      if (t.owner === owner) {
        this.open.delete(id);
        n++;
      }
    }
    return n;
  }

  get openCount(): number {
    return this.open.size;
  }

  private take(tx: string): Tx {
    const t = this.open.get(tx);
    if (!t) throw unknownTx();
    this.open.delete(tx);
    return t;
  }

  private touch(tx: string, collection: string, id: string): Touched {
    const t = this.open.get(tx);
    if (!t) throw unknownTx();
    const key = `${collection}\u0000${id}`;
    let entry = t.docs.get(key);
    if (!entry) {
      const stored = this.engine.get(collection, id); // throws when the collection does not exist
      entry = {
        collection,
        id,
        baseVersion: stored?.version ?? 0,
        current: stored ? deepCopy(stored.doc) : null,
        written: false,
      };
      t.docs.set(key, entry);
    }
    return entry;
  }
}
