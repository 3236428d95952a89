/**
 * The HTTPS front: one port for the merchant APIs and the control API. The client certificate is
 * requested on every connection but checked per path (requestCert, rejectUnauthorized:false), so
 * /pay/* works without one while /secapi/* answers as WeChat's nginx does (spec §9 pitfall 10):
 * no certificate → 400 "No required SSL certificate was sent"; one not issued by the sandbox CA to a
 * known merchant (or issued to another merchant than the request's mch_id) → 400 "The SSL certificate error".
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import type { SandboxControl } from './control';
import { handleControl } from './control-http';
import { ENDPOINTS } from './endpoints';
import { type GatewayDeps, handleApi } from './gateway';
import { CERT_ERROR, NO_CERT, send, sendNginx } from './http';
import type { SandboxInfo } from './types';

export interface ServerDeps {
  gateway: GatewayDeps;
  control: SandboxControl;
  info: () => SandboxInfo;
  /** Client-certificate SHA-256 fingerprint → mch_id. */
  certIndex: ReadonlyMap<string, string>;
  log: (line: string) => void;
}

export interface ServerTls {
  key: string;
  cert: string;
  ca: string;
}

export function createServer(tls: ServerTls, deps: ServerDeps): https.Server {
  const server = https.createServer(
    {
      key: tls.key,
      cert: tls.cert,
      ca: [tls.ca],
      requestCert: true,
      rejectUnauthorized: false,
      minVersion: 'TLSv1.2',
    },
    (req, res) => {
      route(deps, req, res).catch((err: unknown) => {
        deps.log(`internal error: ${err instanceof Error ? err.message : String(err)}`);
        send(res, 500, 'text/plain', 'internal sandbox error');
      });
    },
  );
  server.on('tlsClientError', () => {}); // a client that hangs up mid-handshake is not our problem
  return server;
}

async function route(deps: ServerDeps, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const path = new URL(req.url ?? '/', 'https://sandbox.invalid').pathname;
  if (path === '/sandbox' || path.startsWith('/sandbox/'))
    return handleControl(deps.control, deps.info, req, res);
  const endpoint = ENDPOINTS.get(path);
  if (!endpoint) {
    req.resume();
    return sendNginx(res, 404, 'Not Found');
  }
  let certMchId: string | undefined;
  if (endpoint.needsCert) {
    const socket = req.socket as TLSSocket;
    const peer = socket.getPeerCertificate();
    if (!peer || Object.keys(peer).length === 0) {
      req.resume();
      return sendNginx(res, 400, 'Bad Request', NO_CERT);
    }
    certMchId = socket.authorized ? deps.certIndex.get(peer.fingerprint256) : undefined;
    if (!certMchId) {
      req.resume();
      return sendNginx(res, 400, 'Bad Request', CERT_ERROR);
    }
  }
  await handleApi(deps.gateway, endpoint, req, res, certMchId);
}

export function listen(server: https.Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

export function close(server: https.Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
