// Update operators with MongoDB semantics, for the update form the stand-in sends (CloudBase notes §4.3: update
// data is flattened into dotted paths and each plain leaf becomes a $set, so nested objects are merged):
//   { $set: { 'a.b': 1 }, $unset: { c: '' }, $inc: { n: 1 }, $push: { list: { $each: [x] } }, ... }
// Supported: $set $unset $inc $mul $min $max $push($each $position $slice $sort) $pop $addToSet $pull $pullAll
// $rename. Unknown operators are refused (-502002).

import { invalidCommand, invalidParam } from './errors';
import { matches, type Query } from './matcher';
import { compareValues, type Doc, deepCopy, isPlainObject, normalizeValue, valuesEqual } from './values';

export type UpdateSpec = Record<string, Record<string, unknown>>;

const OPERATORS = new Set([
  '$set',
  '$unset',
  '$inc',
  '$mul',
  '$min',
  '$max',
  '$push',
  '$pop',
  '$addToSet',
  '$pull',
  '$pullAll',
  '$rename',
]);

/** Checks operators, paths and conflicts before anything is written. Returns the number of field updates. */
export function validateUpdate(update: unknown): number {
  if (!isPlainObject(update)) throw invalidParam('参数必需是非空对象');
  const paths: string[] = [];
  for (const [op, fields] of Object.entries(update)) {
    if (!OPERATORS.has(op)) throw invalidCommand(`unsupported update operator ${op}`);
    if (!isPlainObject(fields)) throw invalidCommand(`${op} needs an object`);
    for (const [path, arg] of Object.entries(fields)) {
      if (path === '' || path.split('.').some((p) => p === '' || p.startsWith('$'))) {
        throw invalidCommand(`invalid field path '${path}'`);
      }
      if (path === '_id' || path.startsWith('_id.')) throw invalidParam('不能更新_id的值');
      if ((op === '$inc' || op === '$mul') && typeof arg !== 'number')
        throw invalidCommand(`${op} needs a number`);
      if (op === '$rename') {
        if (typeof arg !== 'string' || arg === '' || arg === '_id')
          throw invalidCommand('$rename needs a field name');
        paths.push(arg);
      }
      paths.push(path);
    }
  }
  if (paths.length === 0) throw invalidParam('参数必需是非空对象');
  const sorted = [...paths].sort();
  for (let i = 1; i < sorted.length; i++) {
    const a = sorted[i - 1]!;
    const b = sorted[i]!;
    if (a === b || b.startsWith(`${a}.`)) {
      throw invalidCommand(`Updating the path '${b}' would create a conflict at '${a}'`);
    }
  }
  return paths.length;
}

type Parent = Record<string, unknown> | unknown[];

/** The container holding the last path segment, created on the way when `create`; undefined if absent. */
function parentOf(doc: Doc, path: string, create: boolean): { parent: Parent; key: string } | undefined {
  const parts = path.split('.');
  let cur: unknown = doc;
  for (let i = 0; i < parts.length - 1; i++) {
    const part = parts[i]!;
    const container = cur as Parent;
    let next: unknown;
    if (Array.isArray(container)) {
      if (!/^\d+$/.test(part))
        throw invalidCommand(`cannot use the part (${part}) of (${path}) to traverse an array`);
      next = container[Number(part)];
    } else {
      next = container[part];
    }
    if (next === undefined || next === null) {
      if (!create) return undefined;
      next = {};
      setChild(container, part, next);
    } else if (typeof next !== 'object' || next instanceof Date) {
      if (!create) return undefined;
      throw invalidCommand(
        `Cannot create field '${parts[i + 1]}' in element {${part}: ${JSON.stringify(next)}}`,
      );
    }
    cur = next;
  }
  return { parent: cur as Parent, key: parts[parts.length - 1]! };
}

function setChild(parent: Parent, key: string, value: unknown): void {
  if (Array.isArray(parent)) {
    if (!/^\d+$/.test(key)) throw invalidCommand(`cannot set field '${key}' of an array`);
    const i = Number(key);
    while (parent.length < i) parent.push(null);
    parent[i] = value;
  } else {
    parent[key] = value;
  }
}

const getChild = (parent: Parent, key: string): unknown =>
  Array.isArray(parent) ? (/^\d+$/.test(key) ? parent[Number(key)] : undefined) : parent[key];

function arrayAt(
  parent: Parent,
  key: string,
  op: string,
  path: string,
  create: boolean,
): unknown[] | undefined {
  const cur = getChild(parent, key);
  if (cur === undefined) {
    if (!create) return undefined;
    const arr: unknown[] = [];
    setChild(parent, key, arr);
    return arr;
  }
  if (!Array.isArray(cur)) throw invalidCommand(`${op}: the field '${path}' must be an array`);
  return cur;
}

function elementMatches(el: unknown, cond: unknown): boolean {
  if (isPlainObject(cond)) {
    const keys = Object.keys(cond);
    if (keys.length > 0 && keys.every((k) => k.startsWith('$'))) return matches({ v: el }, { v: cond });
    return isPlainObject(el) && matches(el, cond as Query);
  }
  return valuesEqual(el, cond);
}

function applyOne(doc: Doc, op: string, path: string, rawArg: unknown): void {
  // Values written as such are normalised here; $push/$addToSet normalise their items, $pull takes a condition.
  const arg = op === '$set' || op === '$min' || op === '$max' ? normalizeValue(rawArg, path) : rawArg;
  const create = op !== '$unset' && op !== '$pop' && op !== '$pull' && op !== '$pullAll' && op !== '$rename';
  const loc = parentOf(doc, path, create);
  if (!loc) return;
  const { parent, key } = loc;
  const cur = getChild(parent, key);
  switch (op) {
    case '$set':
      setChild(parent, key, arg);
      return;
    case '$unset':
      if (Array.isArray(parent)) {
        if (cur !== undefined) setChild(parent, key, null); // MongoDB leaves null in arrays
      } else {
        delete parent[key];
      }
      return;
    case '$inc':
    case '$mul': {
      if (cur === undefined) {
        setChild(parent, key, op === '$inc' ? arg : 0);
        return;
      }
      if (typeof cur !== 'number')
        throw invalidCommand(`Cannot apply ${op} to a value of non-numeric type (${path})`);
      setChild(parent, key, op === '$inc' ? cur + (arg as number) : cur * (arg as number));
      return;
    }
    case '$min':
    case '$max': {
      const c = cur === undefined ? 0 : compareValues(arg, cur);
      if (cur === undefined || (op === '$min' ? c < 0 : c > 0)) setChild(parent, key, arg);
      return;
    }
    case '$push': {
      const arr = arrayAt(parent, key, op, path, true)!;
      const spec = isPlainObject(arg) && Array.isArray(arg.$each) ? arg : { $each: [arg] };
      const each = (spec.$each as unknown[]).map((v) => normalizeValue(v, path));
      const pos = typeof spec.$position === 'number' ? spec.$position : arr.length;
      arr.splice(pos < 0 ? Math.max(0, arr.length + pos) : pos, 0, ...each);
      if (spec.$sort !== undefined) {
        const dir = spec.$sort;
        if (isPlainObject(dir)) {
          const [field, d] = Object.entries(dir)[0] ?? ['', 1];
          arr.sort(
            (a, b) =>
              Number(d) * compareValues(isPlainObject(a) ? a[field] : a, isPlainObject(b) ? b[field] : b),
          );
        } else {
          arr.sort((a, b) => Number(dir) * compareValues(a, b));
        }
      }
      if (typeof spec.$slice === 'number') {
        const kept = spec.$slice >= 0 ? arr.slice(0, spec.$slice) : arr.slice(spec.$slice);
        arr.splice(0, arr.length, ...kept);
      }
      return;
    }
    case '$pop': {
      const arr = arrayAt(parent, key, op, path, false);
      if (!arr) return;
      if (Number(arg) >= 0) arr.pop();
      else arr.shift();
      return;
    }
    case '$addToSet': {
      const arr = arrayAt(parent, key, op, path, true)!;
      const each = (isPlainObject(arg) && Array.isArray(arg.$each) ? arg.$each : [arg]).map((v) =>
        normalizeValue(v, path),
      );
      for (const v of each) if (!arr.some((e) => valuesEqual(e, v))) arr.push(v);
      return;
    }
    case '$pull':
    case '$pullAll': {
      const arr = arrayAt(parent, key, op, path, false);
      if (!arr) return;
      if (op === '$pullAll' && !Array.isArray(arg)) throw invalidCommand('$pullAll needs an array');
      const keep = arr.filter((el) =>
        op === '$pull' ? !elementMatches(el, arg) : !(arg as unknown[]).some((v) => valuesEqual(el, v)),
      );
      arr.splice(0, arr.length, ...keep);
      return;
    }
    case '$rename': {
      if (cur === undefined || Array.isArray(parent)) return;
      delete parent[key];
      const dest = parentOf(doc, arg as string, true)!;
      setChild(dest.parent, dest.key, cur);
      return;
    }
    default:
      throw invalidCommand(`unsupported update operator ${op}`);
  }
}

/** A new document with the update applied (the input is not touched). Call validateUpdate first. */
export function applyUpdate(doc: Doc, update: UpdateSpec): Doc {
  const out = deepCopy(doc);
  for (const [op, fields] of Object.entries(update)) {
    for (const [path, arg] of Object.entries(fields)) applyOne(out, op, path, arg);
  }
  return out;
}
