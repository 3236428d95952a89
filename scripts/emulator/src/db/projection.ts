// field() projections: { a: true, 'b.c': true } keeps those fields (and _id), { a: false } drops them.
// MongoDB refuses to mix inclusion and exclusion except for _id; so do we (-502002).

import { invalidCommand } from './errors';
import { type Doc, deepCopy, isPlainObject } from './values';

export type Projection = Record<string, boolean | 0 | 1>;

export function validateProjection(projection: unknown): void {
  if (!isPlainObject(projection)) throw invalidCommand('projection must be an object');
  const modes = new Set(
    Object.entries(projection)
      .filter(([k]) => k !== '_id')
      .map(([, v]) => Boolean(v)),
  );
  if (modes.size > 1) throw invalidCommand('projection cannot mix inclusion and exclusion');
}

function pick(src: unknown, parts: string[], dst: Record<string, unknown>): void {
  if (!isPlainObject(src)) return;
  const [head, ...rest] = parts as [string, ...string[]];
  if (!(head in src)) return;
  const value = src[head];
  if (rest.length === 0) {
    dst[head] = deepCopy(value);
    return;
  }
  if (Array.isArray(value)) {
    // Arrays of sub-documents keep the picked fields of each sub-document; other items are left out.
    const prev = Array.isArray(dst[head]) ? (dst[head] as Record<string, unknown>[]) : [];
    const out: Record<string, unknown>[] = [];
    for (const el of value) {
      if (!isPlainObject(el)) continue;
      const target = prev[out.length] ?? {};
      pick(el, rest, target);
      out.push(target);
    }
    dst[head] = out;
    return;
  }
  if (!isPlainObject(value)) return;
  const child = (isPlainObject(dst[head]) ? dst[head] : {}) as Record<string, unknown>;
  pick(value, rest, child);
  dst[head] = child;
}

function drop(target: unknown, parts: string[]): void {
  if (Array.isArray(target)) {
    for (const el of target) drop(el, parts);
    return;
  }
  if (!isPlainObject(target)) return;
  const [head, ...rest] = parts as [string, ...string[]];
  if (rest.length === 0) delete target[head];
  else drop(target[head], rest);
}

/** A copy of the document reduced by the projection (an empty projection returns a full copy). */
export function project(doc: Doc, projection: Projection | undefined): Doc {
  if (!projection || Object.keys(projection).length === 0) return deepCopy(doc);
  const entries = Object.entries(projection);
  const including = entries.some(([k, v]) => k !== '_id' && Boolean(v));
  const keepId = projection._id === undefined || Boolean(projection._id);
  if (including) {
    const out: Doc = {};
    if (keepId && '_id' in doc) out._id = doc._id;
    for (const [k, v] of entries) if (k !== '_id' && v) pick(doc, k.split('.'), out);
    return out;
  }
  const out = deepCopy(doc);
  for (const [k] of entries) if (k !== '_id') drop(out, k.split('.'));
  if (!keepId) delete out._id;
  return out;
}
