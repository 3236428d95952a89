// Query matching with MongoDB semantics, for the query form the wx-server-sdk stand-in sends (already flattened
// into dotted paths, commands as $operators; CloudBase notes §4.3):
//   { 'a.b': 1, status: { $in: ['A', 'B'] }, $and: [...], $or: [...], $nor: [...] }
// Supported operators: $eq $ne $gt $gte $lt $lte $in $nin $exists $regex/$options $size $all $elemMatch $mod $not.
// Anything else is refused as an invalid command (-502002), so a query never silently matches everything.
// A query is compiled once into a predicate (validating it as it goes), then run over the documents.

import { invalidCommand } from './errors';
import { comparable, compareValues, type Doc, isPlainObject, valuesEqual } from './values';

export type Query = Record<string, unknown>;
export type Predicate = (doc: unknown) => boolean;
type Test = (candidates: unknown[]) => boolean;

const ABSENT: unknown[] = [undefined];

/** Values reachable at a dotted path; arrays of sub-documents fan out as in MongoDB. [undefined] when absent. */
export function valuesAtPath(doc: unknown, path: string): unknown[] {
  return pathGetter(path)(doc);
}

function pathGetter(path: string): (doc: unknown) => unknown[] {
  if (!path.includes('.')) {
    return (doc) => {
      const v = isPlainObject(doc) ? doc[path] : undefined;
      return v === undefined ? ABSENT : [v];
    };
  }
  const parts = path.split('.');
  return (doc) => {
    const out: unknown[] = [];
    collect(doc, parts, 0, out);
    return out.length === 0 ? ABSENT : out;
  };
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

const isPrimitive = (v: unknown): v is string | number | boolean =>
  typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';

/** Equality against each candidate and, for arrays, each element; { field: null } also matches a missing field. */
function equality(expected: unknown): Test {
  if (expected === null) {
    return (cs) => cs.some((c) => c === undefined || c === null || (Array.isArray(c) && c.includes(null)));
  }
  if (isPrimitive(expected)) {
    return (cs) => {
      for (const c of cs) {
        if (c === expected) return true;
        if (Array.isArray(c) && c.includes(expected)) return true;
      }
      return false;
    };
  }
  return (cs) =>
    cs.some(
      (c) =>
        c !== undefined &&
        (valuesEqual(c, expected) || (Array.isArray(c) && c.some((e) => valuesEqual(e, expected)))),
    );
}

/** Each candidate value, and for arrays also each of their elements (MongoDB's implicit array traversal). */
const expand = (cs: unknown[]): unknown[] =>
  cs.some(Array.isArray) ? cs.flatMap((c) => (Array.isArray(c) ? [c, ...c] : [c])) : cs;

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

function range(arg: unknown, ok: (c: number) => boolean): Test {
  return (cs) => expand(cs).some((c) => comparable(c, arg) && ok(compareValues(c, arg)));
}

function operatorTest(op: string, arg: unknown, all: Record<string, unknown>): Test {
  switch (op) {
    case '$eq':
      return equality(arg);
    case '$ne': {
      const eq = equality(arg);
      return (cs) => !eq(cs);
    }
    case '$gt':
      return range(arg, (c) => c > 0);
    case '$gte':
      return range(arg, (c) => c >= 0);
    case '$lt':
      return range(arg, (c) => c < 0);
    case '$lte':
      return range(arg, (c) => c <= 0);
    case '$in':
    case '$nin': {
      if (!Array.isArray(arg)) throw invalidCommand(`${op} needs an array`);
      const tests = arg.map(equality);
      return op === '$in' ? (cs) => tests.some((t) => t(cs)) : (cs) => !tests.some((t) => t(cs));
    }
    case '$exists': {
      const want = Boolean(arg);
      return (cs) => cs.some((c) => c !== undefined) === want;
    }
    case '$regex': {
      const re = toRegExp(arg, all.$options);
      return (cs) => expand(cs).some((c) => typeof c === 'string' && re.test(c));
    }
    case '$options':
      if (!('$regex' in all)) throw invalidCommand('$options without $regex');
      return () => true;
    case '$size':
      if (!Number.isInteger(arg)) throw invalidCommand('$size needs an integer');
      return (cs) => cs.some((c) => Array.isArray(c) && c.length === arg);
    case '$all':
      if (!Array.isArray(arg)) throw invalidCommand('$all needs an array');
      return (cs) => cs.some((c) => Array.isArray(c) && arg.every((v) => c.some((e) => valuesEqual(e, v))));
    case '$elemMatch': {
      if (!isPlainObject(arg)) throw invalidCommand('$elemMatch needs an object');
      const onValue = isOperatorObject(arg) ? conditionTest(arg) : undefined;
      const onDoc = onValue ? undefined : compileQuery(arg);
      return (cs) =>
        cs.some(
          (c) =>
            Array.isArray(c) && c.some((el) => (onValue ? onValue([el]) : isPlainObject(el) && onDoc!(el))),
        );
    }
    case '$mod': {
      if (
        !Array.isArray(arg) ||
        arg.length !== 2 ||
        !arg.every((x) => typeof x === 'number') ||
        arg[0] === 0
      ) {
        throw invalidCommand('$mod needs [divisor, remainder]');
      }
      const [d, r] = arg as [number, number];
      return (cs) => expand(cs).some((c) => typeof c === 'number' && c % d === r);
    }
    case '$not': {
      if (!(arg instanceof RegExp) && !isOperatorObject(arg))
        throw invalidCommand('$not needs an operator expression');
      const inner = conditionTest(arg);
      return (cs) => !inner(cs);
    }
    default:
      throw invalidCommand(`unsupported query operator ${op}`);
  }
}

function conditionTest(condition: unknown): Test {
  if (condition instanceof RegExp) return operatorTest('$regex', condition, {});
  if (isOperatorObject(condition)) {
    const tests = Object.entries(condition).map(([op, arg]) => operatorTest(op, arg, condition));
    return tests.length === 1 ? tests[0]! : (cs) => tests.every((t) => t(cs));
  }
  return equality(condition);
}

/** Compiles a (flattened, operator-form) query into a predicate; throws DbError for a malformed query. */
export function compileQuery(query: unknown): Predicate {
  if (!isPlainObject(query)) throw invalidCommand('query must be an object');
  const preds: Predicate[] = [];
  for (const [key, condition] of Object.entries(query)) {
    if (key.startsWith('$')) {
      if (!Array.isArray(condition)) throw invalidCommand(`${key} needs an array`);
      const subs = condition.map(compileQuery);
      if (key === '$and') preds.push((d) => subs.every((p) => p(d)));
      else if (key === '$or') preds.push((d) => subs.some((p) => p(d)));
      else if (key === '$nor') preds.push((d) => !subs.some((p) => p(d)));
      else throw invalidCommand(`unsupported logical operator ${key}`);
      continue;
    }
    if (key.split('.').some((part) => part === '' || part.startsWith('$'))) {
      throw invalidCommand(`invalid field path '${key}'`);
    }
    if (condition === undefined) continue;
    const get = pathGetter(key);
    const test = conditionTest(condition);
    preds.push((d) => test(get(d)));
  }
  if (preds.length === 0) return () => true;
  if (preds.length === 1) return preds[0]!;
  return (d) => {
    for (const p of preds) if (!p(d)) return false;
    return true;
  };
}

/** Whether a document matches a query (compiles it each time: prefer compileQuery for many documents). */
export function matches(doc: Doc, query: Query): boolean {
  return compileQuery(query)(doc);
}

/** Throws for a malformed query even when no document is scanned (the cloud validates before it scans). */
export function validateQuery(query: unknown): void {
  compileQuery(query);
}

/** The _id a query pins down by plain equality, if any: lets the engine skip the scan. */
export function pinnedId(query: Query): string | undefined {
  const id = query._id;
  if (typeof id === 'string') return id;
  if (isPlainObject(id) && Object.keys(id).length === 1 && typeof id.$eq === 'string') return id.$eq;
  return undefined;
}
