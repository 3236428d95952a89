/**
 * startSandbox: wires the parts together — merchants and PKI in the state dir, the store, the virtual
 * clock, faults, the notifier, the HTTPS server — writes sandbox.json, and resumes pending
 * notifications and refund settlements left by a previous run.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import path from 'node:path';
import { dirLockProblem, InputError, lockDir } from '@shouyin/shared';
import { ensurePki } from './certs';
import { VirtualClock } from './clock';
import { createControl, type SandboxControl } from './control';
import type { Core } from './core';
import { Faults } from './faults';
import { resolveMerchants } from './merchants';
import { Notifier, WECHAT_RETRY_SCHEDULE_MS } from './notifier';
import { checkPortFree } from './port-check';
import { armSettlement } from './refunds';
import { close, createServer, listen } from './server';
import { Store } from './store';
import type { SandboxInfo, SandboxOptions } from './types';

export interface Sandbox {
  /** https://127.0.0.1:PORT — the stand-in for https://api.mch.weixin.qq.com */
  readonly baseUrl: string;
  /** The CA that issued the server certificate (trust it in clients). */
  readonly caFile: string;
  /** The content of sandbox.json. */
  readonly info: SandboxInfo;
  readonly stateDir: string;
  readonly control: SandboxControl;
  stop(): Promise<void>;
}

/** The lock a running sandbox holds on its state dir (taken before any file there is touched). */
export const SANDBOX_LOCK_FILE = 'sandbox.lock';

/** The files the sandbox owns in its state dir (what `clean` removes). */
const OWNED = ['state.json', 'state.json.tmp', 'keys.json', 'sandbox.json', 'certs'];

function positive(v: number | undefined, name: string, fallback: number): number {
  if (v === undefined) return fallback;
  if (!(Number.isFinite(v) && v >= 0)) throw new RangeError(`${name} must be a non-negative number`);
  return v;
}

export async function startSandbox(opts: SandboxOptions): Promise<Sandbox> {
  if (!opts.stateDir) throw new Error('stateDir is required');
  const stateDir = path.resolve(opts.stateDir);
  const host = opts.host ?? '127.0.0.1';
  // The control API has no authentication and /sandbox/info returns the merchants' keys: loopback only.
  if (!/^(127\.\d{1,3}\.\d{1,3}\.\d{1,3}|::1|localhost)$/.test(host))
    throw new InputError(`the sandbox listens on loopback only (127.0.0.1, ::1 or localhost), not ${host}`);
  // A second sandbox on this state dir (or port) fails here, before any file is touched.
  const locked = dirLockProblem(stateDir, SANDBOX_LOCK_FILE);
  if (locked) throw locked;
  if (opts.port) await checkPortFree(host, opts.port);
  const lock = lockDir(stateDir, SANDBOX_LOCK_FILE, 'a WeChat Pay sandbox');
  try {
    return await startLocked(opts, stateDir, host, lock.release);
  } catch (e) {
    lock.release();
    throw e;
  }
}

async function startLocked(
  opts: SandboxOptions,
  stateDir: string,
  host: string,
  releaseLock: () => void,
): Promise<Sandbox> {
  if (opts.clean) for (const f of OWNED) rmSync(path.join(stateDir, f), { recursive: true, force: true });
  mkdirSync(stateDir, { recursive: true });
  const log = opts.log ?? (() => {});

  const merchantList = resolveMerchants(stateDir, opts.merchants);
  const merchants = new Map(merchantList.map((m) => [m.mchId, m]));
  const pki = await ensurePki(stateDir, merchantList);
  const store = new Store(stateDir, opts.persist ?? true);
  const clock = new VirtualClock(opts.clock ?? { mode: 'real' }, store.savedClock, (err) =>
    log(`background job failed: ${err instanceof Error ? err.message : String(err)}`),
  );
  store.clockSnapshot = () => clock.snapshot();
  const faults = new Faults();
  const n = opts.notify ?? {};
  const parallel = n.parallel ?? 1;
  if (!(Number.isSafeInteger(parallel) && parallel >= 1))
    throw new RangeError('notify.parallel must be an integer ≥ 1');
  const scheduleMs = n.scheduleMs ?? WECHAT_RETRY_SCHEDULE_MS;
  if (!scheduleMs.every((v) => Number.isFinite(v) && v >= 0))
    throw new RangeError('notify.scheduleMs must hold non-negative numbers');
  const notifier = new Notifier(
    store,
    clock,
    faults,
    {
      parallel,
      attemptTimeoutMs: positive(n.attemptTimeoutMs, 'notify.attemptTimeoutMs', 5000),
      scheduleMs,
      ca: n.ca,
      reorderHoldMs: positive(n.reorderHoldMs, 'notify.reorderHoldMs', 60_000),
    },
    log,
  );
  const settleDelay = opts.refundSettleDelayMs === undefined ? 10_000 : opts.refundSettleDelayMs;
  if (settleDelay !== null) positive(settleDelay, 'refundSettleDelayMs', 0);
  const core: Core = {
    merchants,
    store,
    clock,
    faults,
    notifier,
    allowLoopbackNotify: opts.allowLoopbackNotify ?? false,
    refundSettleDelayMs: settleDelay,
    includeSignType: n.includeSignType ?? 'md5',
    settleTimers: new Map(),
    log,
  };
  for (const m of merchantList) store.balance(m.mchId, m.initialBalances);

  const control = createControl(core);
  const hanging = new Set<ServerResponse>();
  let info: SandboxInfo | undefined;
  const certIndex = new Map([...pki.merchants].map(([mchId, c]) => [c.fingerprint256, mchId]));
  const server = createServer(
    { key: pki.serverKeyPem, cert: pki.serverCertPem, ca: pki.caPem },
    { gateway: { core, hanging }, control, info: () => info!, certIndex, log },
  );
  const port = await listen(server, host, opts.port ?? 0);
  const urlHost = host.includes(':') ? `[${host}]` : host;
  const baseUrl = `https://${urlHost}:${port}`;
  info = {
    baseUrl,
    caFile: pki.caFile,
    controlUrl: `${baseUrl}/sandbox`,
    merchants: merchantList.map((m) => {
      const c = pki.merchants.get(m.mchId)!;
      return {
        appid: m.appid,
        mchId: m.mchId,
        apiKey: m.apiKey,
        signType: m.signType,
        certFile: c.certFile,
        keyFile: c.keyFile,
        p12File: c.p12File,
      };
    }),
  };
  writeFileSync(path.join(stateDir, 'sandbox.json'), JSON.stringify(info, null, 2), { mode: 0o600 });

  // Resume what a previous run left: pending/held notifications and refunds still settling.
  notifier.resume();
  for (const r of store.refunds.values()) armSettlement(core, r);
  log(`sandbox listening on ${baseUrl} (state ${stateDir})`);

  let stopped: Promise<void> | undefined;
  const stop = () => {
    stopped ??= (async () => {
      clock.stop();
      notifier.stop();
      for (const res of hanging) res.socket?.destroy();
      hanging.clear();
      await close(server);
      store.close();
      releaseLock();
      log('sandbox stopped');
    })();
    return stopped;
  };
  return { baseUrl, caFile: pki.caFile, info, stateDir, control, stop };
}
