// The console reaches the WeChat Pay sandbox's control API through the emulator (same origin, plain HTTP on
// loopback): /sandbox/<route> is forwarded to the sandbox's HTTPS control URL, trusting the sandbox's CA.
// Only the routes the console uses are forwarded; GET /sandbox/info is never (it holds the merchants' API keys).

import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { request } from 'node:https';

/** METHOD /sandbox/<path> the proxy forwards. */
export const PROXIED_ROUTES = new Set([
  'GET /sandbox/clock',
  'POST /sandbox/clock/advance',
  'POST /sandbox/pay',
  'POST /sandbox/refunds/settle',
  'GET /sandbox/balances',
  'GET /sandbox/orders',
  'GET /sandbox/refunds',
  'GET /sandbox/notifications',
  'GET /sandbox/deliveries',
  'GET /sandbox/faults',
  'POST /sandbox/faults',
  'POST /sandbox/faults/clear',
  'POST /sandbox/idle',
]);

interface Target {
  controlUrl: string;
  ca: string;
}

export class SandboxProxy {
  private target: Target | undefined;

  /** `infoFile`: the sandbox's sandbox.json (read when first needed: the sandbox writes it before we start). */
  constructor(private readonly infoFile: string | undefined) {}

  get available(): boolean {
    return this.infoFile !== undefined;
  }

  private resolve(): Target {
    if (!this.target) {
      if (!this.infoFile) throw new Error('no sandbox');
      const info = JSON.parse(readFileSync(this.infoFile, 'utf8')) as {
        controlUrl?: string;
        caFile?: string;
      };
      if (!info.controlUrl || !info.caFile) throw new Error(`${this.infoFile} has no controlUrl/caFile`);
      this.target = { controlUrl: info.controlUrl, ca: readFileSync(info.caFile, 'utf8') };
    }
    return this.target;
  }

  /** Forwards the call; answers 404 for a route that is not forwarded. Resolves with the upstream status. */
  forward(method: string, url: URL, body: Buffer, res: ServerResponse): Promise<number> {
    const route = `${method} ${url.pathname.replace(/\/+$/, '')}`;
    if (!this.available || !PROXIED_ROUTES.has(route)) {
      const error = this.available ? `not forwarded to the sandbox: ${route}` : 'no WeChat Pay sandbox runs';
      res.writeHead(404, { 'content-type': 'application/json; charset=utf-8' });
      res.end(JSON.stringify({ error: { code: 'NOT_AVAILABLE', message: error } }));
      return Promise.resolve(404);
    }
    const t = this.resolve();
    const upstream = new URL(`${t.controlUrl.replace(/\/sandbox\/?$/, '')}${url.pathname}${url.search}`);
    return new Promise((resolve) => {
      const req = request(
        upstream,
        { method, ca: t.ca, headers: { 'content-type': 'application/json' } },
        (up: IncomingMessage) => {
          res.writeHead(up.statusCode ?? 502, { 'content-type': 'application/json; charset=utf-8' });
          up.pipe(res);
          up.on('end', () => resolve(up.statusCode ?? 502));
        },
      );
      req.on('error', (e) => {
        if (!res.headersSent) res.writeHead(502, { 'content-type': 'application/json; charset=utf-8' });
        res.end(JSON.stringify({ error: { code: 'SANDBOX_UNREACHABLE', message: e.message } }));
        resolve(502);
      });
      req.end(body.length > 0 ? body : undefined);
    });
  }
}
