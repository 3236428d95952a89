/**
 * The virtual clock. Every sandbox rule that depends on time (2-hour prepay_id, 5-minute closeorder,
 * refund settlement, the 24-hour notification retry schedule) reads `now()` and waits with `setTimer`,
 * so tests can move time instead of waiting for it.
 *
 * now = anchorVirtual + (Date.now() − anchorReal) × factor, with factor 1 (real), N (scaled) or 0
 * (manual). `advance(ms)` steps through every timer due within the window in time order, awaiting each
 * callback (a notification attempt finishes, and schedules its retry, before time moves past it).
 */
import type { ClockOptions } from './types';

export interface ClockSnapshot {
  mode: ClockOptions['mode'];
  /** Virtual time when the snapshot was taken. */
  virtualNow: number;
  /** Real time when the snapshot was taken. */
  realNow: number;
}

type TimerFn = () => void | Promise<void>;

interface Timer {
  id: number;
  at: number;
  seq: number;
  fn: TimerFn;
}

export class VirtualClock {
  readonly mode: ClockOptions['mode'];
  private readonly factor: number;
  private anchorVirtual: number;
  private anchorReal: number;
  private readonly timers = new Map<number, Timer>();
  private readonly running = new Set<Promise<void>>();
  private nextId = 1;
  private realTimer: NodeJS.Timeout | undefined;
  private immediate: NodeJS.Immediate | undefined;
  private stopped = false;
  private readonly onError: (err: unknown) => void;

  constructor(
    opts: ClockOptions = { mode: 'real' },
    saved?: ClockSnapshot,
    onError: (err: unknown) => void = () => {},
  ) {
    this.mode = opts.mode;
    this.onError = onError;
    const realNow = Date.now();
    this.anchorReal = realNow;
    if (opts.mode === 'real') {
      this.factor = 1;
      // Real time keeps its offset across restarts: time passed while stopped still counts.
      const offset = saved && saved.mode === 'real' ? saved.virtualNow - saved.realNow : 0;
      this.anchorVirtual = realNow + offset;
    } else if (opts.mode === 'scaled') {
      if (!(opts.factor > 0) || !Number.isFinite(opts.factor))
        throw new RangeError('clock factor must be a positive number');
      this.factor = opts.factor;
      this.anchorVirtual = saved && saved.mode === 'scaled' ? saved.virtualNow : realNow;
    } else {
      this.factor = 0;
      this.anchorVirtual = saved && saved.mode === 'manual' ? saved.virtualNow : (opts.startMs ?? realNow);
    }
  }

  now(): number {
    return Math.floor(this.anchorVirtual + (Date.now() - this.anchorReal) * this.factor);
  }

  snapshot(): ClockSnapshot {
    return { mode: this.mode, virtualNow: this.now(), realNow: Date.now() };
  }

  /** Runs `fn` once virtual time reaches `at` (at once if it already has). */
  setTimer(at: number, fn: TimerFn): number {
    const id = this.nextId++;
    this.timers.set(id, { id, at, seq: id, fn });
    this.rearm();
    return id;
  }

  clearTimer(id: number | undefined): void {
    if (id === undefined) return;
    if (this.timers.delete(id)) this.rearm();
  }

  /** Moves virtual time forward by `ms`, firing (and awaiting) every timer due on the way. */
  async advance(ms: number): Promise<number> {
    if (!(ms >= 0) || !Number.isFinite(ms))
      throw new RangeError('advance needs a non-negative number of milliseconds');
    const target = this.now() + ms;
    for (;;) {
      await this.settle();
      const next = this.earliest();
      if (!next || next.at > target) break;
      this.jumpTo(next.at);
      this.timers.delete(next.id);
      await this.run(next);
    }
    this.jumpTo(target);
    this.rearm();
    await this.quiesce();
    return this.now();
  }

  /** Resolves when no timer callback is running and none is due at the current virtual time. */
  async quiesce(): Promise<void> {
    for (;;) {
      if (this.running.size > 0) {
        await this.settle();
        continue;
      }
      const next = this.earliest();
      if (next && next.at <= this.now() && !this.stopped) {
        this.fireDue();
        continue;
      }
      return;
    }
  }

  /** Cancels every timer; running callbacks are left to finish. */
  stop(): void {
    this.stopped = true;
    this.timers.clear();
    if (this.realTimer) clearTimeout(this.realTimer);
    if (this.immediate) clearImmediate(this.immediate);
    this.realTimer = undefined;
    this.immediate = undefined;
  }

  private async settle(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
  }

  private earliest(): Timer | undefined {
    let best: Timer | undefined;
    for (const t of this.timers.values()) {
      if (!best || t.at < best.at || (t.at === best.at && t.seq < best.seq)) best = t;
    }
    return best;
  }

  private jumpTo(at: number): void {
    const now = this.now();
    if (at > now) this.anchorVirtual += at - now;
  }

  private run(t: Timer): Promise<void> {
    const p = (async () => {
      try {
        await t.fn();
      } catch (err) {
        this.onError(err);
      }
    })();
    this.running.add(p);
    return p.finally(() => this.running.delete(p));
  }

  private fireDue(): void {
    const now = this.now();
    const due = [...this.timers.values()]
      .filter((t) => t.at <= now)
      .sort((a, b) => a.at - b.at || a.seq - b.seq);
    for (const t of due) {
      this.timers.delete(t.id);
      void this.run(t);
    }
    this.rearm();
  }

  private rearm(): void {
    if (this.stopped) return;
    if (this.realTimer) clearTimeout(this.realTimer);
    this.realTimer = undefined;
    const next = this.earliest();
    if (!next) return;
    const now = this.now();
    if (next.at <= now) {
      this.immediate ??= setImmediate(() => {
        this.immediate = undefined;
        this.fireDue();
      });
      return;
    }
    if (this.factor === 0) return; // manual: only advance() moves time
    const delay = Math.min(Math.ceil((next.at - now) / this.factor), 2 ** 31 - 1);
    this.realTimer = setTimeout(() => {
      this.realTimer = undefined;
      this.fireDue();
    }, delay);
    this.realTimer.unref?.();
  }
}
