// emulator.json: the machine-readable description of a running emulator (also served at GET /), so scripts find
// every URL, and so that every choice the emulator made on an unconfirmed point of the spec is written down.

import type { ContextKeysMode } from './host/invocation-env';
import type { Project } from './project';

export interface FunctionInfo {
  callFunctionUrl: string;
  httpUrls: string[];
  triggers: Array<{ name: string; config: string; fireUrl: string }>;
  timeoutMs: number;
  memoryMb: number;
}

export interface EmulatorInfo {
  name: 'shouyin-cloudbase-emulator';
  baseUrl: string;
  envId: string;
  pid: number;
  startedAt: string;
  dataDir: string | null;
  functions: Record<string, FunctionInfo>;
  routes: Array<{ path: string; function: string; url: string }>;
  collections: string[];
  control: {
    info: string;
    callFunction: string;
    fireTrigger: string;
    listCollections: string;
    inspectCollection: string;
    seedCollection: string;
    messages: string;
    grantSubscription: string;
    invocations: string;
  };
  /** The side the emulator picked on each point spec cloudbase.md §10 leaves open. */
  choices: {
    httpBodyEncoding: 'base64 for non-JSON bodies' | 'utf8 text';
    contextKeys: { http: ContextKeysMode; timer: ContextKeysMode };
    callFunctionIdentity: 'propagated' | 'not propagated';
    timerTimeZone: string;
    cronWeekDigits: '0=Sunday (7=Sunday too)';
    maxInstancesPerFunction: number;
    timeoutScale: number;
    updatedCounts: 'documents changed (MongoDB nModified)';
  };
  warnings: string[];
  /** Path of the sandbox's sandbox.json, when the emulator runs with the WeChat Pay sandbox. */
  sandbox?: string;
}

export interface InfoInput {
  baseUrl: string;
  project: Project;
  dataDir: string | undefined;
  contextKeysMode: ContextKeysMode;
  base64Bodies: boolean;
  propagateIdentity: boolean;
  timerOffsetMinutes: number;
  maxInstancesPerFunction: number;
  timeoutScale: number;
  collections: string[];
  sandbox?: string;
}

const tz = (m: number): string => {
  const sign = m < 0 ? '-' : '+';
  const a = Math.abs(m);
  return `UTC${sign}${String(Math.floor(a / 60)).padStart(2, '0')}:${String(a % 60).padStart(2, '0')}`;
};

export function buildInfo(i: InfoInput): EmulatorInfo {
  const u = (p: string) => `${i.baseUrl}${p}`;
  const functions: Record<string, FunctionInfo> = {};
  for (const f of i.project.functions) {
    functions[f.name] = {
      callFunctionUrl: u(`/functions/${f.name}`),
      httpUrls: i.project.routes.filter((r) => r.function === f.name).map((r) => u(r.path)),
      triggers: f.triggers.map((t) => ({
        name: t.name,
        config: t.config,
        fireUrl: u(`/triggers/${f.name}/${t.name}`),
      })),
      timeoutMs: f.timeoutMs,
      memoryMb: f.memoryMb,
    };
  }
  return {
    name: 'shouyin-cloudbase-emulator',
    baseUrl: i.baseUrl,
    envId: i.project.envId,
    pid: process.pid,
    startedAt: new Date().toISOString(),
    dataDir: i.dataDir ?? null,
    functions,
    routes: i.project.routes.map((r) => ({ ...r, url: u(r.path) })),
    collections: i.collections,
    control: {
      info: `GET ${u('/')}`,
      callFunction: `POST ${u('/functions/{name}')} {"data": …} headers x-wx-openid, x-wx-appid, x-wx-unionid, x-wx-client-ip`,
      fireTrigger: `POST ${u('/triggers/{function}/{trigger}')}`,
      listCollections: `GET ${u('/db')}`,
      inspectCollection: `GET ${u('/db/{collection}')}?limit=N&where={JSON}`,
      seedCollection: `POST ${u('/db/{collection}')} document or [documents]`,
      messages: `GET ${u('/messages')}`,
      grantSubscription: `POST ${u('/control/subscriptions')} {"openid","templateId","count"}`,
      invocations: `GET ${u('/invocations')}?function=&source=`,
    },
    choices: {
      httpBodyEncoding: i.base64Bodies ? 'base64 for non-JSON bodies' : 'utf8 text',
      contextKeys: { http: i.contextKeysMode, timer: i.contextKeysMode },
      callFunctionIdentity: i.propagateIdentity ? 'propagated' : 'not propagated',
      timerTimeZone: tz(i.timerOffsetMinutes),
      cronWeekDigits: '0=Sunday (7=Sunday too)',
      maxInstancesPerFunction: i.maxInstancesPerFunction,
      timeoutScale: i.timeoutScale,
      updatedCounts: 'documents changed (MongoDB nModified)',
    },
    warnings: i.project.warnings,
    ...(i.sandbox ? { sandbox: i.sandbox } : {}),
  };
}
