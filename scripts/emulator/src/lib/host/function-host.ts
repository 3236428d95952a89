// The function host: runs invocations of the loaded functions in their instance pools, answers the instances'
// requests (database, cloud.callFunction, open APIs) and keeps the invocation log — function, source, duration,
// database requests, outcome, warnings — that tests and benchmarks read (GET /invocations).
// Requests made after their invocation ended are refused (after-return.ts), and a function whose variables
// exceed CloudBase's 4 KB does not start (env-limit.ts).

import { randomUUID } from 'node:crypto';
import type { DbService } from '../../db/service';
import type { FunctionCallAnswer, RpcRequest } from '../../wire/rpc';
import { redact, secretValues } from '../console/redact';
import type { ShippingOrders } from '../openapi/shipping';
import type { SubscribeMessages } from '../openapi/subscribe-message';
import type { FunctionSpec } from '../project';
import { lateRequestRefusal, lateRequestWarning } from './after-return';
import { envLimitError } from './env-limit';
import { Instance, type InvokeOutcome } from './instance';
import {
  type ContextKeysMode,
  contextData,
  type Identity,
  type InvocationSource,
  invocationEnv,
} from './invocation-env';
import { InstancePool } from './pool';
import { type Caller, FunctionCallError, handleRpc, type RpcServices } from './rpc';
import type { RuntimeFiles } from './runtime-files';
import { checkFunctionsLoad } from './start-check';

export type InvocationOutcome = 'running' | 'ok' | 'error' | 'timeout';

export interface InvocationRecord {
  requestId: string;
  function: string;
  source: InvocationSource;
  /** Timer trigger name, for source 'timer'. */
  trigger?: string;
  /** The invocation that called this one through cloud.callFunction. */
  parentId?: string;
  startedAt: string;
  durationMs: number;
  /** Database requests this invocation made (each SDK call that is one request to the cloud counts 1). */
  dbRequests: number;
  outcome: InvocationOutcome;
  error?: string;
  coldStart: boolean;
  instanceId?: string;
  /** The function's console output during the invocation (capped). */
  logs: string[];
  /** What the emulator flagged, e.g. an SDK request made after main returned (refused). */
  warnings: string[];
  /** The answer as JSON (first 8000 characters; secret variable values redacted), when the call returned. */
  answer?: string;
}

export type InvocationResult =
  | { requestId: string; ok: true; result: unknown; json: string }
  | { requestId: string; ok: false; outcome: 'error' | 'timeout'; message: string };

export interface InvokeRequest {
  source: InvocationSource;
  event: unknown;
  identity?: Identity;
  trigger?: string;
  caller?: Caller;
  /** Use this request id (the HTTP access event carries it); generated otherwise. */
  requestId?: string;
}

/** Settings that may change while the emulator runs (tests flip them between cases). */
export interface HostSettings {
  contextKeysMode: ContextKeysMode;
  /** cloud.callFunction carries the caller's WX identity over (unconfirmed, spec §2.2). */
  propagateIdentity: boolean;
  timeoutScale: number;
}

export interface HostOptions {
  functions: FunctionSpec[];
  envId: string;
  runtime: RuntimeFiles;
  maxInstancesPerFunction: number;
  settings: HostSettings;
  db: DbService;
  messages: SubscribeMessages;
  shipping?: ShippingOrders;
  /** Variables every instance starts with, before the function's own. */
  baseEnv: Record<string, string>;
  onLog?: (functionName: string, level: string, text: string, requestId: string | null) => void;
  maxRecords?: number;
  /** Called when an invocation starts and when it ends (the console's event stream). */
  onInvocation?: (record: InvocationRecord) => void;
}

/** cloud.callFunction callers see at most 1 MB of result (spec §1.5, -604001). */
const MAX_SDK_RESULT_BYTES = 1024 * 1024;
const MAX_LOG_LINES = 200;
const MAX_ANSWER_CHARS = 8000;

export class FunctionHost {
  private readonly specs = new Map<string, FunctionSpec>();
  private readonly pools = new Map<string, InstancePool>();
  private readonly records: InvocationRecord[] = [];
  private readonly byId = new Map<string, { record: InvocationRecord; env: Record<string, string> }>();
  private readonly services: RpcServices;
  /** Functions that cannot start, and why (their environment variables exceed 4 KB). */
  private readonly startErrors = new Map<string, string>();

  constructor(private readonly opts: HostOptions) {
    for (const spec of opts.functions) {
      this.specs.set(spec.name, spec);
      const envError = envLimitError(spec.name, spec.env);
      if (envError) this.startErrors.set(spec.name, envError);
      this.pools.set(
        spec.name,
        new InstancePool(
          opts.maxInstancesPerFunction,
          () =>
            new Instance(spec, opts.runtime, opts.envId, this.instanceEnv(spec), {
              onRpc: (instance, id, invocationId, req) => this.onRpc(instance, id, invocationId, req),
              onLog: (instance, invocationId, level, text) => this.onLog(instance, invocationId, level, text),
            }),
        ),
      );
    }
    this.services = {
      db: opts.db,
      messages: opts.messages,
      shipping: opts.shipping,
      countDbRequest: (id) => {
        const live = this.byId.get(id);
        if (live) live.record.dbRequests++;
      },
      callFunction: (name, data, caller) => this.callFromFunction(name, data, caller),
    };
  }

  has(name: string): boolean {
    return this.specs.has(name);
  }

  functionSpecs(): FunctionSpec[] {
    return [...this.specs.values()];
  }

  /** Why functions cannot start (every invocation of them fails with this message). */
  startProblems(): string[] {
    return [...this.startErrors.values()];
  }

  /** Cold-loads every function once in a throwaway instance: why each that fails cannot start (start-check.ts). */
  checkLoad(): Promise<string[]> {
    return checkFunctionsLoad(
      [...this.specs.values()],
      (spec) =>
        new Instance(spec, this.opts.runtime, this.opts.envId, this.instanceEnv(spec), {
          onRpc: (instance, id, invocationId, req) => this.onRpc(instance, id, invocationId, req),
          onLog: () => {},
        }),
      new Set(this.startErrors.keys()),
    );
  }

  /** Number of running instances per function (for inspection). */
  instanceCounts(): Record<string, number> {
    return Object.fromEntries([...this.pools].map(([n, p]) => [n, p.size]));
  }

  invocations(filter: { function?: string; source?: InvocationSource } = {}): InvocationRecord[] {
    return this.records
      .filter(
        (r) =>
          (!filter.function || r.function === filter.function) &&
          (!filter.source || r.source === filter.source),
      )
      .map((r) => structuredClone(r));
  }

  async invoke(name: string, req: InvokeRequest): Promise<InvocationResult> {
    const spec = this.specs.get(name);
    const pool = this.pools.get(name);
    if (!spec || !pool)
      throw new FunctionCallError(
        'FUNCTION_NOT_FOUND',
        `[ResourceNotFound.Function] function ${name} not found`,
      );
    const { settings, envId } = this.opts;
    const requestId = req.requestId ?? randomUUID();
    const env = invocationEnv({
      source: req.source,
      envId,
      mode: settings.contextKeysMode,
      identity: req.identity,
      callerEnv: req.caller ? this.byId.get(req.caller.invocationId)?.env : undefined,
      propagateIdentity: settings.propagateIdentity,
    });
    const record: InvocationRecord = {
      requestId,
      function: name,
      source: req.source,
      ...(req.trigger ? { trigger: req.trigger } : {}),
      ...(req.caller ? { parentId: req.caller.invocationId } : {}),
      startedAt: new Date().toISOString(),
      durationMs: 0,
      dbRequests: 0,
      outcome: 'running',
      coldStart: false,
      logs: [],
      warnings: [],
    };
    this.remember(record, env);
    this.opts.onInvocation?.(record);
    const t0 = performance.now();
    let outcome: InvokeOutcome;
    try {
      const startError = this.startErrors.get(name);
      if (startError) throw new Error(startError);
      const lease = await pool.acquire();
      record.coldStart = lease.cold;
      record.instanceId = lease.instance.id;
      const timeoutMs = Math.max(1, Math.round(spec.timeoutMs * settings.timeoutScale));
      const context = contextData({
        requestId,
        functionName: name,
        envId,
        memoryMb: spec.memoryMb,
        timeoutMs,
        env,
      });
      try {
        outcome = await lease.instance.invoke(requestId, req.event, context, env, timeoutMs);
      } finally {
        pool.release(lease.instance);
      }
    } catch (e) {
      outcome = { kind: 'error', message: (e as Error).message };
    }
    this.opts.db.transactions.discardOwnedBy(requestId);
    record.durationMs = Math.round((performance.now() - t0) * 100) / 100;
    if (outcome.kind === 'ok') {
      record.outcome = 'ok';
      record.answer = redact(outcome.json.slice(0, MAX_ANSWER_CHARS), secretValues(spec.env));
      this.opts.onInvocation?.(record);
      return { requestId, ok: true, result: JSON.parse(outcome.json), json: outcome.json };
    }
    record.outcome = outcome.kind === 'timeout' ? 'timeout' : 'error';
    record.error = outcome.message;
    this.opts.onInvocation?.(record);
    return { requestId, ok: false, outcome: record.outcome, message: outcome.message };
  }

  async stop(): Promise<void> {
    await Promise.all([...this.pools.values()].map((p) => p.stop()));
  }

  private instanceEnv(spec: FunctionSpec): Record<string, string> {
    return {
      ...this.opts.baseEnv,
      SCF_FUNCTIONNAME: spec.name,
      SCF_FUNCTIONVERSION: '$LATEST',
      SCF_MEMORY_SIZE: String(spec.memoryMb),
      SCF_FUNCTION_TIMEOUT: String(Math.round(spec.timeoutMs / 1000)),
    };
  }

  private remember(record: InvocationRecord, env: Record<string, string>): void {
    this.records.push(record);
    this.byId.set(record.requestId, { record, env });
    const max = this.opts.maxRecords ?? 10_000;
    while (this.records.length > max) {
      const old = this.records.shift()!;
      this.byId.delete(old.requestId);
    }
  }

  private async callFromFunction(name: string, data: unknown, caller: Caller): Promise<FunctionCallAnswer> {
    const r = await this.invoke(name, { source: 'function', event: data, caller });
    if (!r.ok)
      throw new FunctionCallError(
        'FUNCTIONS_EXECUTE_FAIL',
        `requestID ${r.requestId}, ${r.message}`,
        -504002,
      );
    if (Buffer.byteLength(r.json) > MAX_SDK_RESULT_BYTES) {
      throw new FunctionCallError('FUNCTIONS_RESULT_SIZE_EXCEED', `requestID ${r.requestId}`, -604001);
    }
    return { result: r.result, requestId: r.requestId };
  }

  private onRpc(instance: Instance, id: number, invocationId: string | null, req: RpcRequest): void {
    // null = made while the module loaded, before any invocation (the cloud lets initialisation finish).
    if (invocationId !== null && invocationId !== instance.runningInvocation) {
      this.refuseLate(instance, id, invocationId, req);
      return;
    }
    const caller: Caller = { invocationId: invocationId ?? 'unknown', functionName: instance.spec.name };
    void handleRpc(req, caller, this.services).then((res) => instance.reply(id, res));
  }

  /** A request made after its invocation ended: in the cloud the instance would be frozen (after-return.ts). */
  private refuseLate(instance: Instance, id: number, invocationId: string, req: RpcRequest): void {
    const name = instance.spec.name;
    const warning = lateRequestWarning(name, invocationId, req);
    const live = this.byId.get(invocationId);
    if (live && live.record.warnings.length < MAX_LOG_LINES) live.record.warnings.push(warning);
    this.opts.onLog?.(name, 'warn', warning, invocationId);
    instance.reply(id, lateRequestRefusal(name, invocationId));
  }

  private onLog(instance: Instance, invocationId: string | null, level: string, text: string): void {
    const live = invocationId ? this.byId.get(invocationId) : undefined;
    if (live && live.record.logs.length < MAX_LOG_LINES) {
      const line = redact(text, secretValues(instance.spec.env));
      live.record.logs.push(`${level}: ${line.length > 2000 ? `${line.slice(0, 2000)}…` : line}`);
    }
    this.opts.onLog?.(instance.spec.name, level, text, invocationId);
  }
}
