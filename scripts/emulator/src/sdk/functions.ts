// cloud.callFunction (CloudBase notes §3.3): { result, errMsg: 'callFunction:ok', requestID } or an Error with
// errCode -504002 ("callFunction:fail -504002 functions execute fail. requestID <id>, <message>").

import type { FunctionCallAnswer } from '../wire/rpc';
import type { Bridge } from './bridge';
import { localError, toSDKError } from './errors';

export interface CallFunctionOptions {
  name: string;
  data?: Record<string, unknown>;
  config?: { env?: unknown };
  slow?: boolean;
}

export interface CallFunctionResult {
  result: unknown;
  errMsg: string;
  requestID: string;
}

export async function callFunction(
  getBridge: () => Bridge,
  options: CallFunctionOptions,
): Promise<CallFunctionResult> {
  const api = 'callFunction';
  if (!options || typeof options.name !== 'string' || options.name === '') {
    throw localError(api, 'Type of param name must be string');
  }
  if (options.data !== undefined && (options.data === null || typeof options.data !== 'object')) {
    throw localError(api, 'Type of param data must be object');
  }
  let answer: FunctionCallAnswer;
  try {
    answer = (await getBridge().call({
      op: 'function.call',
      name: options.name,
      data: options.data ?? {},
    })) as FunctionCallAnswer;
  } catch (e) {
    throw toSDKError(api, e);
  }
  let result = answer.result;
  // A string result is JSON-parsed when it can be (WSS; NSDK functions/index.ts).
  if (typeof result === 'string') {
    try {
      result = JSON.parse(result);
    } catch {
      // keep the string
    }
  }
  return { result, errMsg: 'callFunction:ok', requestID: answer.requestId };
}
