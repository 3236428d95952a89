// CloudBase HTTP access (CloudBase notes §5.1): an HTTP request becomes the integration-request event, and
// what the function returns becomes the HTTP response. Pure mapping, no I/O.
//
// Unconfirmed (spec §10 item 1): whether non-JSON bodies (e.g. WeChat Pay's text/xml notifications) arrive
// base64-encoded. Default here: yes — isBase64Encoded: true for every non-JSON body — so that the decode path
// of product code is exercised; switchable (base64Bodies: false sends them as UTF-8 text).
// Also unconfirmed: the exact rule that makes a returned object an integration response; here, an object with
// a numeric statusCode.

import type { IncomingHttpHeaders } from 'node:http';

export interface IntegrationEvent {
  path: string;
  httpMethod: string;
  headers: Record<string, string>;
  queryStringParameters: Record<string, string>;
  requestContext: { requestId: string; envId: string; appId: number; uin: number };
  body: string;
  isBase64Encoded: boolean;
}

export interface HttpRequestData {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

export interface HttpReply {
  statusCode: number;
  headers: Record<string, string>;
  body: Buffer;
}

export interface Route {
  path: string;
  function: string;
}

/** The route serving a path: exact match or a prefix ending at a segment boundary; the longest wins. */
export function matchRoute(routes: readonly Route[], path: string): Route | undefined {
  let best: Route | undefined;
  for (const r of routes) {
    const base = r.path.length > 1 ? r.path.replace(/\/+$/, '') : r.path;
    const hit = path === base || base === '/' || path.startsWith(`${base}/`);
    if (hit && (!best || base.length > best.path.length)) best = r;
  }
  return best;
}

const isJsonType = (contentType: string | undefined): boolean =>
  !!contentType && /^application\/([\w.+-]+\+)?json\b/i.test(contentType.trim());

export function toIntegrationEvent(
  req: HttpRequestData,
  opts: { requestId: string; envId: string; base64Bodies: boolean },
): IntegrationEvent {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) {
    if (v !== undefined) headers[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
  }
  const queryStringParameters: Record<string, string> = {};
  for (const [k, v] of req.query) queryStringParameters[k] = v;
  const encode = opts.base64Bodies && req.body.length > 0 && !isJsonType(headers['content-type']);
  return {
    path: req.path,
    httpMethod: req.method.toUpperCase(),
    headers,
    queryStringParameters,
    requestContext: { requestId: opts.requestId, envId: opts.envId, appId: 1250000000, uin: 100000000001 },
    body: encode ? req.body.toString('base64') : req.body.toString('utf8'),
    isBase64Encoded: encode,
  };
}

const TEXT = 'text/plain; charset=utf-8';
const JSON_TYPE = 'application/json; charset=utf-8';

/** Maps a function's (JSON-round-tripped) result to the HTTP reply (D-HTTP integration response). */
export function fromIntegrationResult(result: unknown): HttpReply {
  if (typeof result === 'string' || typeof result === 'number' || typeof result === 'boolean') {
    return { statusCode: 200, headers: { 'content-type': TEXT }, body: Buffer.from(String(result)) };
  }
  if (result !== null && typeof result === 'object' && !Array.isArray(result)) {
    const r = result as Record<string, unknown>;
    if (typeof r.statusCode === 'number') {
      const headers: Record<string, string> = {};
      if (r.headers !== null && typeof r.headers === 'object') {
        for (const [k, v] of Object.entries(r.headers as Record<string, unknown>)) {
          if (v !== undefined && v !== null) headers[k.toLowerCase()] = String(v);
        }
      }
      let body: Buffer;
      if (r.body === undefined || r.body === null) body = Buffer.alloc(0);
      else if (typeof r.body === 'string')
        body = Buffer.from(r.body, r.isBase64Encoded === true ? 'base64' : 'utf8');
      else {
        body = Buffer.from(JSON.stringify(r.body));
        headers['content-type'] ??= JSON_TYPE;
      }
      return { statusCode: r.statusCode, headers, body };
    }
  }
  return {
    statusCode: 200,
    headers: { 'content-type': JSON_TYPE },
    body: Buffer.from(JSON.stringify(result ?? null)),
  };
}

/** The reply when the function failed or timed out (the cloud's exact body is unconfirmed). */
export function failureReply(requestId: string, message: string, timeout: boolean): HttpReply {
  return {
    statusCode: 502,
    headers: { 'content-type': JSON_TYPE },
    body: Buffer.from(
      JSON.stringify({
        errorCode: timeout ? 'FUNCTIONS_TIME_LIMIT_EXCEEDED' : 'FUNCTIONS_EXECUTE_FAIL',
        errorMessage: message,
        requestId,
      }),
    ),
  };
}
