// startEmulator(): the composition root — project, database, function host, HTTP server, timers — and the handle
// tests and tools drive it with.

import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import path from 'node:path';
import { Engine } from '../db/engine';
import { DbError } from '../db/errors';
import type { Query } from '../db/matcher';
import { parseSecurityRules } from '../db/security-rules';
import { DbService } from '../db/service';
import { type Doc, isPlainObject } from '../db/values';
import { type AlertAccounts, AlertStandIns, generateAlertAccounts } from './alerts/stand-ins';
import { clientDbRequest } from './client-db';
import { type ConsoleEvent, changesOf, EventHub } from './console/event-hub';
import { handleConsole } from './console/routes';
import { SandboxProxy } from './console/sandbox-proxy';
import { localOverrideNotices } from './env-overrides';
import { FunctionHost, type InvocationRecord } from './host/function-host';
import {
  type ContextKeysMode,
  callFunctionEvent,
  type Identity,
  type InvocationSource,
  timerEvent,
} from './host/invocation-env';
import { FunctionCallError } from './host/rpc';
import { acquireRuntimeFiles } from './host/runtime-files';
import { AdminStore } from './http/admin';
import {
  failureReply,
  fromIntegrationResult,
  type HttpRequestData,
  matchRoute,
  toIntegrationEvent,
} from './http/integration';
import { type EmulatorApi, emulatorRequestHandler, type JsonReply } from './http/server';
import { buildInfo, type EmulatorInfo } from './info';
import { type ShippingOptions, ShippingOrders, type ShippingOrderView } from './openapi/shipping';
import { type SubscribeMessage, SubscribeMessages } from './openapi/subscribe-message';
import { loadProject } from './project';
import { type EmulatorReservation, reserveEmulator } from './reserve';
import { type Clock, realClock, TimerScheduler } from './timers/scheduler';

export interface EmulatorOptions {
  /** Loopback by default. */
  host?: string;
  /** 0 (default) = any free port. */
  port?: number;
  /** Repository root holding cloudbaserc.json, cloudbase-routes.json, cloudbase-db.json (default: cwd). */
  repoRoot?: string;
  /** Built function folders (default: cloudbaserc functionRoot, else <repoRoot>/cloudfunctions). */
  functionsDir?: string;
  /** Load only these functions. */
  functions?: string[];
  /** Persist the database (and write emulator.json) here; undefined = in memory. */
  dataDir?: string;
  /** Start from an empty database (removes the emulator's files in dataDir). */
  clean?: boolean;
  /** Variables added to every function's environment, after cloudbaserc.json and cloudbaserc.local.json.
   * A function receives the emulator's URLs (known only once it listens), e.g. to point notify URLs at it. */
  envOverrides?: Record<string, string> | ((urls: EmulatorUrls) => Record<string, string>);
  /** Per-function variables, applied last. */
  functionEnvOverrides?: Record<string, Record<string, string>>;
  /** Instances per function (default 10; the basic plan allows about 20 concurrent per function). */
  maxInstancesPerFunction?: number;
  /** What getWXContext() gives in HTTP-access and timer invocations (unconfirmed; default 'empty'). */
  contextKeysMode?: ContextKeysMode;
  /** Base64 non-JSON HTTP bodies (unconfirmed; default true). */
  base64Bodies?: boolean;
  /** cloud.callFunction carries the caller's OPENID etc. over (unconfirmed; default true). */
  propagateIdentity?: boolean;
  /** Schedule timer triggers (default true). POST /triggers fires them either way. */
  runTimers?: boolean;
  /** Multiplies every function timeout (slow CI machines, or short timeouts in tests). */
  timeoutScale?: number;
  /** Time zone of timer crons, minutes east of UTC (unconfirmed; default 480 = Beijing). */
  timerTimeZoneOffsetMinutes?: number;
  /** Clock of the timer scheduler (tests). */
  timerClock?: Clock;
  /** AppID given to callFunction invocations without an x-wx-appid header. */
  appid?: string;
  /** Known subscription templates (id → data keys); unknown ids then get 40037. */
  subscribeTemplates?: Record<string, readonly string[]>;
  /** Function console output: printed with a [function] prefix, dropped, or handed over. Default 'silent'. */
  functionLogs?: 'print' | 'silent' | ((functionName: string, level: string, text: string) => void);
  /** The sandbox.json path to record in emulator.json when a WeChat Pay sandbox runs alongside. */
  sandboxInfoFile?: string;
  /** Where worker.js and wx-server-sdk.js are (default: next to this bundle, or built from source). */
  runtimeDir?: string;
  /** Accounts of the printer and robot stand-ins (default: generated at start). */
  alertAccounts?: AlertAccounts;
  /** Leave process.env.TZ alone (by default the emulator runs in UTC, as cloud functions do: spec §1.5). */
  keepProcessTimeZone?: boolean;
  /** Cold-load every function once at start, so a configuration its cold start refuses is reported now (in
   * warnings: emulator.json and the CLI) rather than at the first call. The CLI sets it. */
  checkFunctionsAtStart?: boolean;
  /** Says so (in warnings) when envOverrides replace a value cloudbaserc.local.json set (names only). Default:
   * "the emulator's overrides". */
  overridesLabel?: string;
  /** The data-dir lock and bound port, taken earlier with reserveEmulator() (startLocalStack does, before
   * starting the sandbox); taken here otherwise. The emulator owns it from then on (stop() releases it). */
  reservation?: EmulatorReservation;
  /** The wxa.sec.order.* stand-in: indexing delay, enrolment, where payments are looked up. */
  shipping?: ShippingOptions;
  /** The built console served at / (default <repoRoot>/scripts/console/dist; docs/console.md). */
  consoleDir?: string;
}

export interface EmulatorUrls {
  baseUrl: string;
  /** HTTP access URL of each routed path. */
  routes: Record<string, string>;
  /** callFunction URL of each function. */
  functions: Record<string, string>;
}

export type CallFunctionResponse =
  | { result: unknown; errMsg: 'cloud.callFunction:ok'; requestID: string }
  | { errCode: number; errMsg: string; requestID?: string };

export interface HttpResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export interface CollectionHelper {
  find(
    query?: Query,
    options?: { orderBy?: Array<[string, 'asc' | 'desc']>; limit?: number },
  ): Promise<Doc[]>;
  get(id: string): Promise<Doc | null>;
  count(query?: Query): Promise<number>;
  /** Inserts documents (ids generated when absent); creates the collection when missing. */
  insert(docs: Doc | Doc[]): Promise<string[]>;
  /** Creates or replaces documents by _id (idempotent seeding); creates the collection when missing. */
  put(docs: Doc | Doc[]): Promise<void>;
}

export interface Emulator {
  readonly baseUrl: string;
  readonly info: EmulatorInfo;
  /** Same as POST /functions/<name>: the simulated mini-program user in `identity`. */
  invoke(name: string, data?: unknown, identity?: Identity): Promise<CallFunctionResponse>;
  /** An HTTP request to the emulator (HTTP access paths and control calls alike). */
  http(
    method: string,
    urlPath: string,
    body?: string | Buffer,
    headers?: Record<string, string>,
  ): Promise<HttpResponse>;
  /** Fires a timer trigger now and resolves with its invocation record when the run is over. */
  fireTrigger(functionName: string, trigger?: string): Promise<InvocationRecord>;
  readonly db: {
    collection(name: string): CollectionHelper;
    createCollection(name: string): boolean;
    collections(): string[];
  };
  invocations(filter?: { function?: string; source?: InvocationSource }): InvocationRecord[];
  messages(): SubscribeMessage[];
  /** Stands for the user accepting `count` one-shot subscriptions to the template. Returns what remains. */
  grantSubscription(openid: string, templateId: string, count?: number): number;
  /** Running instances per function. */
  instanceCounts(): Record<string, number>;
  /** The shipping-info service's payments and uploads (GET /control/shipping/orders). */
  shippingOrders(): ShippingOrderView[];
  /** Stands for the buyer confirming receipt in WeChat (POST /control/shipping/confirm-receipt). */
  confirmReceipt(key: { transactionId?: string; outTradeNo?: string }): Promise<ShippingOrderView>;
  /** The shipping-info stand-in itself (configure its delay or enrolment, register payments). */
  readonly shipping: ShippingOrders;
  /** The Feie printer and WeCom robot stand-ins (jobs, posts, faults). */
  readonly alertStandIns: AlertStandIns;
  /** Sends an event to the console's live stream (GET /events), e.g. what the sandbox did. */
  publishEvent(event: ConsoleEvent): void;
  /** Changes the switchable behaviours while running (instances are kept). */
  configure(patch: {
    contextKeysMode?: ContextKeysMode;
    base64Bodies?: boolean;
    propagateIdentity?: boolean;
    timeoutScale?: number;
  }): void;
  stop(): Promise<void>;
}

export const DEFAULT_APPID = 'wx0123456789abcdef';
export const DATA_FILES = { db: 'db.jsonl', info: 'emulator.json', admin: 'admin.json' } as const;

/** A seed value with {"$date": ISO string | ms} objects turned into Dates. */
export function reviveDates(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(reviveDates);
  if (!isPlainObject(v)) return v;
  const keys = Object.keys(v);
  if (
    keys.length === 1 &&
    keys[0] === '$date' &&
    (typeof v.$date === 'string' || typeof v.$date === 'number')
  ) {
    return new Date(v.$date);
  }
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, reviveDates(x)]));
}

function header(h: IncomingMessage['headers'], name: string): string | undefined {
  const v = h[name];
  return Array.isArray(v) ? v[0] : v;
}

export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const dataDir = options.dataDir ? path.resolve(options.dataDir) : undefined;
  // The lock and the port first: a second emulator on this data dir or port fails here, having changed nothing.
  const reservation =
    options.reservation ?? (await reserveEmulator({ host: options.host, port: options.port, dataDir }));
  try {
    if (reservation.dataDir !== undefined && path.resolve(reservation.dataDir) !== dataDir)
      throw new Error(`the reservation locks ${reservation.dataDir}, not the data dir ${dataDir}`);
    return await startReserved(options, reservation, dataDir);
  } catch (e) {
    await reservation.release();
    throw e;
  }
}

async function startReserved(
  options: EmulatorOptions,
  reservation: EmulatorReservation,
  dataDir: string | undefined,
): Promise<Emulator> {
  const repoRoot = path.resolve(options.repoRoot ?? process.cwd());
  const project = loadProject({ repoRoot, functionsDir: options.functionsDir, only: options.functions });
  if (!options.keepProcessTimeZone) process.env.TZ = 'UTC';
  if (dataDir) {
    if (options.clean)
      for (const f of Object.values(DATA_FILES)) rmSync(path.join(dataDir, f), { force: true });
    mkdirSync(dataDir, { recursive: true });
  }
  const lease = await acquireRuntimeFiles(options.runtimeDir);
  const runtime = lease.files;
  let engine: Engine;
  try {
    engine = Engine.open(dataDir ? path.join(dataDir, DATA_FILES.db) : undefined);
  } catch (e) {
    lease.release();
    throw e;
  }
  try {
    // Provisioned up front, as the deploy creates them in the cloud (spec §4.4).
    for (const c of project.collections) engine.createCollection(c);
  } catch (e) {
    engine.close();
    lease.release();
    throw e;
  }
  const db = new DbService(engine);
  // Security rules of cloudbase-db.json, enforced on the mini-program's client-side database (POST /client-db).
  const securityRules = parseSecurityRules(project.rules);
  project.warnings.push(...securityRules.problems);
  const hub = new EventHub();
  engine.onChange = (record) => {
    if (hub.size > 0) hub.publish({ type: 'db', changes: changesOf(record) });
  };
  const admin = new AdminStore(engine, dataDir ? path.join(dataDir, DATA_FILES.admin) : undefined);
  const messages = new SubscribeMessages({ templates: options.subscribeTemplates });
  const shipping = new ShippingOrders({ appid: options.appid ?? DEFAULT_APPID, ...options.shipping });
  const standIns = new AlertStandIns(options.alertAccounts ?? generateAlertAccounts());
  const settings = {
    contextKeysMode: options.contextKeysMode ?? 'empty',
    propagateIdentity: options.propagateIdentity ?? true,
    timeoutScale: options.timeoutScale ?? 1,
    base64Bodies: options.base64Bodies ?? true,
  };
  const maxInstances = options.maxInstancesPerFunction ?? 10;
  const timerOffset = options.timerTimeZoneOffsetMinutes ?? 480;
  const logSink =
    typeof options.functionLogs === 'function'
      ? options.functionLogs
      : options.functionLogs === 'print'
        ? (fn: string, level: string, text: string) =>
            (level === 'error' || level === 'warn' ? console.error : console.log)(`[${fn}] ${text}`)
        : undefined;

  let host: FunctionHost | undefined;
  const requireHost = (): FunctionHost => {
    if (!host) throw new Error('emulator is starting');
    return host;
  };

  const invokeCallFunction = async (name: string, data: unknown, identity: Identity): Promise<JsonReply> => {
    const h = requireHost();
    if (!h.has(name)) {
      return {
        status: 404,
        body: {
          errCode: -404011,
          errMsg: `cloud.callFunction:fail requestID , cloud function service error code -501000, error message [ResourceNotFound.Function] FunctionName parameter could not be found: ${name}`,
        },
      };
    }
    const r = await h.invoke(name, {
      source: 'callFunction',
      event: callFunctionEvent(data, identity),
      identity,
    });
    if (r.ok)
      return {
        status: 200,
        body: { result: r.result, errMsg: 'cloud.callFunction:ok', requestID: r.requestId },
      };
    // Client view of a failed function (spec §6.2): -404011 wrapping the service code -504002.
    return {
      status: 502,
      body: {
        errCode: -404011,
        errMsg: `cloud.callFunction:fail requestID ${r.requestId}, cloud function service error code -504002, error message ${r.message}`,
        requestID: r.requestId,
      },
    };
  };

  const fire = async (
    functionName: string,
    trigger: string | undefined,
    at: Date,
  ): Promise<InvocationRecord> => {
    const h = requireHost();
    const spec = h.functionSpecs().find((f) => f.name === functionName);
    const t = spec?.triggers.find((x) => trigger === undefined || x.name === trigger);
    if (!spec || !t)
      throw new FunctionCallError(
        'TRIGGER_NOT_FOUND',
        `no timer trigger ${trigger ?? ''} on ${functionName}`,
      );
    const r = await h.invoke(functionName, {
      source: 'timer',
      event: timerEvent(t.name, at),
      trigger: t.name,
    });
    return h.invocations({ function: functionName }).find((x) => x.requestId === r.requestId)!;
  };

  const collectionHelper = (name: string): CollectionHelper => ({
    find: async (query = {}, o = {}) =>
      engine.find(name, reviveDates(query) as Query, { orderBy: o.orderBy, limit: o.limit }),
    get: async (id) => engine.find(name, { _id: id }, { limit: 1 })[0] ?? null,
    count: async (query = {}) => engine.count(name, reviveDates(query) as Query),
    insert: async (docs) => {
      engine.createCollection(name);
      const list = (Array.isArray(docs) ? docs : [docs]).map((d) => reviveDates(d) as Doc);
      return db.handle({ op: 'db.add', collection: name, docs: list }, 'control').ids;
    },
    put: async (docs) => {
      engine.createCollection(name);
      for (const d of Array.isArray(docs) ? docs : [docs]) {
        const { _id, ...data } = reviveDates(d) as Doc;
        if (typeof _id !== 'string' || _id === '') throw new Error('put() needs documents with a string _id');
        db.handle({ op: 'db.doc.set', collection: name, id: _id, data }, 'control');
      }
    },
  });

  const dbReply = (f: () => unknown): JsonReply => {
    try {
      return { status: 200, body: f() };
    } catch (e) {
      if (e instanceof DbError) {
        const status = e.code === 'DATABASE_COLLECTION_NOT_EXIST' ? 404 : 400;
        return { status, body: { error: e.code, message: e.message } };
      }
      throw e;
    }
  };

  const consoleDeps = {
    hub,
    proxy: new SandboxProxy(options.sandboxInfoFile),
    dir: options.consoleDir ?? path.join(repoRoot, 'scripts/console/dist'),
    instanceCounts: () => requireHost().instanceCounts(),
    grantsLeft: () => messages.grantsLeft(),
    replaceDocument: (collection: string, doc: Doc) => {
      const { _id, ...data } = reviveDates(doc) as Doc;
      db.handle({ op: 'db.doc.set', collection, id: _id as string, data }, 'control');
    },
  };

  let info: EmulatorInfo | undefined;
  const api: EmulatorApi = {
    console: (req, res, method, url, body) => handleConsole(consoleDeps, req, res, method, url, body),
    info: () => info,
    callFunction: (name, body, headers, remoteIp) => {
      if (body !== undefined && !isPlainObject(body)) {
        return Promise.resolve({
          status: 400,
          body: { errCode: -1, errMsg: 'body must be {"data": {...}}' },
        });
      }
      const identity: Identity = {
        openid: header(headers, 'x-wx-openid'),
        appid: header(headers, 'x-wx-appid') ?? options.appid ?? DEFAULT_APPID,
        unionid: header(headers, 'x-wx-unionid'),
        clientIp: header(headers, 'x-wx-client-ip') ?? remoteIp.replace(/^::ffff:/, ''),
      };
      return invokeCallFunction(name, (body as { data?: unknown } | undefined)?.data ?? {}, identity);
    },
    fireTrigger: async (fn, trigger) => {
      try {
        return { status: 200, body: { invocation: await fire(fn, trigger, new Date()) } };
      } catch (e) {
        if (e instanceof FunctionCallError) return { status: 404, body: { error: e.message } };
        throw e;
      }
    },
    listCollections: () => ({
      status: 200,
      body: { collections: engine.collectionNames().map((name) => ({ name, count: engine.size(name) })) },
    }),
    readCollection: (name, q) =>
      dbReply(() => {
        const where = q.get('where');
        const limit = q.get('limit');
        let query: Query = {};
        try {
          if (where) query = reviveDates(JSON.parse(where)) as Query;
        } catch {
          throw new DbError('INVALID_PARAM', 'where must be a JSON object');
        }
        const data = engine.find(name, query, limit ? { limit: Number(limit) } : {});
        return { collection: name, total: engine.count(name, query), data };
      }),
    seedCollection: (name, body) =>
      dbReply(() => {
        const raw = isPlainObject(body) && 'data' in body ? body.data : body;
        const docs = (Array.isArray(raw) ? raw : [raw]).map((d) => reviveDates(d) as Doc);
        const created = engine.createCollection(name);
        return {
          collection: name,
          created,
          ids: db.handle({ op: 'db.add', collection: name, docs }, 'control').ids,
        };
      }),
    messages: () => ({ status: 200, body: { messages: messages.messages() } }),
    grantSubscription: (body) => {
      const b = (isPlainObject(body) ? body : {}) as {
        openid?: unknown;
        templateId?: unknown;
        count?: unknown;
      };
      try {
        const remaining = messages.grant(
          String(b.openid ?? ''),
          String(b.templateId ?? ''),
          b.count === undefined ? 1 : Number(b.count),
        );
        hub.publish({ type: 'subscriptions' });
        return { status: 200, body: { openid: b.openid, templateId: b.templateId, remaining } };
      } catch (e) {
        return { status: 400, body: { error: (e as Error).message } };
      }
    },
    shippingOrders: () => ({ status: 200, body: { orders: shipping.list() } }),
    confirmReceipt: async (body) => {
      const b = (isPlainObject(body) ? body : {}) as { transactionId?: unknown; outTradeNo?: unknown };
      const key = {
        ...(typeof b.transactionId === 'string' ? { transactionId: b.transactionId } : {}),
        ...(typeof b.outTradeNo === 'string' ? { outTradeNo: b.outTradeNo } : {}),
      };
      try {
        return { status: 200, body: { order: await shipping.confirmReceipt(key) } };
      } catch (e) {
        return { status: 409, body: { error: (e as Error).message } };
      }
    },
    registerShippingPayment: (body) => {
      try {
        shipping.registerPayment(body as never);
        return { status: 200, body: { registered: true } };
      } catch (e) {
        return { status: 400, body: { error: (e as Error).message } };
      }
    },
    invocations: (q) => ({
      status: 200,
      body: {
        invocations: requireHost().invocations({
          function: q.get('function') ?? undefined,
          source: (q.get('source') as InvocationSource | null) ?? undefined,
        }),
      },
    }),
    clientDb: (collection, body, headers) =>
      clientDbRequest({ engine, db, rules: securityRules, revive: reviveDates }, collection, body, {
        openid: header(headers, 'x-wx-openid') || undefined,
      }),
    standIn: (method, urlPath, query, body) => standIns.handle(method, urlPath, query, body),
    httpAccess: async (req: HttpRequestData) => {
      const r = matchRoute(project.routes, req.path);
      const h = requireHost();
      if (!r || !h.has(r.function)) return undefined;
      const requestId = randomUUID();
      const event = toIntegrationEvent(req, {
        requestId,
        envId: project.envId,
        base64Bodies: settings.base64Bodies,
      });
      const result = await h.invoke(r.function, { source: 'http', event, requestId });
      if (result.ok) return fromIntegrationResult(result.result);
      return failureReply(result.requestId, result.message, result.outcome === 'timeout');
    },
    admin: (method, parts, body) => admin.reply(method, parts, body),
  };

  // Parses every cron now: a bad one fails the start, not a run later.
  let scheduler: TimerScheduler;
  try {
    scheduler = new TimerScheduler(
      project.functions.flatMap((f) =>
        f.triggers.map((t) => ({ functionName: f.name, triggerName: t.name, cron: t.config })),
      ),
      (t, at) => {
        fire(t.functionName, t.triggerName, at).catch((e: unknown) =>
          logSink?.(t.functionName, 'error', String(e)),
        );
      },
      options.timerClock ?? realClock,
      timerOffset,
    );
  } catch (e) {
    engine.close();
    lease.release();
    throw e;
  }
  const server = reservation.server;
  const bindHost = reservation.host;
  const port = reservation.port;
  const baseUrl = `http://${bindHost.includes(':') ? `[${bindHost}]` : bindHost}:${port}`;

  const makeInfo = (): EmulatorInfo =>
    buildInfo({
      baseUrl,
      project,
      dataDir,
      contextKeysMode: settings.contextKeysMode,
      base64Bodies: settings.base64Bodies,
      propagateIdentity: settings.propagateIdentity,
      timerOffsetMinutes: timerOffset,
      maxInstancesPerFunction: maxInstances,
      timeoutScale: settings.timeoutScale,
      collections: engine.collectionNames(),
      sandbox: options.sandboxInfoFile,
    });
  const writeInfo = () => {
    info = makeInfo();
    if (dataDir) writeFileSync(path.join(dataDir, DATA_FILES.info), `${JSON.stringify(info, null, 2)}\n`);
  };
  try {
    const urls: EmulatorUrls = {
      baseUrl,
      routes: Object.fromEntries(project.routes.map((r) => [r.path, `${baseUrl}${r.path}`])),
      functions: Object.fromEntries(project.functions.map((f) => [f.name, `${baseUrl}/functions/${f.name}`])),
    };
    const overrides =
      typeof options.envOverrides === 'function' ? options.envOverrides(urls) : (options.envOverrides ?? {});
    host = new FunctionHost({
      functions: project.functions.map((f) => ({
        ...f,
        env: { ...f.env, ...overrides, ...options.functionEnvOverrides?.[f.name] },
      })),
      envId: project.envId,
      runtime,
      maxInstancesPerFunction: maxInstances,
      settings,
      db,
      messages,
      shipping,
      baseEnv: {
        TENCENTCLOUD_RUNENV: 'SCF',
        TENCENTCLOUD_REGION: 'ap-shanghai',
        ...(process.env.PATH ? { PATH: process.env.PATH } : {}),
      },
      onLog: logSink ? (fn, level, text) => logSink(fn, level, text) : undefined,
      onInvocation: (r) =>
        hub.publish({ type: 'invocation', requestId: r.requestId, function: r.function, outcome: r.outcome }),
    });
    // A function whose variables exceed 4 KB fails every invocation; say so at start too (emulator.json, CLI).
    project.warnings.push(...host.startProblems());
    project.warnings.push(
      ...localOverrideNotices(
        project.functions,
        overrides,
        options.functionEnvOverrides,
        options.overridesLabel,
      ),
    );
    if (options.checkFunctionsAtStart) project.warnings.push(...(await host.checkLoad()));

    writeInfo();
    // Ready: the reserved server stops answering 503 and serves the emulator.
    server.removeAllListeners('request');
    server.on('request', emulatorRequestHandler(api, bindHost));
  } catch (e) {
    await host?.stop();
    engine.close();
    lease.release();
    throw e;
  }
  if (options.runTimers !== false) scheduler.start();

  let stopped: Promise<void> | undefined;
  const runningHost = host;
  return {
    baseUrl,
    get info() {
      return info!;
    },
    invoke: async (name, data = {}, identity = {}) =>
      (
        await invokeCallFunction(name, data, {
          appid: options.appid ?? DEFAULT_APPID,
          clientIp: '127.0.0.1',
          ...identity,
        })
      ).body as CallFunctionResponse,
    http: async (method, urlPath, body, headers = {}) => {
      const res = await fetch(`${baseUrl}${urlPath}`, {
        method,
        headers,
        body: body === undefined ? undefined : body,
      });
      return { status: res.status, headers: Object.fromEntries(res.headers), body: await res.text() };
    },
    fireTrigger: (fn, trigger) => fire(fn, trigger, new Date()),
    db: {
      collection: collectionHelper,
      createCollection: (name) => engine.createCollection(name),
      collections: () => engine.collectionNames(),
    },
    invocations: (filter) => runningHost.invocations(filter),
    messages: () => messages.messages(),
    grantSubscription: (openid, templateId, count = 1) => {
      const remaining = messages.grant(openid, templateId, count);
      hub.publish({ type: 'subscriptions' });
      return remaining;
    },
    instanceCounts: () => runningHost.instanceCounts(),
    shippingOrders: () => shipping.list(),
    confirmReceipt: (key) => shipping.confirmReceipt(key),
    shipping,
    alertStandIns: standIns,
    publishEvent: (event) => hub.publish(event),
    configure: (patch) => {
      for (const [k, v] of Object.entries(patch))
        if (v !== undefined) (settings as Record<string, unknown>)[k] = v;
      writeInfo();
    },
    stop: () => {
      stopped ??= (async () => {
        scheduler.stop();
        hub.close();
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
        await runningHost.stop();
        engine.close();
        lease.release();
        if (dataDir && existsSync(path.join(dataDir, DATA_FILES.info)))
          rmSync(path.join(dataDir, DATA_FILES.info));
        // Last: the data dir is free for the next start only once everything above is closed.
        await reservation.release();
      })();
      return stopped;
    },
  };
}
