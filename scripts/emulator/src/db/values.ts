import { invalidParam } from './errors';

// Value helpers of the embedded database: type tests, deep equality, the MongoDB-style total order used by
// orderBy and range operators, deep copies, and the journal's JSON encoding of dates.
// CloudBase's database is MongoDB underneath (CloudBase notes §4), so these follow MongoDB's rules, limited to
// the value types a JSON-ish document can hold here: null, boolean, number, string, Date, array, plain object.

export type Doc = Record<string, unknown>;

export const isPlainObject = (v: unknown): v is Record<string, unknown> => {
  if (v === null || typeof v !== 'object') return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
};

export const isDate = (v: unknown): v is Date => v instanceof Date;

/** Deep copy of a stored value; dates are copied, everything else is plain data already. */
export function deepCopy<T>(v: T): T {
  if (v === null || typeof v !== 'object') return v;
  if (v instanceof Date) return new Date(v.getTime()) as T;
  if (Array.isArray(v)) return v.map(deepCopy) as T;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v as Record<string, unknown>)) out[k] = deepCopy(x);
  return out as T;
}

/** Deep equality with MongoDB semantics for the supported types (key order matters for objects in MongoDB;
 * we ignore it, which only makes the emulator more lenient for whole-object equality queries). */
export function valuesEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a instanceof Date || b instanceof Date) {
    return a instanceof Date && b instanceof Date && a.getTime() === b.getTime();
  }
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((x, i) => valuesEqual(x, b[i]));
  }
  if (isPlainObject(a) && isPlainObject(b)) {
    const ka = Object.keys(a);
    if (ka.length !== Object.keys(b).length) return false;
    return ka.every((k) => Object.hasOwn(b, k) && valuesEqual(a[k], b[k]));
  }
  return false;
}

// MongoDB's BSON comparison order: MinKey < null < numbers < strings < objects < arrays < binData < ObjectId
// < booleans < dates < timestamps < regex. Missing fields sort like null.
function typeRank(v: unknown): number {
  if (v === undefined || v === null) return 1;
  if (typeof v === 'number') return 2;
  if (typeof v === 'string') return 3;
  if (v instanceof Date) return 9;
  if (Array.isArray(v)) return 5;
  if (typeof v === 'boolean') return 8;
  if (typeof v === 'object') return 4;
  return 10;
}

/** Total order over stored values (for sorting). */
export function compareValues(a: unknown, b: unknown): number {
  const ra = typeRank(a);
  const rb = typeRank(b);
  if (ra !== rb) return ra - rb;
  switch (ra) {
    case 1:
      return 0;
    case 2:
      return (a as number) - (b as number);
    case 3:
      return a === b ? 0 : (a as string) < (b as string) ? -1 : 1;
    case 8:
      return Number(a) - Number(b);
    case 9:
      return (a as Date).getTime() - (b as Date).getTime();
    case 5: {
      const x = a as unknown[];
      const y = b as unknown[];
      for (let i = 0; i < Math.min(x.length, y.length); i++) {
        const c = compareValues(x[i], y[i]);
        if (c !== 0) return c;
      }
      return x.length - y.length;
    }
    case 4: {
      const x = Object.entries(a as Record<string, unknown>);
      const y = Object.entries(b as Record<string, unknown>);
      for (let i = 0; i < Math.min(x.length, y.length); i++) {
        const [kx, vx] = x[i]!;
        const [ky, vy] = y[i]!;
        if (kx !== ky) return kx < ky ? -1 : 1;
        const c = compareValues(vx, vy);
        if (c !== 0) return c;
      }
      return x.length - y.length;
    }
    default:
      return 0;
  }
}

/** Range operators ($gt, $lt, ...) only compare values of the same kind (MongoDB type bracketing). */
export function comparable(a: unknown, b: unknown): boolean {
  if (typeof a === 'number' && typeof b === 'number') return true;
  if (typeof a === 'string' && typeof b === 'string') return true;
  return a instanceof Date && b instanceof Date;
}

// ---- journal encoding ----------------------------------------------------------------------------------
// Field names starting with '$' are refused in documents (validateDocument), so {"$date": n} is unambiguous.

export const encodeJson = (v: unknown): string =>
  JSON.stringify(v, function (this: Record<string, unknown>, key: string, value: unknown) {
    const raw = this[key];
    return raw instanceof Date ? { $date: raw.getTime() } : value;
  });

export const decodeJson = (text: string): unknown =>
  JSON.parse(text, (_key, value: unknown) => {
    if (isPlainObject(value) && typeof value.$date === 'number' && Object.keys(value).length === 1) {
      return new Date(value.$date);
    }
    return value;
  });

/** A storable copy of a value: undefined object fields dropped, undefined array items become null (as JSON does),
 * dates copied. Throws INVALID_PARAM naming the path for values a document cannot hold. */
export function normalizeValue(v: unknown, path: string): unknown {
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return v;
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw invalidParam(`${path}: non-finite numbers cannot be stored`);
    return v;
  }
  if (v instanceof Date) {
    if (Number.isNaN(v.getTime())) throw invalidParam(`${path}: invalid Date`);
    return new Date(v.getTime());
  }
  if (Array.isArray(v)) return v.map((x, i) => (x === undefined ? null : normalizeValue(x, `${path}.${i}`)));
  if (isPlainObject(v)) {
    const out: Doc = {};
    for (const [k, x] of Object.entries(v)) {
      if (x === undefined || typeof x === 'function') continue;
      if (k.startsWith('$'))
        throw invalidParam(`${path ? `${path}.` : ''}${k}: field names must not start with '$'`);
      out[k] = normalizeValue(x, path ? `${path}.${k}` : k);
    }
    return out;
  }
  throw invalidParam(`${path}: unsupported value type ${Object.prototype.toString.call(v)}`);
}
