// Entry of an emulator instance: one worker thread running one cloud function, one invocation at a time, keeping
// its module state between warm calls (CloudBase notes §2.1, §8 items 1-3).
//  - `require('wx-server-sdk')` from the function resolves to the stand-in (module resolution hooked here, as the
//    Firebase emulator does; the function bundle is loaded unchanged);
//  - the per-invocation environment (WX_CONTEXT_KEYS, WX_OPENID, ...) is written into process.env before each
//    call and removed after it; the function's static variables stay;
//  - console output is forwarded to the main process, tagged with the invocation;
//  - every SDK request carries the invocation whose code made it (an AsyncLocalStorage follows promises and
//    timers), and is sent one macrotask later: work a function leaves behind when main returns (a call it did
//    not await, a timer) reaches the main process after the invocation's result, and is refused there, since
//    in the cloud the instance is frozen once main returns (CloudBase notes §2.1, §8).
// Worker threads cannot chdir, so process.cwd() is the emulator's, not the function folder (use __dirname).

import { AsyncLocalStorage } from 'node:async_hooks';
import Module, { createRequire } from 'node:module';
import path from 'node:path';
import { format } from 'node:util';
import { parentPort, workerData } from 'node:worker_threads';
import { installBridge, RpcFailure } from './sdk/bridge';
import type { ContextData, FromWorker, ToWorker, WorkerInit } from './wire/messages';
import { MAX_RESULT_BYTES } from './wire/messages';
import type { RpcResponse } from './wire/rpc';

const init = workerData as WorkerInit;
const port = parentPort!;
const post = (msg: FromWorker) => port.postMessage(msg);

let current: string | null = null;
let last: string | null = null;
let rpcSeq = 0;
const pending = new Map<number, (res: RpcResponse) => void>();
/** The invocation whose code is running (follows promise continuations and timers it created). */
const origin = new AsyncLocalStorage<string>();

installBridge({
  envId: init.envId,
  openapiPermissions: init.openapiPermissions,
  call(req) {
    const id = ++rpcSeq;
    return new Promise((resolve, reject) => {
      pending.set(id, (res) => {
        if (res.ok) resolve(res.value);
        else reject(new RpcFailure(res.error.code, res.error.message, res.error.errCode));
      });
      // One macrotask later, so that the result of an invocation whose main returned without awaiting this
      // call reaches the main process first. The request names the invocation that made it: the one whose
      // async context this is, else the running one (module-level timers), else the last one; null only
      // before the first invocation (module initialisation, which the cloud lets finish).
      setImmediate(() => post({ type: 'rpc', id, invocationId: origin.getStore() ?? current ?? last, req }));
    });
  },
});

// Resolve wx-server-sdk to the stand-in, whatever the function folder has installed.
type ResolveFilename = (request: string, ...rest: unknown[]) => string;
const moduleInternals = Module as unknown as { _resolveFilename: ResolveFilename };
const originalResolve = moduleInternals._resolveFilename;
moduleInternals._resolveFilename = function (this: unknown, request: string, ...rest: unknown[]) {
  if (request === 'wx-server-sdk') return init.sdkPath;
  return originalResolve.call(this, request, ...rest);
};

for (const level of ['log', 'info', 'warn', 'error', 'debug'] as const) {
  console[level] = (...args: unknown[]) =>
    post({ type: 'log', invocationId: current, level, text: format(...args) });
}

type Handler = (
  event: unknown,
  context: unknown,
  callback: (err: unknown, data?: unknown) => void,
) => unknown;

function loadHandler(): Handler {
  const dot = init.handler.lastIndexOf('.');
  const file = dot > 0 ? init.handler.slice(0, dot) : 'index';
  const name = dot > 0 ? init.handler.slice(dot + 1) : 'main';
  const requireFromFunction = createRequire(path.join(init.functionDir, 'index.js'));
  const mod = requireFromFunction(path.resolve(init.functionDir, file)) as Record<string, unknown>;
  const fn = mod[name];
  if (typeof fn !== 'function')
    throw new Error(`handler ${init.handler}: ${name} is not a function exported by ${file}`);
  return fn as Handler;
}

class NonErrorFailure {
  constructor(readonly value: unknown) {}
}

/** Calls the handler the way the SCF bootstrap does: a thenable's outcome, or the callback, or the return value. */
function callHandler(fn: Handler, event: unknown, context: Record<string, unknown>): Promise<unknown> {
  return new Promise((resolve, reject) => {
    let settled = false;
    const ok = (v: unknown) => {
      if (!settled) {
        settled = true;
        resolve(v);
      }
    };
    const fail = (e: unknown) => {
      if (!settled) {
        settled = true;
        reject(e instanceof Error ? e : new NonErrorFailure(e));
      }
    };
    const callback = (err: unknown, data?: unknown) =>
      err !== undefined && err !== null ? fail(err) : ok(data);
    context.done = callback;
    context.succeed = (data: unknown) => ok(data);
    context.fail = (err: unknown) => fail(err);
    let ret: unknown;
    try {
      ret = fn(event, context, callback);
    } catch (e) {
      fail(e);
      return;
    }
    if (ret !== null && typeof ret === 'object' && typeof (ret as PromiseLike<unknown>).then === 'function') {
      (ret as PromiseLike<unknown>).then(ok, fail);
    } else if (fn.length < 3) {
      ok(ret);
    }
  });
}

function contextObject(data: ContextData): Record<string, unknown> {
  let waits = true;
  return {
    ...data,
    get callbackWaitsForEmptyEventLoop() {
      return waits;
    },
    set callbackWaitsForEmptyEventLoop(v: boolean) {
      waits = v;
    },
    getContext() {
      return data;
    },
  };
}

async function invoke(handler: Handler, msg: Extract<ToWorker, { type: 'invoke' }>): Promise<void> {
  current = msg.invocationId;
  last = msg.invocationId;
  const saved = new Map<string, string | undefined>();
  for (const [k, v] of Object.entries(msg.env)) {
    saved.set(k, process.env[k]);
    process.env[k] = v;
  }
  try {
    const value = await origin.run(msg.invocationId, () =>
      callHandler(handler, msg.event, contextObject(msg.context)),
    );
    let json: string | undefined;
    try {
      // Result = JSON.stringify(value === undefined ? null : value) (spec §2.3).
      json = JSON.stringify(value === undefined ? null : value);
    } catch {
      throw new Error('stringify response to json failed');
    }
    json ??= 'null';
    if (Buffer.byteLength(json) > MAX_RESULT_BYTES) throw new Error('response size exceeds the 6MB limit');
    post({ type: 'result', invocationId: msg.invocationId, ok: true, json });
  } catch (e) {
    const message =
      e instanceof NonErrorFailure
        ? `${String(e.value)}(callback err is not instance of Error)`
        : (e as Error).message || String(e);
    post({ type: 'result', invocationId: msg.invocationId, ok: false, message, stack: (e as Error).stack });
  } finally {
    for (const [k, v] of saved) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    current = null;
  }
}

let handler: Handler | undefined;
try {
  handler = loadHandler();
  post({ type: 'ready' });
} catch (e) {
  post({ type: 'load-error', message: (e as Error).message ?? String(e), stack: (e as Error).stack });
}

port.on('message', (msg: ToWorker) => {
  if (msg.type === 'rpc-result') {
    const resolve = pending.get(msg.id);
    pending.delete(msg.id);
    resolve?.(msg.response);
  } else if (msg.type === 'invoke' && handler) {
    void invoke(handler, msg);
  }
});
