/**
 * A small interleaved micro-benchmark harness: every candidate runs for `roundMs` in each of `rounds`
 * rounds (candidates alternate within a round, so slow drifts in background load hit them alike), and
 * each candidate's best round is reported: other processes only ever slow a round down, so the best
 * round is the closest to the code's own speed (the reasoning behind Python's `timeit` taking the
 * minimum). Batches are sized by a short calibration so the clock is read rarely.
 */
export interface Candidate {
  name: string;
  /** One operation; returns something so the work cannot be optimised away. Async for async libraries. */
  run: () => unknown;
  async?: boolean;
}

export interface TimingOptions {
  rounds: number;
  roundMs: number;
  warmupMs: number;
}

let sink = 0;
/** Keeps results alive (read at the end so the JIT cannot drop the work). */
export function sinkValue(): number {
  return sink;
}

function consume(v: unknown): void {
  if (typeof v === 'string') sink += v.length;
  else if (v) sink += 1;
}

async function runFor(c: Candidate, batch: number, ms: number): Promise<{ ops: number; ns: number }> {
  let ops = 0;
  const start = process.hrtime.bigint();
  const deadline = start + BigInt(Math.round(ms * 1e6));
  let now = start;
  do {
    if (c.async) {
      for (let i = 0; i < batch; i++) consume(await c.run());
    } else {
      for (let i = 0; i < batch; i++) consume(c.run());
    }
    ops += batch;
    now = process.hrtime.bigint();
  } while (now < deadline);
  return { ops, ns: Number(now - start) };
}

/** Returns operations per second for each candidate, by name. */
export async function compare(
  candidates: readonly Candidate[],
  opts: TimingOptions,
): Promise<Record<string, number>> {
  const batches = new Map<string, number>();
  for (const c of candidates) {
    // Warm up (JIT) and size a batch to about 1 ms.
    const w = await runFor(c, 1, opts.warmupMs);
    batches.set(c.name, Math.max(1, Math.round(w.ops / (w.ns / 1e6))));
  }
  const rates = new Map<string, number[]>(candidates.map((c) => [c.name, []]));
  for (let r = 0; r < opts.rounds; r++) {
    for (const c of candidates) {
      const { ops, ns } = await runFor(c, batches.get(c.name)!, opts.roundMs);
      rates.get(c.name)!.push((ops * 1e9) / ns);
    }
  }
  const out: Record<string, number> = {};
  for (const [name, list] of rates) out[name] = Math.max(...list);
  return out;
}
