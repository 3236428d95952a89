import { describe, expect, it } from 'vitest';
import { BACKOFF_MS, decideQuery, decideSend, MAX_SENDS, NO_GRANT_WAIT_MS, PRINT_CONFIRM_MS } from './policy';

describe('retry and backoff rules', () => {
  it('subscribe and robot timeouts are retried after a growing delay; the printer’s never are', () => {
    const t = { kind: 'timeout' as const, message: 'no answer' };
    expect(decideSend('subscribe', t, 1)).toMatchObject({ event: 'RETRY', delayMs: BACKOFF_MS[0] });
    expect(decideSend('subscribe', t, 3)).toMatchObject({ event: 'RETRY', delayMs: BACKOFF_MS[2] });
    expect(decideSend('wecom', t, 2)).toMatchObject({ event: 'RETRY', delayMs: BACKOFF_MS[1] });
    const p = decideSend('printer', t, 1);
    expect(p.event).toBe('FAIL');
    expect(p.failReason).toMatch(/outcome unknown/);
  });

  it('gives up after MAX_SENDS retryable failures', () => {
    const e = { kind: 'refused' as const, retryable: true, errCode: -1, message: 'system busy' };
    expect(decideSend('subscribe', e, MAX_SENDS - 1).event).toBe('RETRY');
    expect(decideSend('subscribe', e, MAX_SENDS)).toMatchObject({
      event: 'FAIL',
      failReason: expect.stringMatching(/gave up/),
    });
  });

  it('non-retryable errors fail at once with the reason; 43101 waits for a grant', () => {
    const bad = decideSend(
      'subscribe',
      { kind: 'refused', retryable: false, errCode: 47003, message: 'argument invalid! data.thing1.value' },
      1,
    );
    expect(bad).toMatchObject({ event: 'FAIL', attempt: { result: 'error', errCode: 47003 } });
    expect(bad.failReason).toContain('47003');
    expect(decideSend('subscribe', { kind: 'no-grant', errCode: 43101, message: 'refuse' }, 1)).toMatchObject(
      {
        event: 'RETRY',
        waitingForGrant: true,
        delayMs: NO_GRANT_WAIT_MS,
      },
    );
  });

  it('an accepted print is confirmed by query: printed → delivered; not yet → query again; too late → failed, never reprinted', () => {
    expect(decideSend('printer', { kind: 'accepted', jobId: 'J1' }, 1)).toMatchObject({
      event: 'ACCEPTED',
      jobId: 'J1',
    });
    expect(decideQuery({ kind: 'printed' }, 0, 1000).event).toBe('DELIVERED');
    expect(decideQuery({ kind: 'not-printed' }, 0, 1000).event).toBe('RETRY');
    expect(decideQuery({ kind: 'timeout', message: 'x' }, 0, 1000).event).toBe('RETRY');
    expect(decideQuery({ kind: 'not-printed' }, 0, PRINT_CONFIRM_MS)).toMatchObject({
      event: 'FAIL',
      failReason: expect.stringMatching(/not printed/),
    });
  });
});
