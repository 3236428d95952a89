// Requests an instance makes after its invocation ended. In the cloud an instance is frozen once main returns
// (CloudBase notes §2.1: one invocation at a time; §8), so work a function leaves behind — a database call it
// did not await, a timer — is not served then; it may run, fail or time out on a later thaw. The emulator
// never serves it: the call is refused with an error that says why, and the invocation gets a warning.

import type { RpcRequest, RpcResponse } from '../../wire/rpc';

/** Backend code of the refusal (not one of the cloud's: the SDK stand-in maps it to -501001). */
export const INVOCATION_ENDED = 'INVOCATION_ENDED';

/** What the request was, in the SDK's terms (no data: values may be secrets or personal data). */
export function describeRequest(req: RpcRequest): string {
  if (req.op === 'function.call') return `cloud.callFunction({name: '${req.name}'})`;
  if (req.op === 'openapi.call') return `cloud.openapi.${req.api}`;
  const collection = 'collection' in req ? ` on collection '${req.collection}'` : '';
  return `database request ${req.op.slice(3)}${collection}`;
}

/** The answer the late request gets (the function sees it as the SDK call's error). */
export function lateRequestRefusal(functionName: string, invocationId: string): RpcResponse {
  return {
    ok: false,
    error: {
      code: INVOCATION_ENDED,
      message:
        `invocation ${invocationId} of function ${functionName} had already ended (main returned) when this ` +
        'request was made; in the cloud the instance would be frozen and the request not served ' +
        '(await every SDK call before main returns)',
    },
  };
}

/** The warning recorded on the invocation and written to the function log. */
export function lateRequestWarning(functionName: string, invocationId: string, req: RpcRequest): string {
  return (
    `function ${functionName}: ${describeRequest(req)} was made after invocation ${invocationId} had ended ` +
    '(main returned) and was refused; in the cloud the instance is frozen once main returns, so it would not ' +
    'be served. Await every SDK call before returning.'
  );
}
