/**
 * Which stack the demo drives: a running `npm start` (found through <data-dir>/emulator.json and checked
 * with `GET /`), else a local stack of its own (emulator in memory + sandbox in a fresh temp dir, seeded
 * from scripts/demo/seed.json), stopped and removed at the end. Either way the demo only sees URLs.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { SignType } from '@shouyin/shared';
import { type EmulatorInfo, startLocalStack } from '../../../emulator/src/index';
import { httpJson, httpsJson } from './http';

export interface Target {
  origin: 'running' | 'own';
  emulatorUrl: string;
  /** The HTTP access URL of payNotify (what WeChat's notify_url points at). */
  payNotifyUrl: string;
  sandbox: {
    controlUrl: string;
    /** The sandbox CA (PEM) the control API is trusted with. */
    ca: string;
    /** The merchant the functions are wired to (the API key stays in sandbox.json; the demo never needs it). */
    merchant: { appid: string; mchId: string; signType: SignType };
  };
  /** What was found or started, for the header. */
  notes: string[];
  stop(): Promise<void>;
}

interface SandboxJson {
  controlUrl: string;
  caFile: string;
  merchants: Array<{ appid: string; mchId: string; signType: SignType }>;
}

type Seed = Record<string, unknown>;

/** The repository root: the nearest ancestor whose package.json is Shouyin's. */
export function findRepoRoot(start: string): string {
  for (let dir = path.resolve(start); ; dir = path.dirname(dir)) {
    const pkg = path.join(dir, 'package.json');
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'shouyin')
      return dir;
    if (path.dirname(dir) === dir) throw new Error(`no Shouyin repository above ${start}`);
  }
}

/** The collections of seed.json: every top-level array of documents with string `_id`s. */
export function seedCollections(seed: Seed): Array<[string, Array<{ _id: string }>]> {
  const out: Array<[string, Array<{ _id: string }>]> = [];
  for (const [name, value] of Object.entries(seed)) {
    if (name.startsWith('$') || !Array.isArray(value) || value.length === 0) continue;
    if (value.every((d) => d !== null && typeof d === 'object' && typeof d._id === 'string'))
      out.push([name, value as Array<{ _id: string }>]);
  }
  return out;
}

function payNotifyUrlOf(info: EmulatorInfo): string {
  const route = info.routes.find((r) => r.function === 'payNotify');
  if (!route) throw new Error('the emulator has no HTTP route to payNotify (cloudbase-routes.json)');
  return route.url;
}

/** A running emulator answering GET /, or why not. */
async function runningInfo(dataDir: string): Promise<EmulatorInfo | string> {
  const file = path.join(dataDir, 'emulator.json');
  if (!existsSync(file)) return `no ${file}`;
  let baseUrl: string;
  try {
    baseUrl = (JSON.parse(readFileSync(file, 'utf8')) as EmulatorInfo).baseUrl;
  } catch {
    return `${file} is unreadable`;
  }
  try {
    const info = await httpJson<EmulatorInfo>('GET', `${baseUrl}/`);
    return info.name === 'shouyin-cloudbase-emulator' ? info : `${baseUrl} is not the emulator`;
  } catch {
    return `${baseUrl} (from ${file}) does not answer`;
  }
}

/** Inserts the seed documents the running database lacks (never overwrites what is there). */
async function seedMissing(baseUrl: string, seed: Seed): Promise<number> {
  let added = 0;
  for (const [name, docs] of seedCollections(seed)) {
    const have = await httpJson<{ data: Array<{ _id: string }> }>(
      'GET',
      `${baseUrl}/db/${encodeURIComponent(name)}?limit=1000`,
    );
    const ids = new Set(have.data.map((d) => d._id));
    const missing = docs.filter((d) => !ids.has(d._id));
    if (missing.length === 0) continue;
    await httpJson('POST', `${baseUrl}/db/${encodeURIComponent(name)}`, missing);
    added += missing.length;
  }
  return added;
}

async function useRunning(info: EmulatorInfo, seed: Seed): Promise<Target | string> {
  if (!info.sandbox || !existsSync(info.sandbox))
    return `the emulator at ${info.baseUrl} runs without the WeChat Pay sandbox`;
  const sb = JSON.parse(readFileSync(info.sandbox, 'utf8')) as SandboxJson;
  const ca = readFileSync(sb.caFile, 'utf8');
  const merchant = sb.merchants[0];
  if (!merchant) return `${info.sandbox} lists no merchant`;
  try {
    await httpsJson('GET', `${sb.controlUrl}/info`, ca);
  } catch {
    return `its sandbox (${sb.controlUrl}) does not answer`;
  }
  const added = await seedMissing(info.baseUrl, seed);
  return {
    origin: 'running',
    emulatorUrl: info.baseUrl,
    payNotifyUrl: payNotifyUrlOf(info),
    sandbox: {
      controlUrl: sb.controlUrl,
      ca,
      merchant: { appid: merchant.appid, mchId: merchant.mchId, signType: merchant.signType },
    },
    notes: [
      `using the running stack: emulator ${info.baseUrl} (data dir ${info.dataDir ?? 'in memory'})`,
      `WeChat Pay sandbox ${sb.controlUrl.replace(/\/sandbox$/, '')}`,
      ...(added > 0 ? [`added ${added} missing demo document(s) from seed.json`] : []),
    ],
    stop: async () => undefined,
  };
}

async function startOwn(repoRoot: string, seed: Seed, why: string): Promise<Target> {
  const stateDir = mkdtempSync(path.join(os.tmpdir(), 'shouyin-demo-sandbox-'));
  const dist = path.join(repoRoot, 'scripts/emulator/dist');
  try {
    const stack = await startLocalStack({
      repoRoot,
      port: 0,
      // This bundle is not next to the emulator's instance runtime: point at the built one.
      runtimeDir: existsSync(path.join(dist, 'worker.js')) ? dist : undefined,
      runTimers: false,
      functionLogs: 'silent',
      sandbox: { stateDir },
    });
    const stop = async () => {
      try {
        await stack.stop();
      } finally {
        rmSync(stateDir, { recursive: true, force: true });
      }
    };
    try {
      const sandbox = stack.sandbox;
      if (!sandbox) throw new Error('the local stack started without its sandbox');
      for (const [name, docs] of seedCollections(seed)) await stack.emulator.db.collection(name).put(docs);
      const info = sandbox.info;
      const merchant = info.merchants[0];
      if (!merchant || !info.controlUrl) throw new Error('the sandbox has no merchant or control URL');
      return {
        origin: 'own',
        emulatorUrl: stack.emulator.baseUrl,
        payNotifyUrl: payNotifyUrlOf(stack.emulator.info),
        sandbox: {
          controlUrl: info.controlUrl,
          ca: readFileSync(info.caFile, 'utf8'),
          merchant: {
            appid: merchant.appid,
            mchId: merchant.mchId,
            signType: merchant.signType as SignType,
          },
        },
        notes: [
          `no running npm start (${why}): started a local stack of its own`,
          `emulator ${stack.emulator.baseUrl} (in memory), sandbox ${sandbox.baseUrl} (state in a temp dir)`,
        ],
        stop,
      };
    } catch (e) {
      await stop();
      throw e;
    }
  } catch (e) {
    rmSync(stateDir, { recursive: true, force: true });
    throw e;
  }
}

export async function acquireTarget(opts: {
  repoRoot: string;
  dataDir: string;
  own: boolean;
}): Promise<Target> {
  const seed = JSON.parse(readFileSync(path.join(opts.repoRoot, 'scripts/demo/seed.json'), 'utf8')) as Seed;
  if (opts.own) return startOwn(opts.repoRoot, seed, '--own given');
  const info = await runningInfo(opts.dataDir);
  if (typeof info === 'string') return startOwn(opts.repoRoot, seed, info);
  const running = await useRunning(info, seed);
  return typeof running === 'string' ? startOwn(opts.repoRoot, seed, running) : running;
}
