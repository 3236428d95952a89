import { afterEach, describe, expect, test } from 'vitest';
import { VirtualClock } from './clock';

const clocks: VirtualClock[] = [];
const make = (...args: ConstructorParameters<typeof VirtualClock>) => {
  const c = new VirtualClock(...args);
  clocks.push(c);
  return c;
};
afterEach(() => {
  for (const c of clocks.splice(0)) c.stop();
});

describe('VirtualClock', () => {
  test('manual time only moves with advance', async () => {
    const c = make({ mode: 'manual', startMs: 1_000 });
    expect(c.now()).toBe(1_000);
    await new Promise((r) => setTimeout(r, 20));
    expect(c.now()).toBe(1_000);
    expect(await c.advance(500)).toBe(1_500);
  });

  test('advance fires due timers in time order, at their own time, including ones they schedule', async () => {
    const c = make({ mode: 'manual', startMs: 0 });
    const seen: Array<[string, number]> = [];
    c.setTimer(300, () => {
      seen.push(['b', c.now()]);
    });
    c.setTimer(100, async () => {
      seen.push(['a', c.now()]);
      await new Promise((r) => setTimeout(r, 5)); // an async job (like an HTTP attempt) finishes first
      c.setTimer(c.now() + 150, () => {
        seen.push(['a2', c.now()]);
      });
    });
    c.setTimer(5_000, () => {
      seen.push(['late', c.now()]);
    });
    await c.advance(1_000);
    expect(seen).toEqual([
      ['a', 100],
      ['a2', 250],
      ['b', 300],
    ]);
    expect(c.now()).toBe(1_000);
  });

  test('a timer due now fires without advancing; quiesce waits for it', async () => {
    const c = make({ mode: 'manual', startMs: 0 });
    let fired = false;
    c.setTimer(0, async () => {
      await new Promise((r) => setTimeout(r, 10));
      fired = true;
    });
    await c.quiesce();
    expect(fired).toBe(true);
  });

  test('cleared timers never fire; stop cancels everything', async () => {
    const c = make({ mode: 'manual', startMs: 0 });
    let n = 0;
    const id = c.setTimer(10, () => {
      n += 1;
    });
    c.clearTimer(id);
    c.setTimer(20, () => {
      n += 10;
    });
    c.stop();
    await c.advance(100);
    expect(n).toBe(0);
  });

  test('scaled time runs faster than real time and fires timers by itself', async () => {
    const c = make({ mode: 'scaled', factor: 1000 });
    const start = c.now();
    const fired = new Promise<number>((resolve) => c.setTimer(start + 60_000, () => resolve(c.now())));
    // 60 virtual seconds at ×1000 is 60 real ms.
    expect(await fired).toBeGreaterThanOrEqual(start + 60_000);
  });

  test('snapshots restore: manual keeps its time, real keeps its offset', async () => {
    const m = make({ mode: 'manual', startMs: 0 });
    await m.advance(42_000);
    expect(make({ mode: 'manual' }, m.snapshot()).now()).toBe(42_000);
    const r = make({ mode: 'real' });
    await r.advance(3_600_000);
    const restored = make({ mode: 'real' }, r.snapshot());
    expect(restored.now() - Date.now()).toBeGreaterThanOrEqual(3_600_000 - 50);
  });

  test('refuses bad arguments', async () => {
    expect(() => make({ mode: 'scaled', factor: 0 })).toThrow(RangeError);
    await expect(make({ mode: 'manual' }).advance(-1)).rejects.toThrow(RangeError);
  });
});
