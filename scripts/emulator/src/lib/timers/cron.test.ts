import { describe, expect, it } from 'vitest';
import { CronError, nextFire, parseCron } from './cron';

const utc = (s: string) => Date.parse(s);
const iso = (t: number | undefined) => (t === undefined ? undefined : new Date(t).toISOString());

describe('parseCron', () => {
  it('parses the 7 fields with lists, ranges, steps and names', () => {
    const s = parseCron('0 */10 9-17 * JAN,mar MON-FRI 2024-2025');
    expect([...s.seconds]).toEqual([0]);
    expect([...s.minutes]).toEqual([0, 10, 20, 30, 40, 50]);
    expect([...s.hours]).toEqual([9, 10, 11, 12, 13, 14, 15, 16, 17]);
    expect([...s.months]).toEqual([1, 3]);
    expect([...s.weekdays]).toEqual([1, 2, 3, 4, 5]);
    expect([...s.years]).toEqual([2024, 2025]);
    expect(s.dayRestricted).toBe(false);
    expect(s.weekRestricted).toBe(true);
  });

  it('reads week digits as 0 = Sunday, and 7 as Sunday too', () => {
    expect([...parseCron('0 0 0 * * 0 *').weekdays]).toEqual([0]);
    expect([...parseCron('0 0 0 * * 7 *').weekdays]).toEqual([0]);
  });

  it('refuses wrong field counts, out-of-range values and L/W/#', () => {
    expect(() => parseCron('0 * * * * *')).toThrow(CronError);
    expect(() => parseCron('60 * * * * * *')).toThrow(/second 60/);
    expect(() => parseCron('0 0 0 L * * *')).toThrow(/not supported/);
    expect(() => parseCron('0 0 0 * * 5#2 *')).toThrow(/not supported/);
    expect(() => parseCron('0 0 0 * * FOO *')).toThrow(/bad week/);
  });
});

describe('nextFire', () => {
  it('every 10 minutes, read in UTC+8 or UTC', () => {
    const s = parseCron('0 */10 * * * * *');
    expect(iso(nextFire(s, utc('2024-01-01T00:03:00Z'), 0))).toBe('2024-01-01T00:10:00.000Z');
    expect(iso(nextFire(s, utc('2024-01-01T00:10:00Z'), 0))).toBe('2024-01-01T00:20:00.000Z');
  });

  it('a daily time is local to the offset', () => {
    const s = parseCron('0 0 3 * * * *');
    // 03:00 Beijing = 19:00 UTC the day before.
    expect(iso(nextFire(s, utc('2024-01-01T00:00:00Z'), 480))).toBe('2024-01-01T19:00:00.000Z');
    expect(iso(nextFire(s, utc('2024-01-01T00:00:00Z'), 0))).toBe('2024-01-01T03:00:00.000Z');
  });

  it('weekday names, month ends and leap days', () => {
    expect(iso(nextFire(parseCron('30 15 10 * * MON *'), utc('2024-01-03T00:00:00Z'), 0))).toBe(
      '2024-01-08T10:15:30.000Z',
    );
    expect(iso(nextFire(parseCron('0 0 0 31 * * *'), utc('2024-02-01T00:00:00Z'), 0))).toBe(
      '2024-03-31T00:00:00.000Z',
    );
    expect(iso(nextFire(parseCron('0 0 0 29 FEB * *'), utc('2024-03-01T00:00:00Z'), 0))).toBe(
      '2028-02-29T00:00:00.000Z',
    );
  });

  it('day and week both restricted: either matches', () => {
    // 2024-01-01 is a Monday; the 15th is a Monday too; FRI the 5th comes first.
    expect(iso(nextFire(parseCron('0 0 0 15 * FRI *'), utc('2024-01-01T12:00:00Z'), 0))).toBe(
      '2024-01-05T00:00:00.000Z',
    );
  });

  it('undefined once the years run out', () => {
    expect(nextFire(parseCron('0 0 0 1 1 * 2020'), utc('2024-01-01T00:00:00Z'), 0)).toBeUndefined();
  });
});
