// The mini-program's client-side database (wx.cloud.database()) over HTTP: POST /client-db/<collection> with the
// caller's openid in x-wx-openid, one request per SDK call, checked against the security rules of
// cloudbase-db.json (db/security-rules.ts) before anything is read or written. Differences from the server SDK
// (CloudBase notes §4.2, §4.7, §6.3): get() returns at most 20 documents, add() stores `_openid` = the caller,
// and the client may not write `_openid` (nor `_id` in updates). Shapes: docs/emulator.md "Client-side database".

import type { Engine } from '../db/engine';
import { DbError } from '../db/errors';
import type { Query } from '../db/matcher';
import {
  allowedForQuery,
  allowedOnDocument,
  type Caller,
  type RuleOperation,
  type SecurityRules,
} from '../db/security-rules';
import type { DbService } from '../db/service';
import type { UpdateSpec } from '../db/updater';
import { type Doc, isPlainObject } from '../db/values';
import type { JsonReply } from './http/server';

/** Client get(): default and maximum (spec §4.2; the maximum is the stricter reading). */
export const CLIENT_GET_LIMIT = 20;

export const CLIENT_DB_ACTIONS = [
  'get',
  'count',
  'update',
  'remove',
  'add',
  'doc.get',
  'doc.update',
  'doc.set',
  'doc.remove',
] as const;
export type ClientDbAction = (typeof CLIENT_DB_ACTIONS)[number];

export interface ClientDbRequest {
  action: ClientDbAction;
  /** doc.* actions. */
  id?: string;
  /** get/count/update/remove: a MongoDB-style query as GET /db/<c>?where= takes ({"$date": …} for dates). */
  where?: Query;
  /** add/doc.set: the document; update/doc.update: fields to set (nested objects merged, as the SDK does). */
  data?: Doc;
  orderBy?: Array<[string, 'asc' | 'desc']>;
  limit?: number;
  skip?: number;
  /** Projection, e.g. {"name": true}. */
  field?: Record<string, boolean>;
}

/** SDK api name of each action, for errMsg ("collection.get:ok", "document.update:fail …"). */
const API: Record<ClientDbAction, string> = {
  get: 'collection.get',
  count: 'collection.count',
  update: 'collection.update',
  remove: 'collection.remove',
  add: 'collection.add',
  'doc.get': 'document.get',
  'doc.update': 'document.update',
  'doc.set': 'document.set',
  'doc.remove': 'document.remove',
};

const CODES: Record<string, [number, string]> = {
  DATABASE_PERMISSION_DENIED: [-502003, 'database permission denied'],
  DATABASE_COLLECTION_NOT_EXIST: [-502005, 'database collection not exists'],
  DATABASE_INVALID_COMMAND: [-502002, 'database invalid command'],
  DATABASE_DUPLICATE_WRITE: [-502001, 'database request fail'],
  INVALID_PARAM: [-501007, 'invalid parameters'],
};

class ClientDbError extends Error {
  constructor(
    readonly code: keyof typeof CODES,
    message: string,
  ) {
    super(message);
  }
}

const denied = (op: RuleOperation, collection: string): ClientDbError =>
  new ClientDbError(
    'DATABASE_PERMISSION_DENIED',
    `Permission denied: the security rule of ${collection} does not allow this ${op} for this caller`,
  );
const invalid = (m: string): ClientDbError => new ClientDbError('INVALID_PARAM', m);

function failure(api: string, code: string, message: string): JsonReply {
  const [errCode, text] = CODES[code] ?? [-501001, 'resource system error'];
  const status = errCode === -502003 ? 403 : errCode === -502005 ? 404 : 400;
  return { status, body: { errCode, errMsg: `${api}:fail ${errCode} ${text}. ${message}` } };
}

/** Plain update data → $set of flattened paths (nested objects merged), as the SDK encodes update({data}). */
function setOf(data: Doc, prefix = '', out: Record<string, unknown> = {}): Record<string, unknown> {
  for (const [k, v] of Object.entries(data)) {
    if (v === undefined) continue;
    if (k.startsWith('$')) throw invalid(`update data may not use operators over HTTP (${k})`);
    if (isPlainObject(v) && Object.keys(v).length > 0 && !('$date' in v)) setOf(v, `${prefix}${k}.`, out);
    else out[`${prefix}${k}`] = v;
  }
  return out;
}

function noReservedFields(data: Doc, what: string): void {
  if (Object.hasOwn(data, '_openid'))
    throw invalid(`${what}: _openid is set by the platform, not the client`);
}

export interface ClientDbContext {
  engine: Engine;
  db: DbService;
  rules: SecurityRules;
  /** Turns {"$date": …} into Dates (the HTTP API's JSON convention). */
  revive: (v: unknown) => unknown;
}

function parse(body: unknown): ClientDbRequest {
  if (!isPlainObject(body)) throw invalid('body must be a JSON object {"action", …}');
  const action = body.action as ClientDbAction;
  if (!CLIENT_DB_ACTIONS.includes(action))
    throw invalid(`action must be one of ${CLIENT_DB_ACTIONS.join(', ')}`);
  if (action.startsWith('doc.') && (typeof body.id !== 'string' || body.id === ''))
    throw invalid(`${action} needs an id`);
  if (body.where !== undefined && !isPlainObject(body.where)) throw invalid('where must be an object');
  if (body.data !== undefined && !isPlainObject(body.data)) throw invalid('data must be an object');
  if (['add', 'doc.set', 'doc.update', 'update'].includes(action) && body.data === undefined)
    throw invalid(`${action} needs data`);
  return body as unknown as ClientDbRequest;
}

function run(ctx: ClientDbContext, collection: string, req: ClientDbRequest, caller: Caller): unknown {
  const { engine, db, rules } = ctx;
  if (!engine.hasCollection(collection))
    throw new DbError('DATABASE_COLLECTION_NOT_EXIST', `collection ${collection} does not exist`);
  const where = (ctx.revive(req.where ?? {}) ?? {}) as Query;
  const data = ctx.revive(req.data) as Doc | undefined;
  const current = (id: string): Doc | undefined => engine.get(collection, id)?.doc;
  const owner = 'client';
  switch (req.action) {
    case 'get': {
      if (!allowedForQuery(rules, collection, 'read', caller, where)) throw denied('read', collection);
      const limit = Math.min(req.limit ?? CLIENT_GET_LIMIT, CLIENT_GET_LIMIT);
      const r = db.handle(
        {
          op: 'db.query',
          collection,
          query: where,
          limit,
          skip: req.skip,
          orderBy: req.orderBy,
          projection: req.field,
        },
        owner,
      );
      return { data: r.data };
    }
    case 'count': {
      if (!allowedForQuery(rules, collection, 'read', caller, where)) throw denied('read', collection);
      return { total: db.handle({ op: 'db.count', collection, query: where }, owner).total };
    }
    case 'update': {
      if (!allowedForQuery(rules, collection, 'update', caller, where)) throw denied('update', collection);
      noReservedFields(data!, 'update');
      const update: UpdateSpec = { $set: setOf(data!) };
      const r = db.handle({ op: 'db.update', collection, query: where, update, multi: true }, owner);
      return { stats: { updated: r.updated } };
    }
    case 'remove': {
      if (!allowedForQuery(rules, collection, 'delete', caller, where)) throw denied('delete', collection);
      return {
        stats: {
          removed: db.handle({ op: 'db.remove', collection, query: where, multi: true }, owner).removed,
        },
      };
    }
    case 'add': {
      noReservedFields(data!, 'add');
      if (caller.openid === undefined) throw denied('create', collection);
      const doc: Doc = { ...data!, _openid: caller.openid };
      if (!allowedOnDocument(rules, collection, 'create', caller, doc)) throw denied('create', collection);
      const [id] = db.handle({ op: 'db.add', collection, docs: [doc] }, owner).ids;
      return { _id: id };
    }
    case 'doc.get': {
      const doc = current(req.id!);
      // A missing document reads as denied unless the rule allows reading without a document (stricter side).
      if (!allowedOnDocument(rules, collection, 'read', caller, doc ?? {})) throw denied('read', collection);
      const r = db.handle({ op: 'db.doc.get', collection, id: req.id!, projection: req.field }, owner);
      if (!r.data) throw invalid(`document with _id ${req.id} does not exist`);
      return { data: r.data };
    }
    case 'doc.update': {
      const doc = current(req.id!);
      if (!allowedOnDocument(rules, collection, 'update', caller, doc ?? {}))
        throw denied('update', collection);
      noReservedFields(data!, 'update');
      const update: UpdateSpec = { $set: setOf(data!) };
      const r = db.handle({ op: 'db.doc.update', collection, id: req.id!, update }, owner);
      return { stats: { updated: r.updated } };
    }
    case 'doc.set': {
      noReservedFields(data!, 'set');
      const doc = current(req.id!);
      if (doc) {
        if (!allowedOnDocument(rules, collection, 'update', caller, doc)) throw denied('update', collection);
      } else if (
        caller.openid === undefined ||
        !allowedOnDocument(rules, collection, 'create', caller, { ...data!, _openid: caller.openid })
      )
        throw denied('create', collection);
      const next = { ...data!, _openid: doc ? doc._openid : caller.openid };
      const r = db.handle({ op: 'db.doc.set', collection, id: req.id!, data: next }, owner) as {
        updated: number;
        created: number;
      };
      return { _id: req.id, stats: { updated: r.updated, created: r.created } };
    }
    case 'doc.remove': {
      const doc = current(req.id!);
      if (!allowedOnDocument(rules, collection, 'delete', caller, doc ?? {}))
        throw denied('delete', collection);
      return {
        stats: { removed: db.handle({ op: 'db.doc.remove', collection, id: req.id! }, owner).removed },
      };
    }
  }
}

/** One client SDK call → the client's answer ({…, errMsg: "<api>:ok"}) or its failure (403 for -502003). */
export function clientDbRequest(
  ctx: ClientDbContext,
  collection: string,
  body: unknown,
  caller: Caller,
): JsonReply {
  const action = isPlainObject(body) ? (body.action as ClientDbAction) : undefined;
  const api = (action && API[action]) ?? 'database';
  try {
    const result = run(ctx, collection, parse(body), caller) as Record<string, unknown>;
    return { status: 200, body: { ...result, errMsg: `${api}:ok` } };
  } catch (e) {
    if (e instanceof ClientDbError) return failure(api, e.code, e.message);
    if (e instanceof DbError) return failure(api, e.code, e.message);
    throw e;
  }
}
