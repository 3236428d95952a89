/**
 * payNotify benchmark (issue 6 "Benchmark"): the real payNotify function in the emulator, wired to the
 * sandbox merchant as `npm start` wires it. N orders are created through createPayment (the customer's
 * path, so each is the exact document createPayment writes and is known to the sandbox), then N payment
 * notifications — built by the sandbox's own builder (i.e. WeChat's shape) and signed with the merchant's
 * API key — are POSTed over HTTP to payNotify's route at a fixed concurrency:
 *  - latency (p50/p99/max) and throughput of the first deliveries; every reply must be the exact SUCCESS
 *    XML and every order must end PAID with one queued alert;
 *  - database requests per first delivery and per duplicate delivery (the same bytes again, as WeChat's
 *    retries are), from the emulator's invocation log (dbRequests).
 * Instances are warmed first with notifications for extra orders, so cold starts are not in the figures.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { beijingTime, NOTIFY_SUCCESS_XML, type SignType } from '@shouyin/shared';
import { type Emulator, type InvocationRecord, startLocalStack } from '../../emulator/src/index';
import { paymentNotificationXml } from '../../sandbox/src/index';

export interface PayNotifyFigures {
  /** Database requests per first delivery (mean over the measured run; the table shows min–max). */
  firstDbOps: number;
  /** Database requests per duplicate delivery. */
  duplicateDbOps: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Notifications answered per second over the measured run. */
  perSecond: number;
  n: number;
  concurrency: number;
}

interface RunStats {
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  perSecond: number;
  dbOps: { mean: number; min: number; max: number };
  /** Time inside the invocation (the emulator's durationMs), without the HTTP front and the instance queue. */
  fnP50Ms: number;
  fnP99Ms: number;
}

export interface PayNotifyBenchResult extends PayNotifyFigures {
  first: RunStats;
  duplicate: RunStats;
  setupMs: number;
  createMs: number;
  warmup: number;
  maxInstances: number;
}

export interface PayNotifyBenchOptions {
  /** Default: the Shouyin repository above this file. */
  repoRoot?: string;
  n?: number;
  concurrency?: number;
  warmup?: number;
  maxInstances?: number;
}

interface Merchant {
  appid: string;
  mchId: string;
  apiKey: string;
  signType: SignType;
}

interface CreatedOrder {
  outTradeNo: string;
  totalFee: number;
  openid: string;
}

/** The repository root: the nearest ancestor whose package.json is Shouyin's. */
function findRepoRoot(start: string): string {
  for (let dir = path.resolve(start); path.dirname(dir) !== dir; dir = path.dirname(dir)) {
    const pkg = path.join(dir, 'package.json');
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'shouyin')
      return dir;
  }
  throw new Error(`no Shouyin repository above ${start}`);
}

/** Runs `task(i)` for i in [0, count) with at most `concurrency` in flight. */
async function pool(count: number, concurrency: number, task: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < count) await task(next++);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number;
}

function post(agent: http.Agent, url: URL, body: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      {
        method: 'POST',
        agent,
        headers: { 'content-type': 'text/xml', 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** A payment notification as the sandbox (WeChat) sends it: every field, signed with the merchant's key. */
function notificationFor(m: Merchant, o: CreatedOrder, seq: number): string {
  return paymentNotificationXml({
    appid: m.appid,
    mchId: m.mchId,
    apiKey: m.apiKey,
    signType: m.signType,
    includeSignType: m.signType === 'MD5',
    outTradeNo: o.outTradeNo,
    totalFee: o.totalFee,
    openid: o.openid,
    transactionId: `42000000012026${String(seq).padStart(14, '0')}`,
    timeEnd: beijingTime(Date.now()),
  });
}

async function createOrders(emu: Emulator, count: number): Promise<CreatedOrder[]> {
  const out: CreatedOrder[] = new Array(count);
  await pool(count, 20, async (i) => {
    const openid = `o-bench-${String(i).padStart(5, '0')}`;
    const r = await emu.invoke(
      'createPayment',
      {
        action: 'create',
        items: [{ productId: 'latte', quantity: 1 + (i % 3) }],
        requestId: `bench-${String(i).padStart(6, '0')}`,
      },
      { openid },
    );
    const answer =
      'result' in r
        ? (r.result as { ok: boolean; data?: { outTradeNo: string; totalFee: number } })
        : undefined;
    if (!answer?.ok || !answer.data) throw new Error(`createPayment create failed: ${JSON.stringify(r)}`);
    out[i] = { outTradeNo: answer.data.outTradeNo, totalFee: answer.data.totalFee, openid };
  });
  return out;
}

/** POSTs every body at the concurrency; returns sorted latencies and the wall time. Every reply must be SUCCESS. */
async function fire(
  agent: http.Agent,
  url: URL,
  bodies: string[],
  concurrency: number,
): Promise<{ latencies: number[]; wallMs: number }> {
  const latencies: number[] = new Array(bodies.length);
  const bad: string[] = [];
  const t0 = performance.now();
  await pool(bodies.length, concurrency, async (i) => {
    const s = performance.now();
    const r = await post(agent, url, bodies[i] as string);
    latencies[i] = performance.now() - s;
    if (r.status !== 200 || r.text !== NOTIFY_SUCCESS_XML)
      bad.push(`HTTP ${r.status} ${r.text.slice(0, 120)}`);
  });
  const wallMs = performance.now() - t0;
  if (bad.length > 0) throw new Error(`${bad.length} notification(s) not answered SUCCESS, e.g. ${bad[0]}`);
  return { latencies: latencies.sort((a, b) => a - b), wallMs };
}

function stats(run: { latencies: number[]; wallMs: number }, records: InvocationRecord[]): RunStats {
  const n = run.latencies.length;
  if (records.length !== n)
    throw new Error(`expected ${n} payNotify invocations in the log, found ${records.length}`);
  const failed = records.filter((r) => r.outcome !== 'ok');
  if (failed.length > 0) throw new Error(`${failed.length} payNotify invocation(s) did not end ok`);
  const ops = records.map((r) => r.dbRequests);
  const fn = records.map((r) => r.durationMs).sort((a, b) => a - b);
  const l = run.latencies;
  return {
    p50Ms: percentile(l, 50),
    p99Ms: percentile(l, 99),
    maxMs: l[n - 1] ?? Number.NaN,
    perSecond: (n / run.wallMs) * 1000,
    dbOps: { mean: ops.reduce((a, b) => a + b, 0) / n, min: Math.min(...ops), max: Math.max(...ops) },
    fnP50Ms: percentile(fn, 50),
    fnP99Ms: percentile(fn, 99),
  };
}

export async function benchPayNotify(opts: PayNotifyBenchOptions = {}): Promise<PayNotifyBenchResult> {
  const repoRoot = opts.repoRoot ?? findRepoRoot(__dirname);
  const n = opts.n ?? 1000;
  const concurrency = opts.concurrency ?? 50;
  const warmup = opts.warmup ?? 100;
  const maxInstances = opts.maxInstances ?? 10;
  const t0 = performance.now();
  const stateDir = mkdtempSync(path.join(os.tmpdir(), 'shouyin-bench-sandbox-'));
  const dist = path.join(repoRoot, 'scripts/emulator/dist');
  const stack = await startLocalStack({
    repoRoot: repoRoot,
    port: 0,
    runtimeDir: dist,
    runTimers: false,
    functionLogs: 'silent',
    maxInstancesPerFunction: maxInstances,
    // In memory: the sandbox would otherwise rewrite its state file (all orders) on every busy turn.
    sandbox: { stateDir, options: { persist: false } },
  }).catch((e: unknown) => {
    rmSync(stateDir, { recursive: true, force: true });
    throw e;
  });
  try {
    const emu = stack.emulator;
    const m = stack.sandbox?.info.merchants[0];
    if (!m) throw new Error('the local stack has no sandbox merchant');
    const merchant: Merchant = {
      appid: m.appid,
      mchId: m.mchId,
      apiKey: m.apiKey,
      signType: m.signType as SignType,
    };
    await emu.db.collection('products').put({ _id: 'latte', name: '拿铁咖啡', priceFee: 1800, onSale: true });
    const setupMs = performance.now() - t0;

    const tc = performance.now();
    const orders = await createOrders(emu, n + warmup);
    const createMs = performance.now() - tc;
    const bodies = orders.map((o, i) => notificationFor(merchant, o, i + 1));
    const route = emu.info.routes.find((r) => r.function === 'payNotify');
    if (!route) throw new Error('no HTTP route to payNotify');
    const url = new URL(route.url);
    let first: RunStats;
    let duplicate: RunStats;

    // Warm the instances and open the keep-alive connections (the warm-up orders are not measured): a
    // burst of fresh connections at the start of a run otherwise adds a few hundred ms to its first wave.
    const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
    try {
      await fire(agent, url, bodies.slice(n), concurrency);

      const mark1 = emu.invocations({ function: 'payNotify' }).length;
      const firstRun = await fire(agent, url, bodies.slice(0, n), concurrency);
      const afterFirst = emu.invocations({ function: 'payNotify' });
      first = stats(firstRun, afterFirst.slice(mark1));

      const dupRun = await fire(agent, url, bodies.slice(0, n), concurrency);
      const afterDup = emu.invocations({ function: 'payNotify' });
      duplicate = stats(dupRun, afterDup.slice(afterFirst.length));
    } finally {
      agent.destroy();
    }

    // Every order PAID, with exactly one queued alert, after first deliveries and duplicates.
    const docs = await emu.db.collection('orders').find({}, { limit: n + warmup + 10 });
    const notPaid = docs.filter((d) => d.status !== 'PAID');
    const alerts = docs.filter((d) => !Array.isArray(d.outbox) || d.outbox.length !== 1);
    if (docs.length !== n + warmup || notPaid.length > 0 || alerts.length > 0)
      throw new Error(
        `expected ${n + warmup} PAID orders with one alert each: ${docs.length} orders, ${notPaid.length} not PAID, ${alerts.length} without exactly one alert`,
      );

    return {
      firstDbOps: Number(first.dbOps.mean.toFixed(2)),
      duplicateDbOps: Number(duplicate.dbOps.mean.toFixed(2)),
      p50Ms: Number(first.p50Ms.toFixed(2)),
      p99Ms: Number(first.p99Ms.toFixed(2)),
      maxMs: Number(first.maxMs.toFixed(2)),
      perSecond: Math.round(first.perSecond),
      n,
      concurrency,
      first,
      duplicate,
      setupMs,
      createMs,
      warmup,
      maxInstances,
    };
  } finally {
    await stack.stop();
    rmSync(stateDir, { recursive: true, force: true });
  }
}

export function formatPayNotifyTable(r: PayNotifyBenchResult): string {
  const ops = (o: RunStats['dbOps']) =>
    o.min === o.max ? String(o.min) : `${o.mean.toFixed(2)} (${o.min}–${o.max})`;
  const ms = (v: number) => v.toFixed(2).padStart(9);
  const row = (name: string, s: RunStats) =>
    `${name.padEnd(20)}${ms(s.p50Ms)}${ms(s.p99Ms)}${ms(s.maxMs)}${Math.round(s.perSecond).toLocaleString('en-US').padStart(10)}` +
    `${ms(s.fnP50Ms)}${ms(s.fnP99Ms)}   ${ops(s.dbOps)}`;
  return [
    'delivery               p50 ms   p99 ms   max ms   notif/s  fn p50   fn p99   db requests each',
    row('first (NOTPAY→PAID)', r.first),
    row('duplicate', r.duplicate),
    `(${r.n} notifications each over HTTP at concurrency ${r.concurrency}; latency = POST to reply, fn = inside the ` +
      `invocation; ${r.maxInstances} payNotify instances, instances and keep-alive connections warmed by ${r.warmup} ` +
      `more; ${r.n + r.warmup} orders created through createPayment in ${(r.createMs / 1000).toFixed(1)} s; ` +
      `stack up in ${(r.setupMs / 1000).toFixed(1)} s)`,
  ].join('\n');
}
