// The emulator's HTTP server: callFunction, timer firing and the control/inspection calls, then the HTTP access
// routes of cloudbase-routes.json. Routing only: each call is delegated to the EmulatorApi.
//
//   GET  /                              emulator.json
//   POST /functions/<name>              {"data": …} + x-wx-openid, x-wx-appid, x-wx-unionid, x-wx-client-ip
//   POST /triggers/<function>/<trigger> fire a timer trigger now (answers when the run is over)
//   GET  /db                            collections and their sizes
//   GET  /db/<collection>               documents (?limit=N, ?where=<JSON query>)
//   POST /db/<collection>               insert a document or an array of documents (seed)
//   GET  /messages                      subscribe messages sent
//   POST /control/subscriptions         {"openid","templateId","count"}: grant one-shot subscriptions
//   GET  /invocations                   the invocation log (?function=, ?source=)
//   *    /admin/collections…            the management API (admin.ts): collections, indexes, rules, documents
//   any  <HTTP access path>             the routed function, integration request/response (spec §5.1)

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { HttpReply, HttpRequestData } from './integration';

/** The sync event limit (spec §1.5): larger bodies are refused before reaching a function. */
export const MAX_BODY_BYTES = 6 * 1024 * 1024;

export interface JsonReply {
  status: number;
  body: unknown;
}

export interface EmulatorApi {
  info(): unknown;
  callFunction(
    name: string,
    body: unknown,
    headers: IncomingMessage['headers'],
    remoteIp: string,
  ): Promise<JsonReply>;
  fireTrigger(functionName: string, trigger: string): Promise<JsonReply>;
  listCollections(): JsonReply;
  readCollection(name: string, query: URLSearchParams): JsonReply;
  seedCollection(name: string, body: unknown): JsonReply;
  messages(): JsonReply;
  grantSubscription(body: unknown): JsonReply;
  invocations(query: URLSearchParams): JsonReply;
  /** undefined when no route serves the path. */
  httpAccess(req: HttpRequestData): Promise<HttpReply | undefined>;
  /** The management API under /admin (admin.ts); undefined when no admin call matches. */
  admin?(method: string, parts: string[], body: unknown): JsonReply | undefined;
}

class BodyTooLarge extends Error {}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY_BYTES) {
        reject(new BodyTooLarge());
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function sendJson(res: ServerResponse, reply: JsonReply): void {
  const body = JSON.stringify(reply.body, null, 2);
  res.writeHead(reply.status, { 'content-type': 'application/json; charset=utf-8' });
  res.end(body);
}

function parseJson(buf: Buffer): { ok: true; value: unknown } | { ok: false } {
  if (buf.length === 0) return { ok: true, value: undefined };
  try {
    return { ok: true, value: JSON.parse(buf.toString('utf8')) };
  } catch {
    return { ok: false };
  }
}

const segment = (s: string): string => decodeURIComponent(s);

async function route(api: EmulatorApi, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://emulator.local');
  const method = (req.method ?? 'GET').toUpperCase();
  const parts = url.pathname.split('/').filter(Boolean);
  let body: Buffer;
  try {
    body = await readBody(req);
  } catch (e) {
    if (e instanceof BodyTooLarge)
      return sendJson(res, { status: 413, body: { error: 'body larger than 6 MB' } });
    throw e;
  }
  const json = () => parseJson(body);
  const badJson = { status: 400, body: { errCode: -1, errMsg: 'request body is not valid JSON' } };

  if (method === 'GET' && url.pathname === '/') return sendJson(res, { status: 200, body: api.info() });
  if (method === 'POST' && parts[0] === 'functions' && parts.length === 2) {
    const j = json();
    if (!j.ok) return sendJson(res, badJson);
    return sendJson(
      res,
      await api.callFunction(segment(parts[1]!), j.value, req.headers, req.socket.remoteAddress ?? ''),
    );
  }
  if (method === 'POST' && parts[0] === 'triggers' && parts.length === 3) {
    return sendJson(res, await api.fireTrigger(segment(parts[1]!), segment(parts[2]!)));
  }
  if (parts[0] === 'db' && parts.length <= 2) {
    if (method === 'GET' && parts.length === 1) return sendJson(res, api.listCollections());
    if (method === 'GET') return sendJson(res, api.readCollection(segment(parts[1]!), url.searchParams));
    if (method === 'POST' && parts.length === 2) {
      const j = json();
      if (!j.ok) return sendJson(res, badJson);
      return sendJson(res, api.seedCollection(segment(parts[1]!), j.value));
    }
  }
  if (method === 'GET' && url.pathname === '/messages') return sendJson(res, api.messages());
  if (method === 'POST' && url.pathname === '/control/subscriptions') {
    const j = json();
    if (!j.ok) return sendJson(res, badJson);
    return sendJson(res, api.grantSubscription(j.value));
  }
  if (method === 'GET' && url.pathname === '/invocations')
    return sendJson(res, api.invocations(url.searchParams));

  if (parts[0] === 'admin' && api.admin) {
    const j = json();
    if (!j.ok) return sendJson(res, badJson);
    const r = api.admin(method, parts, j.value);
    if (r) return sendJson(res, r);
  }

  const reply = await api.httpAccess({
    method,
    path: url.pathname,
    query: url.searchParams,
    headers: req.headers,
    body,
  });
  if (!reply)
    return sendJson(res, {
      status: 404,
      body: { error: `no function or control call at ${method} ${url.pathname}` },
    });
  res.writeHead(reply.statusCode, reply.headers);
  res.end(reply.body);
}

export function createEmulatorServer(api: EmulatorApi): Server {
  return createServer((req, res) => {
    route(api, req, res).catch((e: unknown) => {
      if (!res.headersSent)
        sendJson(res, { status: 500, body: { error: (e as Error)?.message ?? String(e) } });
      else res.destroy();
    });
  });
}
