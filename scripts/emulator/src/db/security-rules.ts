// CloudBase database security rules (数据库安全规则), as far as the emulator enforces them for the mini-program's
// client-side database (wx.cloud.database(), served at POST /client-db/<collection>). Pure: parsing and deciding.
//
// A rule is per collection and per operation: {read, write} and optionally create/update/delete (which default to
// write). A value is a boolean or an expression over `auth` (the caller: auth.openid) and `doc` (the document):
//   true | false | auth != null | auth.openid != null | doc.<field> == auth.openid | auth.openid == doc.<field>
// combined with && and || and parentheses. Anything else is refused when the rules are loaded (that operation is
// then denied, and the emulator warns). Deny by default: a collection without a rule, or an operation without a
// value, allows nothing. Server-side code (cloud functions, wx-server-sdk) is never subject to rules.
//
// How an expression is checked depends on the request:
//  - on one document (doc(id).get/update/set/remove, add): evaluated on that document (for add: the new one,
//    `_openid` being the caller);
//  - on a query (where().get/count/update/remove): the query must imply the rule ("the client query must be a
//    subset of the rule or it is rejected"): `doc.f == auth.openid` holds only when the query pins `f` to the
//    caller's openid, whatever the documents are.

export type RuleOperation = 'read' | 'create' | 'update' | 'delete';

type Expr =
  | { k: 'bool'; v: boolean }
  | { k: 'authPresent' }
  | { k: 'ownerIs'; path: string }
  | { k: 'and' | 'or'; a: Expr; b: Expr };

export interface CollectionRule {
  read: Expr | false;
  create: Expr | false;
  update: Expr | false;
  delete: Expr | false;
}

export interface SecurityRules {
  rules: Record<string, CollectionRule>;
  /** Rules that could not be understood (denied instead), for the emulator's warnings. */
  problems: string[];
}

const DENY: CollectionRule = { read: false, create: false, update: false, delete: false };

function tokenize(s: string): string[] {
  const tokens = s.match(/\s*(&&|\|\||==|!=|\(|\)|[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*|\S)/g) ?? [];
  return tokens.map((t) => t.trim());
}

/** Parses one rule expression; throws with a reason when it is outside the supported subset. */
export function parseRuleExpression(source: string): Expr {
  const t = tokenize(source);
  let i = 0;
  const peek = () => t[i];
  const next = () => t[i++];
  const primary = (): Expr => {
    const tok = next();
    if (tok === '(') {
      const e = or();
      if (next() !== ')') throw new Error('missing )');
      return e;
    }
    if (tok === 'true' || tok === 'false') return { k: 'bool', v: tok === 'true' };
    const op = next();
    const rhs = next();
    if (tok === undefined || op === undefined || rhs === undefined) throw new Error('incomplete comparison');
    if ((tok === 'auth' || tok === 'auth.openid') && op === '!=' && rhs === 'null')
      return { k: 'authPresent' };
    const owner = (a: string, b: string) =>
      a.startsWith('doc.') && b === 'auth.openid' ? a.slice(4) : undefined;
    const path = op === '==' ? (owner(tok, rhs) ?? owner(rhs, tok)) : undefined;
    if (path) return { k: 'ownerIs', path };
    throw new Error(`unsupported comparison "${tok} ${op} ${rhs}"`);
  };
  const and = (): Expr => {
    let e = primary();
    while (peek() === '&&') {
      next();
      e = { k: 'and', a: e, b: primary() };
    }
    return e;
  };
  const or = (): Expr => {
    let e = and();
    while (peek() === '||') {
      next();
      e = { k: 'or', a: e, b: and() };
    }
    return e;
  };
  const e = or();
  if (i !== t.length) throw new Error(`unexpected "${t[i]}"`);
  return e;
}

function ruleValue(v: unknown, where: string, problems: string[]): Expr | false {
  if (v === undefined) return false;
  if (typeof v === 'boolean') return v ? { k: 'bool', v: true } : false;
  if (typeof v === 'string') {
    try {
      return parseRuleExpression(v);
    } catch (e) {
      problems.push(`security rule ${where} "${v}" is not supported (${(e as Error).message}): denied`);
      return false;
    }
  }
  problems.push(`security rule ${where} must be a boolean or an expression string: denied`);
  return false;
}

/** Reads the `rules` object of cloudbase-db.json ({collection: {read, write, create?, update?, delete?}}). */
export function parseSecurityRules(raw: unknown): SecurityRules {
  const problems: string[] = [];
  const rules: Record<string, CollectionRule> = {};
  if (raw === undefined) return { rules, problems };
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    problems.push('cloudbase-db.json "rules" must be an object: every client request is denied');
    return { rules, problems };
  }
  for (const [collection, r] of Object.entries(raw as Record<string, unknown>)) {
    if (r === null || typeof r !== 'object' || Array.isArray(r)) {
      problems.push(`security rule of ${collection} must be an object: denied`);
      rules[collection] = DENY;
      continue;
    }
    const o = r as Record<string, unknown>;
    for (const k of Object.keys(o))
      if (!['read', 'write', 'create', 'update', 'delete'].includes(k))
        problems.push(
          `security rule ${collection}.${k} is not an operation (read, write, create, update, delete)`,
        );
    const write = ruleValue(o.write, `${collection}.write`, problems);
    const specific = (k: 'create' | 'update' | 'delete') =>
      o[k] === undefined ? write : ruleValue(o[k], `${collection}.${k}`, problems);
    rules[collection] = {
      read: ruleValue(o.read, `${collection}.read`, problems),
      create: specific('create'),
      update: specific('update'),
      delete: specific('delete'),
    };
  }
  return { rules, problems };
}

export interface Caller {
  openid?: string;
}

function fieldAt(doc: Record<string, unknown>, path: string): unknown {
  let v: unknown = doc;
  for (const p of path.split('.')) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string, unknown>)[p];
  }
  return v;
}

/**
 * One walk of a rule expression; only how "the caller owns it" is decided differs: for a document, its field
 * equals the caller's openid; for a query, the query pins that field to the caller's openid.
 */
function evaluate(e: Expr, caller: Caller, owns: (path: string, openid: string) => boolean): boolean {
  switch (e.k) {
    case 'bool':
      return e.v;
    case 'authPresent':
      return caller.openid !== undefined;
    case 'ownerIs':
      return caller.openid !== undefined && owns(e.path, caller.openid);
    case 'and':
      return evaluate(e.a, caller, owns) && evaluate(e.b, caller, owns);
    case 'or':
      return evaluate(e.a, caller, owns) || evaluate(e.b, caller, owns);
  }
}

function onDoc(e: Expr, caller: Caller, doc: Record<string, unknown>): boolean {
  return evaluate(e, caller, (path, openid) => fieldAt(doc, path) === openid);
}

/** The value a query pins `path` to (`{path: v}` or `{path: {$eq: v}}`, possibly inside a top-level $and). */
function pinned(query: Record<string, unknown>, path: string): unknown[] {
  const out: unknown[] = [];
  const v = query[path];
  if (v !== undefined) {
    if (v !== null && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Date)) {
      const o = v as Record<string, unknown>;
      if (Object.keys(o).length === 1 && '$eq' in o) out.push(o.$eq);
    } else out.push(v);
  }
  if (Array.isArray(query.$and))
    for (const q of query.$and)
      if (q !== null && typeof q === 'object') out.push(...pinned(q as Record<string, unknown>, path));
  return out;
}

function byQuery(e: Expr, caller: Caller, query: Record<string, unknown>): boolean {
  return evaluate(e, caller, (path, openid) => pinned(query, path).some((v) => v === openid));
}

function ruleOf(rules: SecurityRules, collection: string, op: RuleOperation): Expr | false {
  return rules.rules[collection]?.[op] ?? false;
}

/** May the caller do `op` on this document? */
export function allowedOnDocument(
  rules: SecurityRules,
  collection: string,
  op: RuleOperation,
  caller: Caller,
  doc: Record<string, unknown>,
): boolean {
  const e = ruleOf(rules, collection, op);
  return e !== false && onDoc(e, caller, doc);
}

/** May the caller do `op` on whatever this query matches (the query must imply the rule)? */
export function allowedForQuery(
  rules: SecurityRules,
  collection: string,
  op: RuleOperation,
  caller: Caller,
  query: Record<string, unknown>,
): boolean {
  const e = ruleOf(rules, collection, op);
  return e !== false && byQuery(e, caller, query);
}
