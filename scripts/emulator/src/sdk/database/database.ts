// cloud.database(): the query builder and references of wx-server-sdk, with its result shapes and errors
// (CloudBase notes §4.1, §4.2, §4.4, §4.5). Each method that talks to the cloud sends exactly one request.

import type { OrderBy } from '../../db/engine';
import type { Projection } from '../../db/projection';
import type { DbAnswers, DbRequest } from '../../wire/rpc';
import { localError, type SDKError, sdkError, toSDKError } from '../errors';
import { type Command, command, DbRegExp, LogicCommand, ServerDate } from './command';
import { containsCommand, encodeData, encodeQuery, encodeUpdate, SerializeError } from './serialize';

export interface DbContext {
  /** Sends one database request; rejects with an RpcFailure. */
  call(req: DbRequest): Promise<unknown>;
  readonly throwOnNotFound: boolean;
}

type Data = Record<string, unknown>;

async function send<R extends DbRequest>(ctx: DbContext, api: string, req: R): Promise<DbAnswers[R['op']]> {
  try {
    return (await ctx.call(req)) as DbAnswers[R['op']];
  } catch (e) {
    throw toSDKError(api, e);
  }
}

function encode<T>(api: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof SerializeError) throw sdkError(api, -502002, e.message, 'DATABASE_INVALID_COMMAND');
    throw e;
  }
}

const isPlainObject = (v: unknown): v is Data =>
  v !== null && typeof v === 'object' && [Object.prototype, null].includes(Object.getPrototypeOf(v));

function requireData(api: string, options: unknown): Data {
  const data = isPlainObject(options) ? options.data : undefined;
  if (!isPlainObject(data) || Object.keys(data).length === 0) {
    throw sdkError(api, -501007, '参数必需是非空对象', 'INVALID_PARAM');
  }
  return data;
}

function refuseId(api: string, data: Data): void {
  if (Object.hasOwn(data, '_id')) throw sdkError(api, -501007, '不能更新_id的值', 'INVALID_PARAM');
}

function refuseCommands(api: string, data: unknown): void {
  if (containsCommand(data))
    throw sdkError(api, -502001, 'update operator complicit', 'DATABASE_REQUEST_FAILED');
}

function checkInteger(name: string, n: unknown): number {
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 0)
    throw new Error(`${name} must be a non-negative integer`);
  return n;
}

function toProjection(p: unknown): Projection {
  if (!isPlainObject(p)) throw new Error('field() needs an object');
  const out: Projection = {};
  for (const [k, v] of Object.entries(p)) out[k] = Boolean(v);
  return out;
}

// ---- queries -------------------------------------------------------------------------------------------

interface QueryState {
  query: Data;
  orderBy: OrderBy;
  limit?: number;
  skip?: number;
  projection?: Projection;
}

export class Query {
  /** @internal */
  constructor(
    protected readonly ctx: DbContext,
    readonly collectionName: string,
    protected readonly state: QueryState = { query: {}, orderBy: [] },
  ) {}

  private with(patch: Partial<QueryState>): Query {
    return new Query(this.ctx, this.collectionName, { ...this.state, ...patch });
  }

  where(query: Data | LogicCommand): Query {
    if (!(query instanceof LogicCommand)) {
      if (!isPlainObject(query)) throw new Error('查询参数必须为对象');
      const keys = Object.keys(query);
      // CDB query.js: an object whose keys are all undefined would match everything; refuse it.
      if (keys.length > 0 && keys.every((k) => query[k] === undefined)) {
        throw new Error('查询参数对象值不能均为undefined');
      }
    }
    return this.with({ query: encode('collection.where', () => encodeQuery(query)) });
  }

  orderBy(field: string, direction: 'asc' | 'desc'): Query {
    if (typeof field !== 'string' || field === '') throw new Error('orderBy needs a field name');
    if (direction !== 'asc' && direction !== 'desc') throw new Error('"direction" must be "asc" or "desc"');
    return this.with({ orderBy: [...this.state.orderBy, [field, direction]] });
  }

  limit(n: number): Query {
    return this.with({ limit: checkInteger('limit', n) });
  }

  skip(n: number): Query {
    return this.with({ skip: checkInteger('skip', n) });
  }

  field(projection: Record<string, unknown>): Query {
    return this.with({ projection: toProjection(projection) });
  }

  /** At most 100 documents by default, 1000 with limit() (CDB query.js get). */
  async get(): Promise<{ data: Data[]; errMsg: string }> {
    const { limit } = this.state;
    const res = await send(this.ctx, 'collection.get', {
      op: 'db.query',
      collection: this.collectionName,
      query: this.state.query,
      orderBy: this.state.orderBy,
      skip: this.state.skip,
      limit: limit ? Math.min(limit, 1000) : 100,
      projection: this.state.projection,
    });
    return { data: res.data, errMsg: 'collection.get:ok' };
  }

  async count(): Promise<{ total: number; errMsg: string }> {
    const res = await send(this.ctx, 'collection.count', {
      op: 'db.count',
      collection: this.collectionName,
      query: this.state.query,
    });
    return { total: res.total, errMsg: 'collection.count:ok' };
  }

  /** Filtered update, all matches unless multi: false (spec §4.1). */
  async update(options: {
    data: Data;
    multi?: boolean;
  }): Promise<{ stats: { updated: number }; errMsg: string }> {
    const api = 'collection.update';
    const data = requireData(api, options);
    refuseId(api, data);
    const res = await send(this.ctx, api, {
      op: 'db.update',
      collection: this.collectionName,
      query: this.state.query,
      update: encode(api, () => encodeUpdate(data)),
      multi: options.multi !== false,
    });
    return { stats: { updated: res.updated }, errMsg: 'collection.update:ok' };
  }

  /** Removes every match (limit/skip/orderBy/field are ignored, as in the cloud). */
  async remove(options?: { multi?: boolean }): Promise<{ stats: { removed: number }; errMsg: string }> {
    const res = await send(this.ctx, 'collection.remove', {
      op: 'db.remove',
      collection: this.collectionName,
      query: this.state.query,
      multi: options?.multi !== false,
    });
    return { stats: { removed: res.removed }, errMsg: 'collection.remove:ok' };
  }
}

export class CollectionReference extends Query {
  /** @internal */
  constructor(ctx: DbContext, name: string) {
    super(ctx, name);
  }

  get name(): string {
    return this.collectionName;
  }

  doc(id: string): DocumentReference {
    if (typeof id !== 'string' || id === '') throw new Error('docId must be a non-empty string');
    return new DocumentReference(this.ctx, this.collectionName, id);
  }

  /** add({data}) → {_id}; an array of documents → {_ids}. A supplied _id is kept. */
  async add(options: { data: Data | Data[] }): Promise<{ _id?: string; _ids?: string[]; errMsg: string }> {
    const api = 'collection.add';
    const data = isPlainObject(options) ? options.data : undefined;
    const docs = Array.isArray(data) ? data : [data];
    if (docs.length === 0 || !docs.every(isPlainObject)) {
      throw sdkError(api, -501007, '参数必需是非空对象', 'INVALID_PARAM');
    }
    refuseCommands(api, docs);
    const res = await send(this.ctx, api, {
      op: 'db.add',
      collection: this.collectionName,
      docs: encode(api, () => docs.map((d) => encodeData(d as Data))),
    });
    return Array.isArray(data)
      ? { _ids: res.ids, errMsg: 'collection.add:ok' }
      : { _id: res.ids[0], errMsg: 'collection.add:ok' };
  }

  aggregate(): never {
    throw new Error('aggregate() is not supported by the Shouyin emulator');
  }

  watch(): never {
    throw new Error('watch() is not available in cloud functions');
  }
}

export class DocumentReference {
  /** @internal */
  constructor(
    private readonly ctx: DbContext,
    readonly collectionName: string,
    readonly id: string,
    private readonly projection?: Projection,
  ) {}

  field(projection: Record<string, unknown>): DocumentReference {
    return new DocumentReference(this.ctx, this.collectionName, this.id, toProjection(projection));
  }

  /** Rejects for a missing document unless throwOnNotFound is false (spec §4.1). */
  async get(): Promise<{ data: Data | null; errMsg: string }> {
    const res = await send(this.ctx, 'document.get', {
      op: 'db.doc.get',
      collection: this.collectionName,
      id: this.id,
      projection: this.projection,
    });
    if (res.data === null && this.ctx.throwOnNotFound) throw notFound(this.id);
    return { data: res.data, errMsg: 'document.get:ok' };
  }

  /** Upsert replacing the whole document; data must not hold _id or update commands. */
  async set(options: {
    data: Data;
  }): Promise<{ _id: string; stats: { updated: number; created: number }; errMsg: string }> {
    const api = 'document.set';
    const data = requireData(api, options);
    refuseId(api, data);
    refuseCommands(api, data);
    const res = await send(this.ctx, api, {
      op: 'db.doc.set',
      collection: this.collectionName,
      id: this.id,
      data: encode(api, () => encodeData(data)),
    });
    return { _id: this.id, stats: { updated: res.updated, created: res.created }, errMsg: 'document.set:ok' };
  }

  /** Merging update; a missing document gives updated: 0, no error. */
  async update(options: { data: Data }): Promise<{ stats: { updated: number }; errMsg: string }> {
    const api = 'document.update';
    const data = requireData(api, options);
    refuseId(api, data);
    const res = await send(this.ctx, api, {
      op: 'db.doc.update',
      collection: this.collectionName,
      id: this.id,
      update: encode(api, () => encodeUpdate(data)),
    });
    return { stats: { updated: res.updated }, errMsg: 'document.update:ok' };
  }

  async remove(): Promise<{ stats: { removed: number }; errMsg: string }> {
    const res = await send(this.ctx, 'document.remove', {
      op: 'db.doc.remove',
      collection: this.collectionName,
      id: this.id,
    });
    return { stats: { removed: res.removed }, errMsg: 'document.remove:ok' };
  }
}

const notFound = (id: string): SDKError =>
  localError('document.get', `document with _id ${id} does not exist`);

// ---- transactions --------------------------------------------------------------------------------------

class TransactionDocument {
  constructor(
    private readonly tx: Transaction,
    private readonly collection: string,
    private readonly id: string,
  ) {}

  async get(): Promise<{ data: Data | null }> {
    const res = await this.tx.send('document.get', {
      op: 'db.doc.get',
      collection: this.collection,
      id: this.id,
    });
    if (res.data === null && this.tx.throwOnNotFound) throw notFound(this.id);
    return { data: res.data };
  }

  async set(options: { data: Data }): Promise<{ stats: { updated: number; created: number } }> {
    const api = 'document.set';
    const data = requireData(api, options);
    refuseId(api, data);
    refuseCommands(api, data);
    const res = await this.tx.send(api, {
      op: 'db.doc.set',
      collection: this.collection,
      id: this.id,
      data: encode(api, () => encodeData(data)),
    });
    return { stats: { updated: res.updated, created: res.created } };
  }

  async update(options: { data: Data }): Promise<{ stats: { updated: number } }> {
    const api = 'document.update';
    const data = requireData(api, options);
    refuseId(api, data);
    const res = await this.tx.send(api, {
      op: 'db.doc.update',
      collection: this.collection,
      id: this.id,
      update: encode(api, () => encodeUpdate(data)),
    });
    return { stats: { updated: res.updated } };
  }

  async remove(): Promise<{ stats: { removed: number } }> {
    const res = await this.tx.send('document.remove', {
      op: 'db.doc.remove',
      collection: this.collection,
      id: this.id,
    });
    return { stats: { removed: res.removed } };
  }
}

class TransactionCollection {
  constructor(
    private readonly tx: Transaction,
    readonly name: string,
  ) {}

  doc(id: string): TransactionDocument {
    if (typeof id !== 'string' || id === '') throw new Error('docId must be a non-empty string');
    return new TransactionDocument(this.tx, this.name, id);
  }

  async add(options: { data: Data }): Promise<{ _id: string }> {
    const api = 'collection.add';
    const data = requireData(api, options);
    refuseCommands(api, data);
    const res = await this.tx.send(api, {
      op: 'db.add',
      collection: this.name,
      docs: [encode(api, () => encodeData(data))],
    });
    return { _id: res.ids[0]! };
  }

  /** In CloudBase, batch operations are not part of a transaction (spec §4.5); refuse rather than run outside. */
  where(): never {
    throw new Error(
      'transaction.collection().where() is not allowed: transactions only support single-document operations (doc()/add())',
    );
  }
}

type TxRequest = Extract<DbRequest, { tx?: string }>;

export class Transaction {
  private state: 'open' | 'committed' | 'rolledBack' = 'open';
  /** @internal the value rollback() was given, for runTransaction. */
  rollbackReason: unknown;

  /** @internal */
  constructor(
    private readonly ctx: DbContext,
    readonly id: string,
  ) {}

  get throwOnNotFound(): boolean {
    return this.ctx.throwOnNotFound;
  }

  get rolledBack(): boolean {
    return this.state === 'rolledBack';
  }

  get open(): boolean {
    return this.state === 'open';
  }

  collection(name: string): TransactionCollection {
    if (typeof name !== 'string' || name === '')
      throw new Error('collection name must be a non-empty string');
    return new TransactionCollection(this, name);
  }

  /** @internal */
  send<R extends TxRequest>(api: string, req: R): Promise<DbAnswers[R['op']]> {
    return send(this.ctx, api, { ...req, tx: this.id });
  }

  async commit(): Promise<Record<string, never>> {
    this.state = 'committed';
    await send(this.ctx, 'transaction.commit', { op: 'db.tx.commit', tx: this.id });
    return {};
  }

  async rollback(reason?: unknown): Promise<{ rollbackReason?: unknown }> {
    this.state = 'rolledBack';
    this.rollbackReason = reason;
    await send(this.ctx, 'transaction.rollback', { op: 'db.tx.rollback', tx: this.id });
    return { rollbackReason: reason };
  }
}

// ---- database ------------------------------------------------------------------------------------------

export class Database {
  readonly command: Command = command;

  /** @internal */
  constructor(private readonly ctx: DbContext) {}

  collection(name: string): CollectionReference {
    if (typeof name !== 'string' || name === '')
      throw new Error('collection name must be a non-empty string');
    return new CollectionReference(this.ctx, name);
  }

  async createCollection(name: string): Promise<{ errMsg: string; requestId: string }> {
    await send(this.ctx, 'database.createCollection', { op: 'db.createCollection', name });
    return { errMsg: 'createCollection:ok', requestId: `emu-${Date.now().toString(36)}` };
  }

  serverDate(options?: { offset?: number }): ServerDate {
    return new ServerDate(options);
  }

  RegExp(options: { regexp: string; options?: string }): DbRegExp {
    return new DbRegExp(options);
  }

  get Geo(): never {
    throw new Error('db.Geo is not supported by the Shouyin emulator');
  }

  async startTransaction(): Promise<Transaction> {
    const res = await send(this.ctx, 'database.startTransaction', { op: 'db.tx.begin' });
    return new Transaction(this.ctx, res.tx);
  }

  /**
   * Runs `callback` in a transaction and commits; on a commit conflict the WHOLE callback runs again, up to
   * `times` executions (spec §4.5), so it must have no side effects outside the database. A throw rolls back
   * and rejects with that error; rollback(reason) rejects with reason.
   */
  async runTransaction<T>(callback: (t: Transaction) => Promise<T>, times = 3): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const t = await this.startTransaction();
      let result: T;
      try {
        result = await callback(t);
      } catch (e) {
        if (t.open) await t.rollback().catch(() => undefined);
        throw e;
      }
      if (t.rolledBack) throw t.rollbackReason;
      try {
        await t.commit();
        return result;
      } catch (e) {
        if ((e as SDKError).code === 'DATABASE_TRANSACTION_CONFLICT' && attempt < times) continue;
        throw e;
      }
    }
  }
}
