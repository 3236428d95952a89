// One instance: a worker thread running one function, one invocation at a time (CloudBase notes §8 items 1-2, 6).
// A timed-out invocation terminates its instance (the cloud's may keep running; ours is abandoned, spec §8.6),
// so a function can never keep running work unseen after its timeout.

import { Worker } from 'node:worker_threads';
import type { ContextData, FromWorker, ToWorker, WorkerInit } from '../../wire/messages';
import type { RpcRequest, RpcResponse } from '../../wire/rpc';
import type { FunctionSpec } from '../project';
import type { RuntimeFiles } from './runtime-files';

export type InvokeOutcome =
  | { kind: 'ok'; json: string }
  | { kind: 'error'; message: string; stack?: string }
  | { kind: 'timeout'; message: string }
  | { kind: 'crash'; message: string };

export interface InstanceHooks {
  onRpc(instance: Instance, id: number, invocationId: string | null, req: RpcRequest): void;
  onLog(instance: Instance, invocationId: string | null, level: string, text: string): void;
}

let instanceSeq = 0;

/** Limit on a cold start (loading the function module). */
export const LOAD_TIMEOUT_MS = 30_000;

export class Instance {
  readonly id: string;
  private readonly worker: Worker;
  private readonly ready: Promise<void>;
  private inFlight: { invocationId: string; settle: (o: InvokeOutcome) => void } | undefined;
  private dead = false;
  invocations = 0;

  constructor(
    readonly spec: FunctionSpec,
    runtime: RuntimeFiles,
    envId: string,
    baseEnv: Record<string, string>,
    private readonly hooks: InstanceHooks,
  ) {
    this.id = `${spec.name}#${++instanceSeq}`;
    const init: WorkerInit = {
      functionName: spec.name,
      functionDir: spec.dir,
      handler: spec.handler,
      sdkPath: runtime.sdkPath,
      envId,
      openapiPermissions: spec.openapiPermissions,
    };
    this.worker = new Worker(runtime.workerPath, {
      workerData: init,
      env: { ...baseEnv, ...spec.env },
      resourceLimits: { maxOldGenerationSizeMb: Math.max(64, spec.memoryMb) },
      stdout: false,
      stderr: false,
    });
    this.ready = new Promise((resolve, reject) => {
      // A module whose top-level code never finishes must not hold an invocation forever.
      const timer = setTimeout(
        () =>
          reject(
            new Error(
              `function ${spec.name} failed to load: initialisation timed out after ${LOAD_TIMEOUT_MS} ms`,
            ),
          ),
        LOAD_TIMEOUT_MS,
      );
      const onMessage = (msg: FromWorker) => {
        if (msg.type === 'ready' || msg.type === 'load-error') clearTimeout(timer);
        if (msg.type === 'ready') resolve();
        else if (msg.type === 'load-error')
          reject(new Error(`function ${spec.name} failed to load: ${msg.message}`));
      };
      this.worker.on('message', onMessage);
      this.worker.once('error', (e) =>
        reject(new Error(`function ${spec.name} failed to load: ${e.message}`)),
      );
      this.worker.once('exit', () =>
        reject(new Error(`function ${spec.name}: instance exited while loading`)),
      );
    });
    this.ready.catch(() => this.terminate());
    this.worker.on('message', (msg: FromWorker) => this.onMessage(msg));
    this.worker.on('error', (e) => this.die(`instance crashed: ${e.message}`));
    this.worker.on('exit', (code) => this.die(`instance exited with code ${code}`));
  }

  /** Resolves once the function module is loaded (the cold start); rejects on a load error. */
  start(): Promise<void> {
    return this.ready;
  }

  get alive(): boolean {
    return !this.dead;
  }

  /** The invocation running on this instance, if any (the main process's view: it ends with the result). */
  get runningInvocation(): string | undefined {
    return this.inFlight?.invocationId;
  }

  invoke(
    invocationId: string,
    event: unknown,
    context: ContextData,
    env: Record<string, string>,
    timeoutMs: number,
  ): Promise<InvokeOutcome> {
    if (this.dead) return Promise.resolve({ kind: 'crash', message: 'instance is not running' });
    if (this.inFlight) throw new Error(`instance ${this.id} is busy`);
    this.invocations++;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        const seconds = (timeoutMs / 1000).toFixed(2);
        settle({ kind: 'timeout', message: `Invoking task timed out after ${seconds} seconds` });
        this.terminate();
      }, timeoutMs);
      const settle = (o: InvokeOutcome) => {
        clearTimeout(timer);
        if (this.inFlight?.invocationId === invocationId) this.inFlight = undefined;
        resolve(o);
      };
      this.inFlight = { invocationId, settle };
      this.post({ type: 'invoke', invocationId, event, context, env });
    });
  }

  reply(id: number, response: RpcResponse): void {
    if (!this.dead) this.post({ type: 'rpc-result', id, response });
  }

  terminate(): Promise<void> {
    this.dead = true;
    return this.worker.terminate().then(() => undefined);
  }

  private post(msg: ToWorker): void {
    try {
      this.worker.postMessage(msg);
    } catch (e) {
      this.die(`cannot reach instance: ${(e as Error).message}`);
    }
  }

  private onMessage(msg: FromWorker): void {
    switch (msg.type) {
      case 'result':
        if (this.inFlight?.invocationId === msg.invocationId) {
          this.inFlight.settle(
            msg.ok
              ? { kind: 'ok', json: msg.json }
              : { kind: 'error', message: msg.message, stack: msg.stack },
          );
        }
        return;
      case 'rpc':
        this.hooks.onRpc(this, msg.id, msg.invocationId, msg.req);
        return;
      case 'log':
        this.hooks.onLog(this, msg.invocationId, msg.level, msg.text);
        return;
      default:
        return;
    }
  }

  private die(message: string): void {
    this.dead = true;
    this.inFlight?.settle({ kind: 'crash', message });
  }
}
