// Turns what functions pass to where(), update({data}), add({data}) and set({data}) into the wire form the main
// process matches and applies, following CDB's serializers (CloudBase notes §4.3):
//  - queries and update data are flattened into dotted paths, so { payer: { openid } } matches payer.openid only
//    and update({ data: { a: { b: 1 } } }) merges a.b instead of replacing a;
//  - every plain leaf of update data becomes a $set; fields whose value is undefined are dropped;
//  - field-level logic (_.gt(1).and(_.lt(5))) becomes top-level $and/$or of single-field conditions.

import type { ServerDatePlaceholder } from '../../wire/rpc';
import { DbRegExp, LogicCommand, QueryCommand, ServerDate, UpdateCommand } from './command';

export class SerializeError extends Error {
  override readonly name = 'SerializeError';
}

const isPlainObject = (v: unknown): v is Record<string, unknown> => {
  if (v === null || typeof v !== 'object') return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
};

const isCommand = (v: unknown): boolean =>
  v instanceof QueryCommand || v instanceof LogicCommand || v instanceof UpdateCommand;

/** Whether a value holds update commands anywhere (set() and add() refuse them: "update operator complicit"). */
export function containsCommand(v: unknown): boolean {
  if (isCommand(v)) return true;
  if (Array.isArray(v)) return v.some(containsCommand);
  if (isPlainObject(v)) return Object.values(v).some(containsCommand);
  return false;
}

/** Encodes a plain value: serverDate → placeholder, db.RegExp/RegExp → {$regex, $options}, dates kept. */
export function encodeValue(v: unknown): unknown {
  if (v instanceof ServerDate)
    return { $tcb_server_date: { offset: v.offset } } satisfies ServerDatePlaceholder;
  if (v instanceof DbRegExp) return { $regex: v.regexp, $options: v.options };
  if (v instanceof RegExp) return { $regex: v.source, $options: v.flags };
  if (v instanceof Date) return v;
  if (isCommand(v)) throw new SerializeError('a command cannot be used as a value here');
  if (Array.isArray(v)) return v.map((x) => (x === undefined ? null : encodeValue(x)));
  if (isPlainObject(v)) {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) if (x !== undefined) out[k] = encodeValue(x);
    return out;
  }
  return v;
}

/** Document data for add()/set(): values encoded, no flattening. */
export function encodeData(data: Record<string, unknown>): Record<string, unknown> {
  return encodeValue(data) as Record<string, unknown>;
}

/** Flattens nested plain objects into dotted keys; stops at arrays, dates, commands, special values, {}. */
export function flatten(obj: Record<string, unknown>, prefix = ''): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) {
    if (v === undefined) continue;
    const key = prefix + k;
    if (isPlainObject(v) && Object.keys(v).length > 0) Object.assign(out, flatten(v, `${key}.`));
    else out[key] = v;
  }
  return out;
}

// ---- queries -------------------------------------------------------------------------------------------

const QUERY_OPERATORS: Record<string, string> = {
  eq: '$eq',
  neq: '$ne',
  gt: '$gt',
  gte: '$gte',
  lt: '$lt',
  lte: '$lte',
  in: '$in',
  nin: '$nin',
  all: '$all',
  exists: '$exists',
  size: '$size',
  mod: '$mod',
  elemMatch: '$elemMatch',
};

function operatorObject(cmd: QueryCommand): Record<string, unknown> {
  const op = QUERY_OPERATORS[cmd.operator];
  if (!op) throw new SerializeError(`unknown query command ${cmd.operator}`);
  switch (cmd.operator) {
    case 'in':
    case 'nin':
    case 'all':
      return { [op]: cmd.operands.map(encodeValue) };
    case 'elemMatch': {
      const [arg] = cmd.operands;
      if (arg instanceof QueryCommand) return { $elemMatch: operatorObject(arg) };
      if (isPlainObject(arg)) return { $elemMatch: encodeQuery(arg) };
      throw new SerializeError('elemMatch needs a query object or a command');
    }
    default:
      return { [op]: encodeValue(cmd.operands[0]) };
  }
}

function fieldCondition(field: string, operand: unknown): Record<string, unknown> {
  if (operand instanceof QueryCommand) return { [field]: operatorObject(operand) };
  if (operand instanceof LogicCommand) return fieldLogic(field, operand);
  if (operand instanceof UpdateCommand) throw new SerializeError('update commands cannot be used in a query');
  if (isPlainObject(operand)) return encodeQuery(operand, `${field}.`);
  return { [field]: encodeValue(operand) };
}

function fieldLogic(field: string, cmd: LogicCommand): Record<string, unknown> {
  if (cmd.operator === 'not') {
    const [arg] = cmd.operands;
    if (arg instanceof QueryCommand) return { [field]: { $not: operatorObject(arg) } };
    if (arg instanceof RegExp || arg instanceof DbRegExp) return { [field]: { $not: encodeValue(arg) } };
    throw new SerializeError('not() needs a query command or a regular expression');
  }
  return { [`$${cmd.operator}`]: cmd.operands.map((o) => fieldCondition(field, o)) };
}

/** Encodes a where() argument (plain object or top-level logic command); `prefix` for nested sub-queries. */
export function encodeQuery(query: unknown, prefix = ''): Record<string, unknown> {
  if (query instanceof LogicCommand) {
    if (query.operator === 'not') throw new SerializeError('not() must be applied to a field');
    return {
      [`$${query.operator}`]: query.operands.map((o) => {
        if (!isPlainObject(o))
          throw new SerializeError('Cannot encode a comparison command with unset field name');
        return encodeQuery(o, prefix);
      }),
    };
  }
  if (!isPlainObject(query)) throw new SerializeError('query must be an object');
  const result: Record<string, unknown> = {};
  const extra: Record<string, unknown>[] = [];
  for (const [key, value] of Object.entries(flatten(query, prefix))) {
    if (value instanceof LogicCommand) extra.push(fieldLogic(key, value));
    else if (value instanceof QueryCommand) result[key] = operatorObject(value);
    else if (value instanceof UpdateCommand)
      throw new SerializeError('update commands cannot be used in a query');
    else result[key] = encodeValue(value);
  }
  return extra.length === 0 ? result : { $and: [result, ...extra] };
}

// ---- updates -------------------------------------------------------------------------------------------

function pushModifiers(operands: unknown[]): Record<string, unknown> {
  const [first] = operands;
  if (isPlainObject(first) && Object.hasOwn(first, 'each')) {
    const out: Record<string, unknown> = { $each: (first.each as unknown[]).map(encodeValue) };
    if (first.position !== undefined) out.$position = first.position;
    if (first.sort !== undefined) out.$sort = first.sort;
    if (first.slice !== undefined) out.$slice = first.slice;
    return out;
  }
  const values = Array.isArray(first) ? first : operands;
  return { $each: values.map(encodeValue) };
}

function updateOperation(cmd: UpdateCommand): [op: string, arg: unknown] {
  const [arg] = cmd.operands;
  switch (cmd.operator) {
    case 'set':
      return ['$set', encodeValue(arg)];
    case 'remove':
      return ['$unset', ''];
    case 'inc':
    case 'mul':
    case 'min':
    case 'max':
      return [`$${cmd.operator}`, encodeValue(arg)];
    case 'push':
      return ['$push', pushModifiers(cmd.operands)];
    case 'unshift':
      return ['$push', { $each: cmd.operands.map(encodeValue), $position: 0 }];
    case 'pop':
      return ['$pop', 1];
    case 'shift':
      return ['$pop', -1];
    case 'addToSet':
      if (isPlainObject(arg) && Object.hasOwn(arg, 'each')) {
        return ['$addToSet', { $each: (arg.each as unknown[]).map(encodeValue) }];
      }
      return ['$addToSet', encodeValue(arg)];
    case 'pull':
      if (arg instanceof QueryCommand) return ['$pull', operatorObject(arg)];
      if (isPlainObject(arg)) return ['$pull', encodeQuery(arg)];
      return ['$pull', encodeValue(arg)];
    case 'pullAll':
      return ['$pullAll', encodeValue(arg)];
    case 'rename':
      return ['$rename', arg];
  }
}

/** Encodes update({data}): flattened paths, plain leaves as $set, commands as their operators. */
export function encodeUpdate(data: unknown): Record<string, Record<string, unknown>> {
  if (!isPlainObject(data)) throw new SerializeError('update data must be an object');
  const out: Record<string, Record<string, unknown>> = {};
  const put = (op: string, path: string, arg: unknown) => {
    out[op] ??= {};
    out[op][path] = arg;
  };
  for (const [path, value] of Object.entries(flatten(data))) {
    if (value instanceof UpdateCommand) {
      const [op, arg] = updateOperation(value);
      put(op, path, arg);
    } else if (value instanceof QueryCommand || value instanceof LogicCommand) {
      throw new SerializeError('query commands cannot be used in update data');
    } else {
      put('$set', path, encodeValue(value));
    }
  }
  return out;
}
