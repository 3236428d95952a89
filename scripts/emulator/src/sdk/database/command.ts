// db.command (`const _ = db.command`), db.serverDate() and db.RegExp(): the value objects functions build
// queries and updates from (CloudBase notes §4.3; CDB command.js). Serialization is in serialize.ts.

export type QueryOp =
  | 'eq'
  | 'neq'
  | 'gt'
  | 'gte'
  | 'lt'
  | 'lte'
  | 'in'
  | 'nin'
  | 'exists'
  | 'size'
  | 'all'
  | 'elemMatch'
  | 'mod';
export type LogicOp = 'and' | 'or' | 'nor' | 'not';
export type UpdateOp =
  | 'set'
  | 'remove'
  | 'inc'
  | 'mul'
  | 'min'
  | 'max'
  | 'push'
  | 'pop'
  | 'shift'
  | 'unshift'
  | 'addToSet'
  | 'pull'
  | 'pullAll'
  | 'rename';

abstract class Chainable {
  and(...operands: unknown[]): LogicCommand {
    return new LogicCommand('and', [this, ...flat(operands)]);
  }
  or(...operands: unknown[]): LogicCommand {
    return new LogicCommand('or', [this, ...flat(operands)]);
  }
}

export class QueryCommand extends Chainable {
  constructor(
    readonly operator: QueryOp,
    readonly operands: unknown[],
  ) {
    super();
  }
}

export class LogicCommand extends Chainable {
  constructor(
    readonly operator: LogicOp,
    readonly operands: unknown[],
  ) {
    super();
  }
}

export class UpdateCommand {
  constructor(
    readonly operator: UpdateOp,
    readonly operands: unknown[],
  ) {}
}

export class ServerDate {
  readonly offset: number;
  constructor(opts?: { offset?: number }) {
    this.offset = opts?.offset ?? 0;
  }
}

export class DbRegExp {
  readonly regexp: string;
  readonly options: string;
  constructor(opts: { regexp: string; options?: string }) {
    if (!opts || typeof opts.regexp !== 'string') throw new Error('db.RegExp needs { regexp: string }');
    this.regexp = opts.regexp;
    this.options = opts.options ?? '';
  }
}

const flat = (xs: unknown[]): unknown[] => (xs.length === 1 && Array.isArray(xs[0]) ? xs[0] : xs);

const q =
  (op: QueryOp) =>
  (value: unknown): QueryCommand =>
    new QueryCommand(op, [value]);

const list =
  (op: 'in' | 'nin' | 'all') =>
  (values: unknown[]): QueryCommand => {
    if (!Array.isArray(values)) throw new Error(`${op} needs an array`);
    return new QueryCommand(op, values);
  };

const u =
  (op: UpdateOp) =>
  (value: unknown): UpdateCommand =>
    new UpdateCommand(op, [value]);

export const command = {
  eq: q('eq'),
  neq: q('neq'),
  gt: q('gt'),
  gte: q('gte'),
  lt: q('lt'),
  lte: q('lte'),
  in: list('in'),
  nin: list('nin'),
  all: list('all'),
  exists: (value: boolean) => new QueryCommand('exists', [value]),
  size: q('size'),
  elemMatch: q('elemMatch'),
  mod: (divisor: number, remainder: number) => new QueryCommand('mod', [[divisor, remainder]]),
  and: (...operands: unknown[]) => new LogicCommand('and', flat(operands)),
  or: (...operands: unknown[]) => new LogicCommand('or', flat(operands)),
  nor: (...operands: unknown[]) => new LogicCommand('nor', flat(operands)),
  not: (operand: unknown) => new LogicCommand('not', [operand]),

  set: u('set'),
  remove: () => new UpdateCommand('remove', []),
  inc: u('inc'),
  mul: u('mul'),
  min: u('min'),
  max: u('max'),
  /** push(x) appends x; push([a, b]) or push(a, b) append a and b; push({each, position, sort, slice}). */
  push: (...values: unknown[]) => new UpdateCommand('push', values),
  pop: () => new UpdateCommand('pop', []),
  shift: () => new UpdateCommand('shift', []),
  unshift: (...values: unknown[]) => new UpdateCommand('unshift', flat(values)),
  addToSet: u('addToSet'),
  pull: u('pull'),
  pullAll: u('pullAll'),
  rename: u('rename'),
};

export type Command = typeof command;
