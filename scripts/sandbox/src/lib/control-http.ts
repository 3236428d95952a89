/**
 * The control API over HTTP: JSON under /sandbox/ on the sandbox's own port (HTTPS, no client
 * certificate needed). Each route calls one SandboxControl method; docs/sandbox.md lists them.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { InputError, loopbackRequestProblem, NotFoundError, ShouyinError } from '@shouyin/shared';
import type { ListFilter, SandboxControl } from './control';
import { ENDPOINTS } from './endpoints';
import type { FaultSpec } from './faults';
import { readBody, send } from './http';
import type { SandboxInfo } from './types';

type Handler = (c: SandboxControl, body: Record<string, unknown>, query: ListFilter) => Promise<unknown>;

const ROUTES: Record<string, Handler> = {
  'GET /sandbox/clock': (c) => c.clock(),
  'POST /sandbox/clock/advance': (c, b) => c.advanceClock(b.ms as number),
  'POST /sandbox/pay': (c, b) => c.pay(b),
  'POST /sandbox/refunds/settle': (c, b) => c.settleRefund(b),
  'POST /sandbox/refunds/vendor': (c, b) => c.vendorRefund(b as never),
  'GET /sandbox/balances': (c) => c.balances(),
  'POST /sandbox/balances': (c, b) => c.setBalance(b),
  'GET /sandbox/orders': (c, _b, q) => c.listOrders(q),
  'GET /sandbox/refunds': (c, _b, q) => c.listRefunds(q),
  'GET /sandbox/notifications': (c, _b, q) => c.listNotifications(q),
  'GET /sandbox/deliveries': (c, _b, q) => c.listDeliveries(q),
  'POST /sandbox/reset': (c) => c.reset().then(() => ({ ok: true })),
  'GET /sandbox/faults': (c) => c.listFaults(),
  'POST /sandbox/faults': (c, b) => c.injectFault(b as unknown as FaultSpec),
  'DELETE /sandbox/faults': (c) => c.clearFaults().then(() => ({ ok: true })),
  'POST /sandbox/faults/clear': (c) => c.clearFaults().then(() => ({ ok: true })),
  'POST /sandbox/idle': (c) => c.idle().then(() => ({ ok: true })),
};

/** The control API's body limit (bodies are small JSON objects). */
const MAX_CONTROL_BODY = 64 * 1024;

/** Methods each control path answers (the routes above and GET /sandbox, GET /sandbox/info). */
function methodsOf(path: string): string[] {
  const fixed = path === '/sandbox' || path === '/sandbox/info' ? ['GET'] : [];
  const routed = Object.keys(ROUTES)
    .filter((k) => k.slice(k.indexOf(' ') + 1) === path)
    .map((k) => k.slice(0, k.indexOf(' ')));
  return [...fixed, ...routed];
}

/** GET /sandbox: what the printed control URL answers — every endpoint, no secrets (those are in /info). */
function index(info: SandboxInfo): unknown {
  const routes = ['GET /sandbox', 'GET /sandbox/info', ...Object.keys(ROUTES)];
  return {
    name: 'shouyin-wxpay-v2-sandbox',
    baseUrl: info.baseUrl,
    caFile: info.caFile,
    control: routes.map((r) => {
      const [method, p] = r.split(' ') as [string, string];
      return `${method} ${info.baseUrl}${p}`;
    }),
    merchantApi: [...ENDPOINTS.values()].map(
      (e) => `POST ${info.baseUrl}${e.path}${e.needsCert ? ' (client certificate)' : ''}`,
    ),
    docs: 'docs/sandbox.md',
  };
}

const FILTER_KEYS = ['mchId', 'outTradeNo', 'outRefundNo', 'kind', 'notificationId'] as const;

export async function handleControl(
  control: SandboxControl,
  info: () => SandboxInfo,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const url = new URL(req.url ?? '/', 'https://sandbox.invalid');
  const path = url.pathname.replace(/\/+$/, '');
  const json = (status: number, v: unknown) =>
    send(res, status, 'application/json; charset=utf-8', JSON.stringify(v));
  // Loopback only: no web page may pay orders or read keys here (cross-site Origin, DNS-rebound Host).
  const refused = loopbackRequestProblem(req.headers);
  if (refused) {
    req.resume();
    return json(403, { error: { code: 'NOT_LOOPBACK', message: `refused: ${refused}` } });
  }
  try {
    const raw = await readBody(req, MAX_CONTROL_BODY);
    if (raw === undefined)
      return json(413, {
        error: { code: 'BODY_TOO_LARGE', message: `body larger than ${MAX_CONTROL_BODY} bytes` },
      });
    if (req.method === 'GET' && path === '/sandbox') return json(200, index(info()));
    if (req.method === 'GET' && path === '/sandbox/info') return json(200, info());
    const handler = ROUTES[`${req.method} ${path}`];
    if (!handler) {
      const allow = methodsOf(path);
      if (allow.length > 0) {
        res.setHeader('Allow', allow.join(', '));
        return json(405, {
          error: { code: 'METHOD_NOT_ALLOWED', message: `${req.method} ${path}: use ${allow.join(' or ')}` },
        });
      }
      throw new NotFoundError(`no control route ${req.method} ${path}`, 'NO_ROUTE');
    }
    let body: Record<string, unknown> = {};
    if (raw.length > 0) {
      try {
        body = JSON.parse(raw.toString('utf8')) as Record<string, unknown>;
      } catch {
        throw new InputError('body is not JSON');
      }
      if (typeof body !== 'object' || body === null || Array.isArray(body))
        throw new InputError('body must be a JSON object');
    }
    const query: ListFilter = {};
    for (const k of FILTER_KEYS) {
      const v = url.searchParams.get(k);
      if (v) (query as Record<string, string>)[k] = v;
    }
    json(200, await handler(control, body, query));
  } catch (err) {
    const status =
      err instanceof InputError
        ? 400
        : err instanceof NotFoundError
          ? 404
          : err instanceof ShouyinError
            ? 409
            : 500;
    const code = err instanceof ShouyinError ? err.code : 'INTERNAL';
    json(status, { error: { code, message: err instanceof Error ? err.message : String(err) } });
  }
}
