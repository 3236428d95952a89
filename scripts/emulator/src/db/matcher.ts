// Query matching with MongoDB semantics, for the query form the wx-server-sdk stand-in sends (already flattened
// into dotted paths, commands as $operators; spec cloudbase.md §4.3):
//   { 'a.b': 1, status: { $in: ['A', 'B'] }, $and: [...], $or: [...], $nor: [...] }
// Supported operators: $eq $ne $gt $gte $lt $lte $in $nin $exists $regex/$options $size $all $elemMatch $mod $not.
// Anything else is refused as an invalid command (-502002), so a query never silently matches everything.

import { invalidCommand } from './errors';
import { comparable, compareValues, type Doc, isPlainObject, valuesEqual } from './values';

export type Query = Record<string, unknown>;

/** Values reachable at a dotted path; arrays of sub-documents fan out as in MongoDB. [undefined] when absent. */
export function valuesAtPath(doc: unknown, path: string): unknown[] {
  const out: unknown[] = [];
  collect(doc, path.split('.'), 0, out);
  return out.length === 0 ? [undefined] : out;
}

function collect(value: unknown, parts: string[], i: number, out: unknown[]): void {
  if (i === parts.length) {
    out.push(value);
    return;
  }
  const key = parts[i]!;
  if (Array.isArray(value)) {
    if (/^\d+$/.test(key)) {
      collect(value[Number(key)], parts, i + 1, out);
      return;
    }
    for (const el of value) if (isPlainObject(el)) collect(el[key], parts, i + 1, out);
    return;
  }
  if (isPlainObject(value)) {
    collect(value[key], parts, i + 1, out);
    return;
  }
  out.push(undefined);
}

const isOperatorObject = (v: unknown): v is Record<string, unknown> => {
  if (!isPlainObject(v)) return false;
  const keys = Object.keys(v);
  if (keys.length === 0) return false;
  const ops = keys.filter((k) => k.startsWith('$')).length;
  if (ops === 0) return false;
  if (ops !== keys.length) throw invalidCommand(`cannot mix operators and fields: ${keys.join(', ')}`);
  return true;
};

/** Each candidate value, and for arrays also each of their elements (MongoDB's implicit array traversal). */
const expand = (candidates: unknown[]): unknown[] =>
  candidates.flatMap((c) => (Array.isArray(c) ? [c, ...c] : [c]));

function equalsAny(candidates: unknown[], expected: unknown): boolean {
  // { field: null } also matches a missing field, as in MongoDB.
  if (expected === null && candidates.includes(undefined)) return true;
  return expand(candidates).some((c) => c !== undefined && valuesEqual(c, expected));
}

function toRegExp(source: unknown, options: unknown): RegExp {
  if (source instanceof RegExp) return source;
  if (typeof source !== 'string') throw invalidCommand('$regex needs a string');
  const flags = typeof options === 'string' ? options.replace(/[^imsu]/g, '') : '';
  try {
    return new RegExp(source, flags);
  } catch {
    throw invalidCommand(`invalid regular expression: ${source}`);
  }
}

function matchOperators(candidates: unknown[], ops: Record<string, unknown>): boolean {
  for (const [op, arg] of Object.entries(ops)) {
    if (!matchOperator(candidates, op, arg, ops)) return false;
  }
  return true;
}

function matchOperator(candidates: unknown[], op: string, arg: unknown, all: Record<string, unknown>): boolean {
  const range = (test: (c: number) => boolean) =>
    expand(candidates).some((c) => comparable(c, arg) && test(compareValues(c, arg)));
  switch (op) {
    case '$eq':
      return equalsAny(candidates, arg);
    case '$ne':
      return !equalsAny(candidates, arg);
    case '$gt':
      return range((c) => c > 0);
    case '$gte':
      return range((c) => c >= 0);
    case '$lt':
      return range((c) => c < 0);
    case '$lte':
      return range((c) => c <= 0);
    case '$in':
      if (!Array.isArray(arg)) throw invalidCommand('$in needs an array');
      return arg.some((v) => equalsAny(candidates, v));
    case '$nin':
      if (!Array.isArray(arg)) throw invalidCommand('$nin needs an array');
      return !arg.some((v) => equalsAny(candidates, v));
    case '$exists':
      return candidates.some((c) => c !== undefined) === Boolean(arg);
    case '$regex': {
      const re = toRegExp(arg, all.$options);
      return expand(candidates).some((c) => typeof c === 'string' && re.test(c));
    }
    case '$options':
      if (!('$regex' in all)) throw invalidCommand('$options without $regex');
      return true;
    case '$size':
      if (!Number.isInteger(arg)) throw invalidCommand('$size needs an integer');
      return candidates.some((c) => Array.isArray(c) && c.length === arg);
    case '$all':
      if (!Array.isArray(arg)) throw invalidCommand('$all needs an array');
      return candidates.some((c) => Array.isArray(c) && arg.every((v) => c.some((e) => valuesEqual(e, v))));
    case '$elemMatch':
      if (!isPlainObject(arg)) throw invalidCommand('$elemMatch needs an object');
      return candidates.some(
        (c) =>
          Array.isArray(c) &&
          c.some((el) => (isOperatorObject(arg) ? matchOperators([el], arg) : isPlainObject(el) && matches(el, arg))),
      );
    case '$mod': {
      if (!Array.isArray(arg) || arg.length !== 2) throw invalidCommand('$mod needs [divisor, remainder]');
      const [d, r] = arg as [number, number];
      return expand(candidates).some((c) => typeof c === 'number' && c % d === r);
    }
    case '$not':
      if (arg instanceof RegExp) return !matchCondition(candidates, arg);
      if (!isOperatorObject(arg)) throw invalidCommand('$not needs an operator expression');
      return !matchOperators(candidates, arg);
    default:
      throw invalidCommand(`unsupported query operator ${op}`);
  }
}

function matchCondition(candidates: unknown[], condition: unknown): boolean {
  if (condition instanceof RegExp) return matchOperator(candidates, '$regex', condition, {});
  if (isOperatorObject(condition)) return matchOperators(candidates, condition);
  return equalsAny(candidates, condition);
}

/** Whether a document matches a (flattened, operator-form) query. Throws DbError for malformed queries. */
export function matches(doc: Doc, query: Query): boolean {
  for (const [key, condition] of Object.entries(query)) {
    if (key.startsWith('$')) {
      if (!Array.isArray(condition)) throw invalidCommand(`${key} needs an array`);
      const subs = condition.map((q) => {
        if (!isPlainObject(q)) throw invalidCommand(`${key} items must be objects`);
        return q;
      });
      if (key === '$and') {
        if (!subs.every((q) => matches(doc, q))) return false;
      } else if (key === '$or') {
        if (!subs.some((q) => matches(doc, q))) return false;
      } else if (key === '$nor') {
        if (subs.some((q) => matches(doc, q))) return false;
      } else {
        throw invalidCommand(`unsupported logical operator ${key}`);
      }
      continue;
    }
    if (condition === undefined) continue;
    if (!matchCondition(valuesAtPath(doc, key), condition)) return false;
  }
  return true;
}

const KNOWN_OPERATORS = new Set([
  '$eq', '$ne', '$gt', '$gte', '$lt', '$lte', '$in', '$nin', '$exists', '$regex', '$options', '$size', '$all',
  '$elemMatch', '$mod', '$not',
]);

/** Throws for a malformed query even when no document is scanned (the cloud validates before it scans). */
export function validateQuery(query: unknown): void {
  if (!isPlainObject(query)) throw invalidCommand('query must be an object');
  for (const [key, condition] of Object.entries(query)) {
    if (key.startsWith('$')) {
      if (key !== '$and' && key !== '$or' && key !== '$nor') throw invalidCommand(`unsupported logical operator ${key}`);
      if (!Array.isArray(condition)) throw invalidCommand(`${key} needs an array`);
      for (const q of condition) validateQuery(q);
    } else if (key.split('.').some((part) => part === '' || part.startsWith('$'))) {
      throw invalidCommand(`invalid field path '${key}'`);
    } else if (isOperatorObject(condition)) {
      for (const [op, arg] of Object.entries(condition)) {
        if (!KNOWN_OPERATORS.has(op)) throw invalidCommand(`unsupported query operator ${op}`);
        if (op === '$elemMatch' && isPlainObject(arg) && !isOperatorObject(arg)) validateQuery(arg);
        // Argument shapes are checked by evaluating each operator against a missing value.
        matchOperator([undefined], op, arg, condition);
      }
    }
  }
}

/** The _id a query pins down by plain equality, if any: lets the engine skip the scan. */
export function pinnedId(query: Query): string | undefined {
  const id = query._id;
  if (typeof id === 'string') return id;
  if (isPlainObject(id) && Object.keys(id).length === 1 && typeof id.$eq === 'string') return id.$eq;
  return undefined;
}
