// Messages between the emulator's main process and an instance worker (worker.ts).

import type { RpcRequest, RpcResponse } from './rpc';

/** workerData of an instance. */
export interface WorkerInit {
  functionName: string;
  functionDir: string;
  /** "<file>.<export>", default "index.main". */
  handler: string;
  /** Absolute path of the built wx-server-sdk stand-in. */
  sdkPath: string;
  envId: string;
  openapiPermissions?: string[];
}

/** Plain-data part of the SCF context object (CloudBase notes §2.1); the worker adds the methods. */
export interface ContextData {
  request_id: string;
  function_name: string;
  function_version: string;
  namespace: string;
  memory_limit_in_mb: number;
  time_limit_in_ms: number;
  environ: string;
  environment: string;
  tencentcloud_region: string;
  tencentcloud_appid: string;
  tencentcloud_uin: string;
}

export type ToWorker =
  | {
      type: 'invoke';
      invocationId: string;
      event: unknown;
      context: ContextData;
      env: Record<string, string>;
    }
  | { type: 'rpc-result'; id: number; response: RpcResponse };

export type FromWorker =
  | { type: 'ready' }
  | { type: 'load-error'; message: string; stack?: string }
  | { type: 'result'; invocationId: string; ok: true; json: string }
  | { type: 'result'; invocationId: string; ok: false; message: string; stack?: string }
  | { type: 'rpc'; id: number; invocationId: string | null; req: RpcRequest }
  | { type: 'log'; invocationId: string | null; level: string; text: string };

/** SCF refuses results over 6 MB (spec §1.5, CLI bootstrap maxRetMsgLen). */
export const MAX_RESULT_BYTES = 6 * 1024 * 1024;
