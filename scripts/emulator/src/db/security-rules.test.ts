import { describe, expect, it } from 'vitest';
import {
  allowedForQuery,
  allowedOnDocument,
  parseRuleExpression,
  parseSecurityRules,
} from './security-rules';

const rules = parseSecurityRules({
  products: { read: true, write: false },
  orders: { read: false, write: false },
  notes: { read: 'doc._openid == auth.openid', write: 'auth.openid == doc._openid' },
  posts: { read: 'auth != null', write: 'doc.author.openid == auth.openid', delete: false },
  mixed: { read: '(doc._openid == auth.openid) || doc.reviewer == auth.openid' },
});
const alice = { openid: 'o-alice' };
const nobody = {};

describe('parsing', () => {
  it('accepts the supported subset and refuses anything else (denied, with a problem)', () => {
    expect(rules.problems).toEqual([]);
    for (const bad of [
      'doc.status == "PAID"',
      'auth.openid in doc.members',
      'doc._openid == auth.openid &&',
      'get(x)',
    ])
      expect(() => parseRuleExpression(bad), bad).toThrow();
    const r = parseSecurityRules({ c: { read: 'doc.price > 3', write: 1 }, d: 'x' });
    expect(r.problems).toHaveLength(3);
    expect(allowedOnDocument(r, 'c', 'read', alice, { price: 5 })).toBe(false);
    expect(r.problems.join('\n')).toMatch(/c\.read "doc\.price > 3" is not supported.*denied/);
  });
});

describe('deciding', () => {
  it('denies by default: unknown collections, missing operations', () => {
    expect(allowedForQuery(rules, 'unknown', 'read', alice, {})).toBe(false);
    expect(allowedOnDocument(rules, 'mixed', 'update', alice, { _openid: 'o-alice' })).toBe(false);
  });

  it('booleans: products read by anyone (even without openid), written by no client', () => {
    expect(allowedForQuery(rules, 'products', 'read', nobody, {})).toBe(true);
    for (const op of ['create', 'update', 'delete'] as const)
      expect(allowedOnDocument(rules, 'products', op, alice, {})).toBe(false);
    expect(allowedOnDocument(rules, 'orders', 'read', alice, { _openid: 'o-alice' })).toBe(false);
  });

  it('owner rules on a document: only the owner, and never an anonymous caller', () => {
    expect(allowedOnDocument(rules, 'notes', 'read', alice, { _openid: 'o-alice' })).toBe(true);
    expect(allowedOnDocument(rules, 'notes', 'read', alice, { _openid: 'o-bob' })).toBe(false);
    expect(allowedOnDocument(rules, 'notes', 'update', alice, { _openid: 'o-alice' })).toBe(true);
    expect(allowedOnDocument(rules, 'notes', 'read', nobody, {})).toBe(false);
    expect(allowedOnDocument(rules, 'posts', 'update', alice, { author: { openid: 'o-alice' } })).toBe(true);
    expect(allowedOnDocument(rules, 'posts', 'delete', alice, { author: { openid: 'o-alice' } })).toBe(false);
    expect(allowedOnDocument(rules, 'mixed', 'read', alice, { _openid: 'o-bob', reviewer: 'o-alice' })).toBe(
      true,
    );
  });

  it('owner rules on a query: the query must pin the owner field to the caller', () => {
    expect(allowedForQuery(rules, 'notes', 'read', alice, { _openid: 'o-alice' })).toBe(true);
    expect(allowedForQuery(rules, 'notes', 'read', alice, { _openid: { $eq: 'o-alice' }, n: 1 })).toBe(true);
    expect(allowedForQuery(rules, 'notes', 'read', alice, { $and: [{ _openid: 'o-alice' }, { n: 1 }] })).toBe(
      true,
    );
    expect(allowedForQuery(rules, 'notes', 'read', alice, {})).toBe(false);
    expect(allowedForQuery(rules, 'notes', 'read', alice, { _openid: 'o-bob' })).toBe(false);
    expect(allowedForQuery(rules, 'notes', 'read', alice, { _openid: { $in: ['o-alice', 'o-bob'] } })).toBe(
      false,
    );
    expect(allowedForQuery(rules, 'notes', 'read', alice, { $or: [{ _openid: 'o-alice' }, { x: 1 }] })).toBe(
      false,
    );
    expect(allowedForQuery(rules, 'posts', 'read', alice, {})).toBe(true);
    expect(allowedForQuery(rules, 'posts', 'read', nobody, {})).toBe(false);
  });
});
