/**
 * The edges of a cloud function: who is calling, which action, and the shape of the answer.
 * - Callable functions answer `{ok: true, data}` or `{ok: false, error: {code, message}}` (api.ts). A
 *   ShouyinError whose code is in the public table is the caller's answer; anything else is logged and
 *   answered INTERNAL without details (DESIGN.md "Answers and errors").
 * - HTTP-triggered notification handlers answer an integration response carrying WeChat's XML (spec
 *   CloudBase notes §5.1); a failure of our own answers FAIL, so WeChat retries.
 */
import { type ApiAnswer, type ApiFailure, isErrorCode } from './api';
import { InputError, ShouyinError } from './errors';
import { createLogger, errorFields, type Logger } from './log';
import { notMiniProgramCall, unknownAction, userCallRefused } from './orders/failures';
import { notifyReplyXml } from './wxpay/notify';

/** The `data` a callFunction carried (the platform adds `userInfo`, which is never trusted). */
export type CallEvent = Record<string, unknown>;

export function answer<T>(
  handler: (event: CallEvent, context: unknown) => Promise<T>,
  log: Logger = createLogger(),
): (event: unknown, context?: unknown) => Promise<ApiAnswer<T>> {
  return async (event, context) => {
    try {
      if (typeof event !== 'object' || event === null || Array.isArray(event))
        throw new InputError('the call data must be an object');
      return { ok: true, data: await handler(event as CallEvent, context) };
    } catch (err) {
      return failure(err, log);
    }
  };
}

/** The answer for a thrown error: public codes pass through, everything else becomes INTERNAL. */
export function failure(err: unknown, log: Logger): ApiFailure {
  if (err instanceof ShouyinError && isErrorCode(err.code) && err.code !== 'INTERNAL') {
    log.info('call_refused', { code: err.code, message: err.message });
    return { ok: false, error: { code: err.code, message: err.message } };
  }
  log.error('call_failed', errorFields(err));
  return { ok: false, error: { code: 'INTERNAL', message: 'internal error' } };
}

/** Each action's use case: `(event, ctx) => result`, where ctx is what the function resolved first (e.g. the caller). */
export type ActionTable = Record<string, (event: CallEvent, ctx: never) => Promise<unknown>>;
export type ActionResult<T extends ActionTable> = Awaited<ReturnType<T[keyof T]>>;
export type ActionContext<T extends ActionTable> = Parameters<T[keyof T]>[1];

/** Routes `event.action` to its own use case (STYLE.md smell 3: no switch holding each action's logic). */
export function routeActions<T extends ActionTable>(
  table: T,
): (event: CallEvent, ctx: ActionContext<T>) => Promise<ActionResult<T>> {
  return async (event, ctx): Promise<ActionResult<T>> => {
    const { action } = event;
    if (typeof action !== 'string' || !Object.hasOwn(table, action)) throw unknownAction(String(action));
    const run = table[action] as (event: CallEvent, ctx: ActionContext<T>) => Promise<unknown>;
    return (await run(event, ctx)) as ActionResult<T>;
  };
}

/** `cloud.getWXContext()` as far as Shouyin reads it. */
export interface WxContextLike {
  OPENID?: unknown;
}

/** The mini-program user making this call; refused when there is none (CloudBase notes §2.2). */
export function callerOpenid(ctx: WxContextLike): string {
  if (typeof ctx.OPENID !== 'string' || ctx.OPENID === '') throw notMiniProgramCall();
  return ctx.OPENID;
}

/** What an invocation's deadline keeps back for the writes and the answer after its last outbound call. */
export const DEADLINE_RESERVE_MS = 1500;

/**
 * When this invocation's outbound calls must be over: now plus the function's time limit as the platform
 * passes it (`context.time_limit_in_ms`, a number or numeric string in CloudBase's event context), less
 * `reserveMs`. undefined when the context does not say (then only per-call timeouts apply).
 */
export function invocationDeadline(
  context: unknown,
  now: number,
  reserveMs = DEADLINE_RESERVE_MS,
): number | undefined {
  const raw = (context as { time_limit_in_ms?: unknown } | null | undefined)?.time_limit_in_ms;
  const limit = typeof raw === 'number' ? raw : typeof raw === 'string' ? Number(raw) : Number.NaN;
  if (!Number.isFinite(limit) || limit <= 0) return undefined;
  return now + limit - reserveMs;
}

/** For internal actions (timer, function-to-function): a mini-program user is refused. */
export function refuseUserCalls(ctx: WxContextLike): void {
  if (ctx.OPENID !== undefined && ctx.OPENID !== null && ctx.OPENID !== '') throw userCallRefused();
}

// ------------------------------------------------------------------------------------- HTTP access

/** The CloudBase HTTP access integration request (CloudBase notes §5.1). */
export interface HttpEvent {
  path?: string;
  httpMethod?: string;
  headers?: Record<string, string>;
  queryStringParameters?: Record<string, string>;
  body?: string | null;
  isBase64Encoded?: boolean;
}

export interface HttpResponse {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
  isBase64Encoded: false;
}

/** The raw request body: base64-decoded when the platform says so, else the text as UTF-8 (spec §5.1, §10.1). */
export function requestBody(event: unknown): Uint8Array {
  const e = (typeof event === 'object' && event !== null ? event : {}) as HttpEvent;
  if (typeof e.body !== 'string') return new Uint8Array(0);
  return e.isBase64Encoded === true ? Buffer.from(e.body, 'base64') : Buffer.from(e.body, 'utf8');
}

export function xmlResponse(xml: string, statusCode = 200): HttpResponse {
  return { statusCode, headers: { 'content-type': 'text/xml' }, body: xml, isBase64Encoded: false };
}

/** Wraps a notification handler: its XML becomes the integration response; a throw becomes FAIL. */
export function answerXml(
  handler: (event: HttpEvent) => Promise<string>,
  log: Logger = createLogger(),
): (event: unknown, context?: unknown) => Promise<HttpResponse> {
  return async (event) => {
    try {
      return xmlResponse(
        await handler((typeof event === 'object' && event !== null ? event : {}) as HttpEvent),
      );
    } catch (err) {
      log.error('notification_failed', errorFields(err));
      return xmlResponse(notifyReplyXml('FAIL', 'temporarily unavailable'));
    }
  };
}
