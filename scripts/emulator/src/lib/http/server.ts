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
//   POST /client-db/<collection>        the mini-program's wx.cloud.database() as x-wx-openid, under the
//                                       security rules of cloudbase-db.json (db/security-rules.ts)
//   GET  /control/shipping/orders       wxa.sec.order stand-in: payments seen and their uploads
//   POST /control/shipping/confirm-receipt {"transactionId"|"outTradeNo"}: the buyer confirms receipt in WeChat
//   POST /control/shipping/payments     {"transactionId","mchId","outTradeNo","openid","paidAmount"}: a payment
//                                       WeChat knows (when no sandbox is wired)
//   …    /printer/feie/…, /wecom/robot/… the alert channels' stand-ins (lib/alerts/stand-ins.ts)
//   GET /events, /console/*, /sandbox/*, … the console's calls (console/routes.ts)
//   *    /admin/collections…            the management API (admin.ts): collections, indexes, rules, documents
//   any  <HTTP access path>             the routed function, integration request/response (spec §5.1)

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { loopbackRequestProblem } from '@shouyin/shared';
import { allowedMethods } from './control-paths';
import type { HttpReply, HttpRequestData } from './integration';

/** The sync event limit (spec §1.5): larger bodies are refused before reaching a function. */
export const MAX_BODY_BYTES = 6 * 1024 * 1024;

export interface JsonReply {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
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
  shippingOrders(): JsonReply;
  confirmReceipt(body: unknown): Promise<JsonReply>;
  registerShippingPayment(body: unknown): JsonReply;
  /** The alert channels' stand-ins (printer, robot): undefined when the path is not theirs. */
  standIn?(
    method: string,
    path: string,
    query: URLSearchParams,
    body: Buffer,
  ): { status: number; body: unknown; delayMs?: number } | undefined;
  /** undefined when no route serves the path. */
  httpAccess(req: HttpRequestData): Promise<HttpReply | undefined>;
  /** A mini-program's client-side database request (wx.cloud.database()) as the caller of x-wx-openid. */
  clientDb?(collection: string, body: unknown, headers: IncomingMessage['headers']): JsonReply;
  /** The console's calls (console/routes.ts), tried first: true when it answered. */
  console?(
    req: IncomingMessage,
    res: ServerResponse,
    method: string,
    url: URL,
    body: Buffer,
  ): Promise<boolean>;
  /** The management API under /admin (admin.ts); undefined when no admin call matches. */
  admin?(method: string, parts: string[], body: unknown): JsonReply | undefined;
}

/** Past the 6 MB limit the rest of a body is read and dropped (so the client gets the 413), up to this much. */
const MAX_DRAIN_BYTES = 64 * 1024 * 1024;

class BodyTooLarge extends Error {}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      // Over the limit: keep reading and dropping, so the answer is a 413 rather than a connection reset.
      if (size > MAX_BODY_BYTES) {
        chunks.length = 0;
        if (size > MAX_BODY_BYTES + MAX_DRAIN_BYTES) req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () =>
      size > MAX_BODY_BYTES ? reject(new BodyTooLarge()) : resolve(Buffer.concat(chunks)),
    );
    req.on('error', reject);
  });
}

function sendJson(res: ServerResponse, reply: JsonReply): void {
  const body = JSON.stringify(reply.body, null, 2);
  res.writeHead(reply.status, { 'content-type': 'application/json; charset=utf-8', ...reply.headers });
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

async function route(
  api: EmulatorApi,
  req: IncomingMessage,
  res: ServerResponse,
  bindHost: string | undefined,
): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://emulator.local');
  const method = (req.method ?? 'GET').toUpperCase();
  const parts = url.pathname.split('/').filter(Boolean);
  // Loopback only: no web page may drive the emulator (cross-site Origin) or reach it by a rebound DNS name.
  const refused = loopbackRequestProblem(req.headers, bindHost);
  if (refused) {
    req.resume();
    return sendJson(res, { status: 403, body: { error: `refused: ${refused}` } });
  }
  let body: Buffer;
  try {
    body = await readBody(req);
  } catch (e) {
    if (e instanceof BodyTooLarge)
      return sendJson(res, {
        status: 413,
        body: {
          error: `body larger than ${MAX_BODY_BYTES} bytes (6 MB, CloudBase's synchronous event limit)`,
        },
      });
    throw e;
  }
  const allow = allowedMethods(url.pathname);
  if (allow && !allow.includes(method))
    return sendJson(res, {
      status: 405,
      headers: { allow: allow.join(', ') },
      body: { error: `${method} ${url.pathname} is not allowed; use ${allow.join(' or ')}` },
    });
  const json = () => parseJson(body);
  const badJson = { status: 400, body: { errCode: -1, errMsg: 'request body is not valid JSON' } };

  if (api.console && (await api.console(req, res, method, url, body))) return;
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
  if (method === 'POST' && parts[0] === 'client-db' && parts.length === 2 && api.clientDb) {
    const j = json();
    if (!j.ok) return sendJson(res, badJson);
    return sendJson(res, api.clientDb(segment(parts[1]!), j.value, req.headers));
  }
  if (method === 'GET' && url.pathname === '/control/shipping/orders')
    return sendJson(res, api.shippingOrders());
  if (method === 'POST' && url.pathname === '/control/shipping/confirm-receipt') {
    const j = json();
    if (!j.ok) return sendJson(res, badJson);
    return sendJson(res, await api.confirmReceipt(j.value));
  }
  if (method === 'POST' && url.pathname === '/control/shipping/payments') {
    const j = json();
    if (!j.ok) return sendJson(res, badJson);
    return sendJson(res, api.registerShippingPayment(j.value));
  }

  const standIn = api.standIn?.(method, url.pathname, url.searchParams, body);
  if (standIn) {
    if (standIn.delayMs) await new Promise((r) => setTimeout(r, standIn.delayMs));
    return sendJson(res, standIn);
  }

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

/** The request listener (the server is created before the emulator is ready: see lib/reserve.ts). */
export function emulatorRequestHandler(
  api: EmulatorApi,
  bindHost?: string,
): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    route(api, req, res, bindHost).catch((e: unknown) => {
      if (!res.headersSent)
        sendJson(res, { status: 500, body: { error: (e as Error)?.message ?? String(e) } });
      else res.destroy();
    });
  };
}

export function createEmulatorServer(api: EmulatorApi, bindHost?: string): Server {
  return createServer(emulatorRequestHandler(api, bindHost));
}
