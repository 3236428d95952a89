/**
 * The narrow slice of the CloudBase database API that the store uses (spec cloudbase.md §4.1, §4.3).
 * `cloud.database()` from wx-server-sdk satisfies it structurally, and so does the emulator's stand-in:
 * the store runs on both unchanged. Deliberately absent: `doc(id).get()` (it rejects for a missing
 * document, §4.1 — the store reads by `where({_id})`), transactions (every transition is one conditional
 * update), and `skip` (paging uses an `_id` cursor, which stays exact while the pages change under it).
 */

/** A stored document as the database returns it; the store narrows it to a record type. */
export type DbDoc = Record<string, unknown>;

export interface DbQuery {
  where(condition: object): DbQuery;
  orderBy(field: string, direction: 'asc' | 'desc'): DbQuery;
  /** The server returns at most 1000 documents, 100 without a limit (spec cloudbase.md §4.2). */
  limit(n: number): DbQuery;
  get(): Promise<{ data: DbDoc[] }>;
  count(): Promise<{ total: number }>;
  /** One server-side filtered update: `stats.updated` tells how many documents this call changed (§4.6). */
  update(options: { data: object }): Promise<{ stats: { updated: number } }>;
}

export interface DbCollection extends DbQuery {
  /** A supplied `_id` is kept; a duplicate `_id` rejects (exact code unconfirmed, spec §4.4). */
  add(options: { data: object }): Promise<{ _id?: string | number }>;
}

/** `db.command` (spec §4.3): query operators and the one update operator the store needs. */
export interface DbCommand {
  eq(v: unknown): unknown;
  neq(v: unknown): unknown;
  lt(v: unknown): unknown;
  lte(v: unknown): unknown;
  gt(v: unknown): unknown;
  gte(v: unknown): unknown;
  in(values: unknown[]): unknown;
  /** `push([a, b])` appends each element (CDB `command.js`). */
  push(values: unknown[]): unknown;
  /** Adds `n` to a number field (a missing field counts as 0). */
  inc(n: number): unknown;
  /** Matches documents that have (true) or lack (false) the field. */
  exists(v: boolean): unknown;
}

export interface Db {
  collection(name: string): DbCollection;
  readonly command: DbCommand;
}
