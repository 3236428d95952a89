import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, WxPayCertificateError, WxPayTransportError } from '../errors';
import {
  createTestPki,
  refusedPort,
  startTestServer,
  type TestPki,
  type TestServer,
  toP12,
} from './test-certs';
import { checkCertificate, closeTransportAgents, postXml } from './transport';

const MCH_ID = '1900000109';
const XML = '<xml><return_code><![CDATA[SUCCESS]]></return_code></xml>';
const NO_CERT_PAGE =
  '<html>\r\n<head><title>400 No required SSL certificate was sent</title></head>\r\n<body>\r\n<center><h1>400 Bad Request</h1></center>\r\n' +
  '<center>No required SSL certificate was sent</center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n';
const BAD_CERT_PAGE =
  '<html>\r\n<head><title>400 The SSL certificate error</title></head>\r\n<body>\r\n<center><h1>400 Bad Request</h1></center>\r\n' +
  '<center>The SSL certificate error</center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n';

let pki: TestPki;
let server: TestServer;
const hangs: Array<() => void> = [];

beforeAll(async () => {
  pki = createTestPki(MCH_ID);
  server = await startTestServer(pki, (req, res) => {
    // WeChat's front: /secapi/ needs a client certificate issued to the merchant; checked per path.
    if (req.path.startsWith('/secapi/')) {
      if (!req.presentedCert)
        return void res.writeHead(400, { 'Content-Type': 'text/html' }).end(NO_CERT_PAGE);
      if (!req.authorized) return void res.writeHead(400, { 'Content-Type': 'text/html' }).end(BAD_CERT_PAGE);
    }
    switch (req.path) {
      case '/hang':
        hangs.push(() => res.end(XML));
        return;
      case '/reset':
        res.socket?.destroy();
        return;
      case '/503':
        return void res.writeHead(503).end('<html>busy</html>');
      case '/404':
        return void res.writeHead(404).end('not found');
      case '/big':
        return void res.end('x'.repeat(5000));
      default:
        res.writeHead(200, { 'Content-Type': 'text/plain' }); // WeChat's Content-Type is unreliable (spec §1.4)
        res.end(XML);
    }
  });
});

afterAll(async () => {
  for (const h of hangs) h();
  closeTransportAgents();
  await server.close();
});

const opts = () => ({ timeoutMs: 5000, ca: pki.ca.cert });

describe('postXml', () => {
  it('posts the exact bytes as text/xml; charset=utf-8 and returns status and body', async () => {
    const body = '<xml><body><![CDATA[收银台-测试]]></body></xml>';
    const res = await postXml(`${server.baseUrl}/pay/orderquery`, body, opts());
    expect(res.status).toBe(200);
    expect(res.body.toString('utf8')).toBe(XML);
    const rec = server.requests.at(-1)!;
    expect(rec.method).toBe('POST');
    expect(rec.headers['content-type']).toBe('text/xml; charset=utf-8');
    expect(rec.body.equals(Buffer.from(body, 'utf8'))).toBe(true);
  });

  it('reuses one keep-alive connection per (CA, certificate)', async () => {
    closeTransportAgents();
    const before = server.connections();
    for (let i = 0; i < 3; i++) await postXml(`${server.baseUrl}/pay/orderquery`, XML, opts());
    expect(server.connections() - before).toBe(1);
  });

  it('refuses a non-https URL', async () => {
    await expect(postXml(`http://127.0.0.1:${server.port}/x`, XML, opts())).rejects.toBeInstanceOf(
      ConfigError,
    );
  });

  describe('the merchant certificate on /secapi/', () => {
    it('HTTP 400 "No required SSL certificate was sent" → WxPayCertificateError', async () => {
      const err = await postXml(`${server.baseUrl}/secapi/pay/refund`, XML, opts()).catch((e) => e);
      expect(err).toBeInstanceOf(WxPayCertificateError);
      expect(err.message).toContain('No required SSL certificate was sent');
      expect(err.retryable).toBe(false);
    });

    it('HTTP 400 "The SSL certificate error" (another CA) → WxPayCertificateError', async () => {
      const certificate = { kind: 'pem' as const, ...pki.foreignClient };
      const err = await postXml(`${server.baseUrl}/secapi/pay/refund`, XML, { ...opts(), certificate }).catch(
        (e) => e,
      );
      expect(err).toBeInstanceOf(WxPayCertificateError);
      expect(err.message).toContain('The SSL certificate error');
    });

    it('accepts the PEM pair', async () => {
      const res = await postXml(`${server.baseUrl}/secapi/pay/refund`, XML, {
        ...opts(),
        certificate: { kind: 'pem', ...pki.client },
      });
      expect(res.status).toBe(200);
      expect(server.requests.at(-1)!.authorized).toBe(true);
    });

    it.each(['aes256', '3des'] as const)('accepts a .p12 (%s) with password = mch_id', async (algorithm) => {
      const certificate = {
        kind: 'p12' as const,
        pfx: toP12(pki.client, MCH_ID, algorithm),
        passphrase: MCH_ID,
      };
      const res = await postXml(`${server.baseUrl}/secapi/pay/refund`, XML, { ...opts(), certificate });
      expect(res.status).toBe(200);
      expect(server.requests.at(-1)!.authorized).toBe(true);
    });

    it('a legacy RC2-40 .p12 fails on Node 20 / OpenSSL 3 with an error naming the PEM alternative', async () => {
      const certificate = {
        kind: 'p12' as const,
        pfx: toP12(pki.client, MCH_ID, 'rc2-40'),
        passphrase: MCH_ID,
      };
      const before = server.requests.length;
      const err = await postXml(`${server.baseUrl}/secapi/pay/refund`, XML, { ...opts(), certificate }).catch(
        (e) => e,
      );
      expect(err).toBeInstanceOf(WxPayCertificateError);
      expect(err.message).toMatch(/legacy encryption/);
      expect(err.message).toContain('apiclient_key.pem');
      expect(err.message).toContain('WXPAY_CERT_PATH');
      expect(server.requests.length).toBe(before); // nothing was sent
      expect(() => checkCertificate(certificate)).toThrow(WxPayCertificateError);
    });

    it('a wrong .p12 password names the mch_id rule', () => {
      const certificate = {
        kind: 'p12' as const,
        pfx: toP12(pki.client, MCH_ID, 'aes256'),
        passphrase: '1234567890',
      };
      expect(() => checkCertificate(certificate)).toThrow(/password is the mch_id/);
    });

    it('a certificate and key that do not belong together', () => {
      expect(() => checkCertificate({ kind: 'pem', cert: pki.client.cert, key: pki.server.key })).toThrow(
        /do not belong together/,
      );
      expect(() => checkCertificate({ kind: 'pem', cert: 'nope', key: 'nope' })).toThrow(
        WxPayCertificateError,
      );
    });

    it('a TLS "certificate required" alert (a server that enforces client certificates) → WxPayCertificateError', async () => {
      // WeChat's nginx answers at HTTP level (above); a server that enforces mTLS in the handshake alerts instead.
      // (Measured: a Node server refusing an untrusted certificate under TLS 1.3 just closes the socket, which
      // the client can only see as a reset → WxPayTransportError 'unknown'; not asserted here.)
      const strict = await startTestServer(pki, (_req, res) => void res.end(XML), {
        rejectUnauthorized: true,
      });
      try {
        const err = await postXml(`${strict.baseUrl}/secapi/pay/refund`, XML, opts()).catch((e) => e);
        expect(err).toBeInstanceOf(WxPayCertificateError);
        expect(err.message).toMatch(/requires the merchant API certificate/);
        expect(strict.requests).toHaveLength(0);
      } finally {
        await strict.close();
      }
    });
  });

  describe('classification of failures', () => {
    it('connection refused → delivered "no"', async () => {
      const port = await refusedPort();
      const err = await postXml(`https://127.0.0.1:${port}/pay/orderquery`, XML, opts()).catch((e) => e);
      expect(err).toBeInstanceOf(WxPayTransportError);
      expect(err.delivered).toBe('no');
      expect(err.code).toBe('WXPAY_CONNECT');
    });

    it('DNS failure → delivered "no"', async () => {
      const err = await postXml('https://shouyin-test.invalid/pay/orderquery', XML, opts()).catch((e) => e);
      expect(err).toBeInstanceOf(WxPayTransportError);
      expect(err.delivered).toBe('no');
    });

    it('an untrusted server certificate (TLS handshake failure) → delivered "no"', async () => {
      const err = await postXml(`${server.baseUrl}/pay/orderquery`, XML, { timeoutMs: 5000 }).catch((e) => e);
      expect(err).toBeInstanceOf(WxPayTransportError);
      expect(err.delivered).toBe('no');
      expect(err.code).toBe('WXPAY_TLS');
    });

    it('no TLS handshake within the timeout → delivered "no" (connect timeout)', async () => {
      const sockets: net.Socket[] = [];
      const silent = net.createServer((s) => void sockets.push(s));
      await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
      const port = (silent.address() as net.AddressInfo).port;
      try {
        const err = await postXml(`https://127.0.0.1:${port}/pay/orderquery`, XML, {
          ...opts(),
          timeoutMs: 200,
        }).catch((e) => e);
        expect(err).toBeInstanceOf(WxPayTransportError);
        expect(err.delivered).toBe('no');
        expect(err.code).toBe('WXPAY_CONNECT_TIMEOUT');
      } finally {
        for (const s of sockets) s.destroy();
        await new Promise<void>((r) => silent.close(() => r()));
      }
    });

    it('no answer within the timeout after sending → delivered "unknown"', async () => {
      const err = await postXml(`${server.baseUrl}/hang`, XML, { ...opts(), timeoutMs: 200 }).catch((e) => e);
      expect(err).toBeInstanceOf(WxPayTransportError);
      expect(err.delivered).toBe('unknown');
      expect(err.code).toBe('WXPAY_TIMEOUT');
      expect(server.requests.at(-1)!.path).toBe('/hang'); // it was in fact delivered
    });

    it('a socket reset after sending → delivered "unknown"', async () => {
      const err = await postXml(`${server.baseUrl}/reset`, XML, opts()).catch((e) => e);
      expect(err).toBeInstanceOf(WxPayTransportError);
      expect(err.delivered).toBe('unknown');
    });

    it('HTTP 5xx → delivered "unknown" with the status; other statuses too', async () => {
      const e503 = await postXml(`${server.baseUrl}/503`, XML, opts()).catch((e) => e);
      expect(e503).toBeInstanceOf(WxPayTransportError);
      expect(e503.delivered).toBe('unknown');
      expect(e503.httpStatus).toBe(503);
      expect(e503.code).toBe('WXPAY_HTTP_5XX');
      const e404 = await postXml(`${server.baseUrl}/404`, XML, opts()).catch((e) => e);
      expect(e404.httpStatus).toBe(404);
      expect(e404.code).toBe('WXPAY_HTTP_STATUS');
    });

    it('an answer over the size limit → delivered "unknown"', async () => {
      const err = await postXml(`${server.baseUrl}/big`, XML, { ...opts(), maxResponseBytes: 1000 }).catch(
        (e) => e,
      );
      expect(err).toBeInstanceOf(WxPayTransportError);
      expect(err.code).toBe('WXPAY_RESPONSE_TOO_LARGE');
    });

    it('error messages name host and path, never the body', async () => {
      const secret = '<xml><sign>ABCDEF0123456789ABCDEF0123456789</sign></xml>';
      const err = await postXml(`${server.baseUrl}/503`, secret, opts()).catch((e) => e);
      expect(err.message).toContain('/503');
      expect(err.message).not.toContain('ABCDEF0123456789');
    });
  });
});
