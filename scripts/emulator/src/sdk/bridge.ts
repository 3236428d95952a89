// The contract between the instance worker (worker.ts) and the wx-server-sdk stand-in (wx-server-sdk.ts): two
// separate bundles that meet through one global. The worker installs the bridge before it loads the function;
// the stand-in looks it up on each call, so a function module that requires 'wx-server-sdk' at load time works.

import type { RpcError, RpcRequest, RpcResponse } from '../wire/rpc';

export const BRIDGE_KEY = Symbol.for('shouyin.emulator.bridge');

export interface Bridge {
  /** Sends one request to the emulator's main process; rejects with an RpcFailure. */
  call(req: RpcRequest): Promise<unknown>;
  /** The emulator's environment id (for ENV fallbacks and DYNAMIC_CURRENT_ENV). */
  readonly envId: string;
  /** The openapi names this function may call (config.json permissions.openapi), undefined = no list. */
  readonly openapiPermissions?: readonly string[];
}

/** What a bridge call rejects with. The worker and the stand-in are separate bundles, each with its own copy of
 * this class, so test for it with isRpcFailure, never instanceof. */
export class RpcFailure extends Error implements RpcError {
  override readonly name = 'RpcFailure';
  readonly rpcFailure = true;
  constructor(
    readonly code: string,
    message: string,
    readonly errCode?: number,
  ) {
    super(message);
  }
}

export function installBridge(bridge: Bridge): void {
  (globalThis as Record<symbol, unknown>)[BRIDGE_KEY] = bridge;
}

export function getBridge(): Bridge {
  const bridge = (globalThis as Record<symbol, unknown>)[BRIDGE_KEY] as Bridge | undefined;
  if (!bridge) {
    throw new Error(
      'wx-server-sdk (Shouyin emulator stand-in): no emulator bridge in this process; this module only works inside an emulator instance',
    );
  }
  return bridge;
}

export const isRpcFailure = (e: unknown): e is RpcFailure =>
  e instanceof Error &&
  (e as Partial<RpcFailure>).rpcFailure === true &&
  typeof (e as RpcFailure).code === 'string';

/** The value of an RpcResponse, or the RpcFailure it carries (thrown). */
export function unwrapResponse(res: RpcResponse): unknown {
  if (res.ok) return res.value;
  throw new RpcFailure(res.error.code, res.error.message, res.error.errCode);
}
