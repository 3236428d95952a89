// Runs timer triggers on their cron schedules. Timer invocations are asynchronous in the cloud (the return value
// goes nowhere, CloudBase notes §1.4), so firing does not wait for the previous run. The clock is injectable:
// tests drive it virtually.

import { type CronSchedule, nextFire, parseCron } from './cron';

export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const realClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => {
    const t = setTimeout(fn, ms);
    t.unref?.();
    return t;
  },
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};

export interface ScheduledTrigger {
  functionName: string;
  triggerName: string;
  cron: string;
}

/** Longest single wait (setTimeout's limit is 2^31-1 ms); longer waits re-arm. */
const MAX_WAIT = 2 ** 31 - 1;

export class TimerScheduler {
  private readonly handles = new Map<string, unknown>();
  private readonly schedules: Array<{ trigger: ScheduledTrigger; schedule: CronSchedule }>;
  private running = false;

  constructor(
    triggers: ScheduledTrigger[],
    private readonly fire: (trigger: ScheduledTrigger, at: Date) => void,
    private readonly clock: Clock = realClock,
    private readonly offsetMinutes = 480,
  ) {
    // Parse everything up front: a bad cron fails the start, not a night later.
    this.schedules = triggers.map((trigger) => ({ trigger, schedule: parseCron(trigger.cron) }));
  }

  start(): void {
    this.running = true;
    for (const s of this.schedules) this.arm(s.trigger, s.schedule, this.clock.now());
  }

  stop(): void {
    this.running = false;
    for (const h of this.handles.values()) this.clock.clearTimeout(h);
    this.handles.clear();
  }

  /** Next fire time of each trigger, for emulator.json and tests. */
  nextTimes(): Record<string, string | null> {
    const now = this.clock.now();
    return Object.fromEntries(
      this.schedules.map(({ trigger, schedule }) => {
        const t = nextFire(schedule, now, this.offsetMinutes);
        return [
          `${trigger.functionName}/${trigger.triggerName}`,
          t === undefined ? null : new Date(t).toISOString(),
        ];
      }),
    );
  }

  private arm(trigger: ScheduledTrigger, schedule: CronSchedule, after: number): void {
    if (!this.running) return;
    const at = nextFire(schedule, after, this.offsetMinutes);
    if (at === undefined) return;
    const key = `${trigger.functionName}/${trigger.triggerName}`;
    const wait = () => {
      const left = at - this.clock.now();
      if (left > 0) {
        this.handles.set(key, this.clock.setTimeout(wait, Math.min(left, MAX_WAIT)));
        return;
      }
      this.handles.delete(key);
      if (!this.running) return;
      this.fire(trigger, new Date(at));
      this.arm(trigger, schedule, at);
    };
    wait();
  }
}
