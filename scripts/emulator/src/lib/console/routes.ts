// The console's HTTP calls, served by the emulator next to its own (server.ts hands every request here first):
//
//   GET  /  (Accept: text/html)        the console page (other clients still get emulator.json)
//   GET  /console/<file>               its script and style sheet
//   GET  /events                       server-sent events (event-hub.ts)
//   GET  /instances                    running instances per function
//   GET  /subscriptions                one-shot subscription grants left per (openid, template)
//   PUT  /db/<products|merchants>/<id> replace one document (the only collections the console may edit)
//   any  /sandbox/<route>              the WeChat Pay sandbox's control API (sandbox-proxy.ts)

import type { IncomingMessage, ServerResponse } from 'node:http';
import { editProblem } from './editable';
import type { EventHub } from './event-hub';
import type { SandboxProxy } from './sandbox-proxy';
import { serveConsoleFile } from './static-files';

/** Collections the console may change; everything else (orders, refunds, alerts: money) is read-only. */
export const EDITABLE_COLLECTIONS = ['products', 'merchants'] as const;

export interface ConsoleDeps {
  hub: EventHub;
  proxy: SandboxProxy;
  /** The built console (scripts/console/dist). */
  dir: string;
  instanceCounts(): Record<string, number>;
  grantsLeft(): Array<{ openid: string; templateId: string; remaining: number }>;
  /** Replaces (or creates) one document; throws the database's error. */
  replaceDocument(collection: string, doc: Record<string, unknown>): void;
}

function json(res: ServerResponse, status: number, body: unknown): true {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify(body, null, 2));
  return true;
}

const wantsHtml = (req: IncomingMessage): boolean => (req.headers.accept ?? '').includes('text/html');

const LOOPBACK_HOST = /^(127\.\d{1,3}\.\d{1,3}\.\d{1,3}|localhost|\[::1\])(:\d+)?$/i;

/**
 * Loopback only, also against a web page elsewhere in the same browser: the Host must be a loopback name (a
 * DNS-rebound hostile name is refused) and a state-changing call from a page must come from this origin (a
 * cross-site form post is refused). Clients that send no Origin (curl, scripts) are not pages.
 */
function refusal(req: IncomingMessage, method: string): string | undefined {
  const host = req.headers.host ?? '';
  if (!LOOPBACK_HOST.test(host)) return `the console answers loopback hosts only, not ${host}`;
  const origin = req.headers.origin;
  if (method !== 'GET' && origin !== undefined && origin !== `http://${host}`)
    return `cross-origin ${method} refused (origin ${origin})`;
  return undefined;
}

/** true when the request was a console call (and has been answered). */
export async function handleConsole(
  deps: ConsoleDeps,
  req: IncomingMessage,
  res: ServerResponse,
  method: string,
  url: URL,
  body: Buffer,
): Promise<boolean> {
  const parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
  const isConsoleCall =
    (url.pathname === '/' && wantsHtml(req)) ||
    ['console', 'events', 'instances', 'subscriptions', 'sandbox'].includes(parts[0] ?? '') ||
    (method === 'PUT' && parts[0] === 'db');
  if (!isConsoleCall) return false;
  const refused = refusal(req, method);
  if (refused) return json(res, 403, { error: 'FORBIDDEN', message: refused });
  if (method === 'GET' && url.pathname === '/' && wantsHtml(req))
    return serveConsoleFile(deps.dir, 'index.html', res);
  if (method === 'GET' && parts[0] === 'console' && parts.length === 2)
    return serveConsoleFile(deps.dir, parts[1]!, res);
  if (method === 'GET' && url.pathname === '/events') {
    deps.hub.subscribe(res);
    return true;
  }
  if (method === 'GET' && url.pathname === '/instances')
    return json(res, 200, { instances: deps.instanceCounts() });
  if (method === 'GET' && url.pathname === '/subscriptions')
    return json(res, 200, { grants: deps.grantsLeft() });
  if (method === 'PUT' && parts[0] === 'db' && parts.length === 3)
    return putDocument(deps, res, parts[1]!, parts[2]!, body);
  if (parts[0] === 'sandbox') {
    const status = await deps.proxy.forward(method, url, body, res);
    if (method === 'POST' && status < 300)
      deps.hub.publish({ type: 'sandbox', what: url.pathname.slice('/sandbox/'.length) });
    return true;
  }
  return false;
}

function putDocument(
  deps: ConsoleDeps,
  res: ServerResponse,
  collection: string,
  id: string,
  body: Buffer,
): true {
  if (!(EDITABLE_COLLECTIONS as readonly string[]).includes(collection))
    return json(res, 403, {
      error: 'READ_ONLY',
      message: `${collection} is read-only in the console (only ${EDITABLE_COLLECTIONS.join(', ')} can be edited)`,
    });
  let doc: unknown;
  try {
    doc = JSON.parse(body.toString('utf8'));
  } catch {
    return json(res, 400, { error: 'INVALID_PARAM', message: 'body is not JSON' });
  }
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc))
    return json(res, 400, { error: 'INVALID_PARAM', message: 'body must be a JSON object' });
  const d = doc as Record<string, unknown>;
  if (d._id !== undefined && d._id !== id)
    return json(res, 400, { error: 'INVALID_PARAM', message: '_id of the body differs from the URL' });
  const problem = editProblem(collection, d);
  if (problem) return json(res, 400, { error: 'INVALID_PARAM', message: problem });
  try {
    deps.replaceDocument(collection, { ...d, _id: id });
  } catch (e) {
    return json(res, 400, { error: 'INVALID_PARAM', message: (e as Error).message });
  }
  return json(res, 200, { collection, id, replaced: true });
}
