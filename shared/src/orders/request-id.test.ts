import { describe, expect, it } from 'vitest';
import { parseRequestId, requestRecordId } from './request-id';

describe('requestId', () => {
  it('accepts 8–64 chars of [A-Za-z0-9_-]', () => {
    expect(parseRequestId('abcDEF12')).toBe('abcDEF12');
    expect(parseRequestId('x'.repeat(64))).toBe('x'.repeat(64));
    for (const bad of [undefined, 12345678, 'short', 'x'.repeat(65), 'has space 1', 'new\nline1', '']) {
      expect(() => parseRequestId(bad)).toThrow(/requestId/);
    }
  });

  it('derives a stable record id from (openid, requestId)', () => {
    const a = requestRecordId('oUser1', 'req-00000001');
    expect(a).toMatch(/^[0-9a-f]{64}$/);
    expect(requestRecordId('oUser1', 'req-00000001')).toBe(a);
    expect(requestRecordId('oUser2', 'req-00000001')).not.toBe(a);
    expect(requestRecordId('oUser1', 'req-00000002')).not.toBe(a);
    // The separator keeps (openid, requestId) pairs apart.
    expect(requestRecordId('ab', 'cdefghijk')).not.toBe(requestRecordId('abc', 'defghijk'));
  });
});
