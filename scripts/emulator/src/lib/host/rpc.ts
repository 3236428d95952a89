// Answers the requests instances send (wire/rpc.ts) in the main process: database requests against the DbService,
// cloud.callFunction through the function host, open-API calls against the local WeChat stand-ins.
// Every database request is counted against the invocation that made it (the dbRequests of its log record).

import { DbError } from '../../db/errors';
import type { DbService } from '../../db/service';
import type { FunctionCallAnswer, RpcRequest, RpcResponse } from '../../wire/rpc';
import type { ShippingOrders } from '../openapi/shipping';
import { type SubscribeMessages, WeChatApiError } from '../openapi/subscribe-message';

/** The invocation a request comes from. */
export interface Caller {
  invocationId: string;
  functionName: string;
}

/** Thrown by callFunction implementations to give the caller the cloud's error code. */
export class FunctionCallError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly errCode?: number,
  ) {
    super(message);
  }
}

export interface RpcServices {
  db: DbService;
  messages: SubscribeMessages;
  /** wxa.sec.order.* (shipping-info management); absent = not emulated (-604100). */
  shipping?: ShippingOrders;
  callFunction(name: string, data: unknown, caller: Caller): Promise<FunctionCallAnswer>;
  countDbRequest(invocationId: string): void;
}

export async function handleRpc(
  req: RpcRequest,
  caller: Caller,
  services: RpcServices,
): Promise<RpcResponse> {
  try {
    if (req.op.startsWith('db.')) {
      services.countDbRequest(caller.invocationId);
      return {
        ok: true,
        value: services.db.handle(req as Extract<RpcRequest, { op: `db.${string}` }>, caller.invocationId),
      };
    }
    if (req.op === 'function.call') {
      return { ok: true, value: await services.callFunction(req.name, req.data, caller) };
    }
    if (req.op === 'openapi.call' && req.api.startsWith('wxa.sec.order.') && services.shipping) {
      return {
        ok: true,
        value: await services.shipping.call(req.api, req.data, { function: caller.functionName }),
      };
    }
    if (req.op === 'openapi.call') {
      if (req.api !== 'subscribeMessage.send') {
        return {
          ok: false,
          error: { code: 'OPENAPI', errCode: -604100, message: `API not found: ${req.api} is not emulated` },
        };
      }
      services.messages.send(req.data, { function: caller.functionName, invocationId: caller.invocationId });
      return { ok: true, value: { errcode: 0, errmsg: 'ok' } };
    }
    return {
      ok: false,
      error: { code: 'INVALID_PARAM', message: `unknown request ${(req as { op: string }).op}` },
    };
  } catch (e) {
    if (e instanceof DbError) return { ok: false, error: { code: e.code, message: e.message } };
    if (e instanceof WeChatApiError)
      return { ok: false, error: { code: 'OPENAPI', errCode: e.errcode, message: e.errmsg } };
    if (e instanceof FunctionCallError)
      return { ok: false, error: { code: e.code, message: e.message, errCode: e.errCode } };
    return { ok: false, error: { code: 'SYS_ERR', message: (e as Error)?.message ?? String(e) } };
  }
}
