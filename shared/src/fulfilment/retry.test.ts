import { describe, expect, it } from 'vitest';
import { backoffMs, judgeUploadFailure, NOT_INDEXED, NOT_UPDATED } from './retry';

const policy = { notIndexedRetryMs: 60_000, retryBaseMs: 30_000, retryMaxMs: 30 * 60_000 };

describe('upload failures', () => {
  it('10060001 waits at least a minute, then backs off', () => {
    expect(judgeUploadFailure(NOT_INDEXED, 'x', 1, policy)).toMatchObject({ kind: 'defer', waitMs: 60_000 });
    expect(judgeUploadFailure(NOT_INDEXED, 'x', 2, policy)).toMatchObject({ kind: 'defer', waitMs: 60_000 });
    expect(judgeUploadFailure(NOT_INDEXED, 'x', 3, policy)).toMatchObject({ kind: 'defer', waitMs: 60_000 });
    expect(judgeUploadFailure(NOT_INDEXED, 'x', 4, policy)).toMatchObject({ kind: 'defer', waitMs: 120_000 });
    expect(judgeUploadFailure(NOT_INDEXED, 'x', 30, policy)).toMatchObject({
      kind: 'defer',
      waitMs: 30 * 60_000,
    });
    const fast = { ...policy, notIndexedRetryMs: 1500 };
    expect(judgeUploadFailure(NOT_INDEXED, 'x', 1, fast)).toMatchObject({ kind: 'defer', waitMs: 1500 });
  });
  it('10060023 (WeChat already has this shipment) counts as uploaded', () => {
    expect(judgeUploadFailure(NOT_UPDATED, 'x', 3, policy)).toEqual({ kind: 'done' });
  });
  it('a lost answer and system errors are retried with a capped backoff', () => {
    expect(judgeUploadFailure(undefined, 'timeout', 1, policy)).toMatchObject({
      kind: 'defer',
      waitMs: 30_000,
    });
    expect(judgeUploadFailure(-1, 'system error', 2, policy)).toMatchObject({
      kind: 'defer',
      waitMs: 60_000,
    });
    expect(backoffMs(30, policy)).toBe(30 * 60_000);
  });
  it.each([47001, 10060002, 10060003, 10060009, 48001])('%i is a refusal retrying cannot fix', (code) => {
    expect(judgeUploadFailure(code, 'refused', 1, policy).kind).toBe('fail');
  });
});
