/**
 * The HTTP wire of the alert channels (Feie printer, WeCom robot) and its only retry. A request that could
 * not be sent at all (connection refused, DNS failure) is retried once after RETRY_DELAY_MS: nothing
 * reached the server, so nothing can be duplicated. A timeout or a connection lost mid-request is NOT
 * retried here — its outcome is unknown, and whether to send again is the channel's rule (policy.ts), made
 * against the delivery log. Answers are returned as they are; the adapters read them.
 */

export interface HttpAnswer {
  status: number;
  text: string;
}

export type TransportFailureKind = 'timeout' | 'unreachable' | 'network';

export class AlertTransportError extends Error {
  override readonly name = 'AlertTransportError';
  constructor(
    readonly kind: TransportFailureKind,
    message: string,
  ) {
    super(message);
  }
}

export interface HttpRequest {
  url: string;
  body: string;
  contentType: 'application/x-www-form-urlencoded' | 'application/json';
  timeoutMs: number;
}

export type HttpPost = (req: HttpRequest) => Promise<HttpAnswer>;

export const RETRY_DELAY_MS = 200;
const NOT_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

async function postOnce(req: HttpRequest): Promise<HttpAnswer> {
  try {
    const res = await fetch(req.url, {
      method: 'POST',
      headers: { 'content-type': `${req.contentType}; charset=utf-8` },
      body: req.body,
      signal: AbortSignal.timeout(req.timeoutMs),
    });
    return { status: res.status, text: await res.text() };
  } catch (err) {
    const e = err as { name?: string; cause?: { code?: string } };
    if (e.name === 'TimeoutError' || e.name === 'AbortError')
      throw new AlertTransportError('timeout', `no answer within ${req.timeoutMs} ms`);
    const code = e.cause?.code ?? '';
    if (NOT_SENT.has(code)) throw new AlertTransportError('unreachable', `not sent (${code})`);
    throw new AlertTransportError('network', `connection failed${code ? ` (${code})` : ''}`);
  }
}

/** POST with a timeout; one retry only when the request provably never left. */
export const httpPost: HttpPost = async (req) => {
  try {
    return await postOnce(req);
  } catch (err) {
    if (!(err instanceof AlertTransportError) || err.kind !== 'unreachable') throw err;
    await new Promise((r) => setTimeout(r, RETRY_DELAY_MS));
    return postOnce(req);
  }
};
