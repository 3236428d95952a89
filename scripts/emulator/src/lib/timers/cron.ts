// The 7-field cron of CloudBase timer triggers: "sec min hour day month week year" (CloudBase notes §1.4).
// Ranges: sec 0-59, min 0-59, hour 0-23, day 1-31, month 1-12 or JAN-DEC, week 0-6 or SUN-SAT, year 1970-2099;
// syntax: *  ?  a  a-b  a,b  */n  a/n  a-b/n. SCF's L W # are refused (use names or plain values).
// Unconfirmed (spec §10 item 5): week digits (0 = Sunday per the SCF page, 0 = Monday per some WeChat copies) —
// the emulator takes 0 = Sunday, and 7 = Sunday too; prefer names. And the time zone the cron is read in — the
// scheduler takes an offset (default UTC+8, as the SCF console shows Beijing time).

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const DAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

interface FieldDef {
  name: string;
  min: number;
  max: number;
  names?: string[];
  namesBase?: number;
}

const FIELDS: FieldDef[] = [
  { name: 'second', min: 0, max: 59 },
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12, names: MONTHS, namesBase: 1 },
  { name: 'week', min: 0, max: 7, names: DAYS, namesBase: 0 },
  { name: 'year', min: 1970, max: 2099 },
];

export interface CronSchedule {
  readonly source: string;
  readonly seconds: ReadonlySet<number>;
  readonly minutes: ReadonlySet<number>;
  readonly hours: ReadonlySet<number>;
  readonly days: ReadonlySet<number>;
  readonly months: ReadonlySet<number>;
  readonly weekdays: ReadonlySet<number>;
  readonly years: ReadonlySet<number>;
  readonly dayRestricted: boolean;
  readonly weekRestricted: boolean;
}

export class CronError extends Error {
  override readonly name = 'CronError';
}

function value(token: string, def: FieldDef, expr: string): number {
  const upper = token.toUpperCase();
  if (def.names) {
    const i = def.names.indexOf(upper);
    if (i >= 0) return i + (def.namesBase ?? 0);
  }
  if (/^\d*[LW#]/i.test(token)) {
    throw new CronError(
      `cron "${expr}": ${def.name} "${token}": L, W and # are not supported by the emulator`,
    );
  }
  if (!/^\d+$/.test(token)) throw new CronError(`cron "${expr}": bad ${def.name} value "${token}"`);
  const n = Number(token);
  if (n < def.min || n > def.max)
    throw new CronError(`cron "${expr}": ${def.name} ${n} out of ${def.min}-${def.max}`);
  return n;
}

function parseField(text: string, def: FieldDef, expr: string): { set: Set<number>; restricted: boolean } {
  const set = new Set<number>();
  let restricted = true;
  for (const part of text.split(',')) {
    const [range, stepText] = part.split('/') as [string, string | undefined];
    const step = stepText === undefined ? 1 : Number(stepText);
    if (!Number.isInteger(step) || step < 1) throw new CronError(`cron "${expr}": bad step in "${part}"`);
    let lo: number;
    let hi: number;
    if (range === '*' || range === '?') {
      lo = def.min;
      hi = def.name === 'week' ? 6 : def.max;
      if (stepText === undefined) restricted = false;
    } else if (range.includes('-')) {
      const [a, b] = range.split('-') as [string, string];
      lo = value(a, def, expr);
      hi = value(b, def, expr);
      if (lo > hi) throw new CronError(`cron "${expr}": empty range "${range}"`);
    } else {
      lo = value(range, def, expr);
      hi = stepText === undefined ? lo : def.name === 'week' ? 6 : def.max;
    }
    for (let v = lo; v <= hi; v += step) set.add(def.name === 'week' && v === 7 ? 0 : v);
  }
  return { set, restricted };
}

export function parseCron(expr: string): CronSchedule {
  const parts = expr.trim().split(/\s+/);
  if (parts.length !== 7)
    throw new CronError(`cron "${expr}": expected 7 fields (sec min hour day month week year)`);
  const f = parts.map((p, i) => parseField(p, FIELDS[i]!, expr));
  return {
    source: expr,
    seconds: f[0]!.set,
    minutes: f[1]!.set,
    hours: f[2]!.set,
    days: f[3]!.set,
    months: f[4]!.set,
    weekdays: f[5]!.set,
    years: f[6]!.set,
    dayRestricted: f[3]!.restricted,
    weekRestricted: f[5]!.restricted,
  };
}

function dayMatches(s: CronSchedule, day: number, weekday: number): boolean {
  // Both day and week restricted: either may match (classic cron). One restricted: that one decides.
  if (s.dayRestricted && s.weekRestricted) return s.days.has(day) || s.weekdays.has(weekday);
  if (s.dayRestricted) return s.days.has(day);
  if (s.weekRestricted) return s.weekdays.has(weekday);
  return true;
}

/**
 * The first time strictly after `after` (epoch ms) the schedule fires, read in the zone `offsetMinutes` east of
 * UTC; undefined when it never fires again (before 2100).
 */
export function nextFire(s: CronSchedule, after: number, offsetMinutes = 480): number | undefined {
  const offset = offsetMinutes * 60_000;
  // Work on "local" milliseconds through the UTC accessors.
  let t = Math.floor((after + offset) / 1000) * 1000 + 1000;
  for (let guard = 0; guard < 1_000_000; guard++) {
    const d = new Date(t);
    const year = d.getUTCFullYear();
    if (year > 2099) return undefined;
    if (!s.years.has(year)) {
      t = Date.UTC(year + 1, 0, 1);
      continue;
    }
    if (!s.months.has(d.getUTCMonth() + 1)) {
      t = Date.UTC(year, d.getUTCMonth() + 1, 1);
      continue;
    }
    if (!dayMatches(s, d.getUTCDate(), d.getUTCDay())) {
      t = Date.UTC(year, d.getUTCMonth(), d.getUTCDate() + 1);
      continue;
    }
    if (!s.hours.has(d.getUTCHours())) {
      t = Date.UTC(year, d.getUTCMonth(), d.getUTCDate(), d.getUTCHours() + 1);
      continue;
    }
    if (!s.minutes.has(d.getUTCMinutes())) {
      t = Date.UTC(year, d.getUTCMonth(), d.getUTCDate(), d.getUTCHours(), d.getUTCMinutes() + 1);
      continue;
    }
    if (!s.seconds.has(d.getUTCSeconds())) {
      t += 1000;
      continue;
    }
    return t - offset;
  }
  return undefined;
}
