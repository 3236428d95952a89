// The requests an instance's wx-server-sdk stand-in sends to the emulator's main process, and their answers.
// One request = one call the real SDK would make to the cloud (what the per-invocation dbRequests counts).
// Values cross a worker_threads message port (structured clone), so Dates and RegExps survive as such.

import type { OrderBy } from '../db/engine';
import type { Query } from '../db/matcher';
import type { Projection } from '../db/projection';
import type { UpdateSpec } from '../db/updater';

/** Placeholder for db.serverDate(), replaced by the main process's clock when the write happens. */
export interface ServerDatePlaceholder {
  $tcb_server_date: { offset: number };
}

export type WireDoc = Record<string, unknown>;

export type DbRequest =
  | { op: 'db.createCollection'; name: string }
  | { op: 'db.add'; collection: string; docs: WireDoc[]; tx?: string }
  | { op: 'db.doc.get'; collection: string; id: string; projection?: Projection; tx?: string }
  | { op: 'db.doc.set'; collection: string; id: string; data: WireDoc; tx?: string }
  | { op: 'db.doc.update'; collection: string; id: string; update: UpdateSpec; tx?: string }
  | { op: 'db.doc.remove'; collection: string; id: string; tx?: string }
  | {
      op: 'db.query';
      collection: string;
      query: Query;
      orderBy?: OrderBy;
      skip?: number;
      limit?: number;
      projection?: Projection;
    }
  | { op: 'db.count'; collection: string; query: Query }
  | { op: 'db.update'; collection: string; query: Query; update: UpdateSpec; multi: boolean }
  | { op: 'db.remove'; collection: string; query: Query; multi: boolean }
  | { op: 'db.tx.begin' }
  | { op: 'db.tx.commit'; tx: string }
  | { op: 'db.tx.rollback'; tx: string };

export type RpcRequest =
  | DbRequest
  | { op: 'function.call'; name: string; data: unknown }
  | { op: 'openapi.call'; api: string; data: Record<string, unknown> };

export interface RpcError {
  /** Backend string code (e.g. DATABASE_COLLECTION_NOT_EXIST) or OPENAPI for WeChat errcodes. */
  code: string;
  message: string;
  /** Numeric code when the backend gives one directly (WeChat errcode, function error codes). */
  errCode?: number;
}

export type RpcResponse = { ok: true; value: unknown } | { ok: false; error: RpcError };

// Answers of the database requests (the backend's raw results, before the SDK adds errMsg).
export interface DbAnswers {
  'db.createCollection': Record<string, never>;
  'db.add': { ids: string[] };
  'db.doc.get': { data: WireDoc | null };
  'db.doc.set': { updated: number; created: number };
  'db.doc.update': { updated: number };
  'db.doc.remove': { removed: number };
  'db.query': { data: WireDoc[] };
  'db.count': { total: number };
  'db.update': { updated: number };
  'db.remove': { removed: number };
  'db.tx.begin': { tx: string };
  'db.tx.commit': Record<string, never>;
  'db.tx.rollback': Record<string, never>;
}

export interface FunctionCallAnswer {
  result: unknown;
  requestId: string;
}
