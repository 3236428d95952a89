import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../testing/fake-clock';
import { type ScheduledTrigger, TimerScheduler } from './scheduler';

describe('TimerScheduler', () => {
  it('fires each trigger at its cron times on a virtual clock, until stopped', () => {
    const clock = new FakeClock(Date.parse('2024-01-01T00:00:00Z'));
    const fired: string[] = [];
    const triggers: ScheduledTrigger[] = [
      { functionName: 'reconcile', triggerName: 'every10', cron: '0 */10 * * * * *' },
      { functionName: 'report', triggerName: 'daily', cron: '0 0 3 * * * *' },
    ];
    const s = new TimerScheduler(
      triggers,
      (t, at) => fired.push(`${t.triggerName}@${at.toISOString()}`),
      clock,
      0,
    );
    s.start();
    clock.advance(35 * 60_000);
    expect(fired).toEqual([
      'every10@2024-01-01T00:10:00.000Z',
      'every10@2024-01-01T00:20:00.000Z',
      'every10@2024-01-01T00:30:00.000Z',
    ]);
    fired.length = 0;
    clock.advance(3 * 3600_000);
    expect(fired.filter((f) => f.startsWith('daily'))).toEqual(['daily@2024-01-01T03:00:00.000Z']);
    s.stop();
    fired.length = 0;
    clock.advance(3600_000);
    expect(fired).toEqual([]);
  });

  it('re-arms waits longer than setTimeout allows', () => {
    const clock = new FakeClock(Date.parse('2024-01-01T00:00:00Z'));
    const fired: string[] = [];
    const s = new TimerScheduler(
      [{ functionName: 'f', triggerName: 'yearly', cron: '0 0 0 1 JAN * *' }],
      (_t, at) => fired.push(at.toISOString()),
      clock,
      0,
    );
    s.start();
    expect(s.nextTimes()).toEqual({ 'f/yearly': '2025-01-01T00:00:00.000Z' });
    clock.advance(366 * 24 * 3600_000);
    expect(fired).toEqual(['2025-01-01T00:00:00.000Z']);
    s.stop();
  });

  it('refuses a bad cron at construction', () => {
    expect(
      () => new TimerScheduler([{ functionName: 'f', triggerName: 't', cron: 'nope' }], () => undefined),
    ).toThrow();
  });
});
