/**
 * The only code that touches the wire (STYLE.md: stripe-node's RequestSender/HttpClient split). One POST of
 * an XML body over node:https, one answer `{status, body}`, and one classification of every failure:
 *
 * - certainly not delivered (connect refused, DNS, connect timeout, TLS handshake failure such as an
 *   untrusted server certificate) → WxPayTransportError{delivered:'no'} — the client may send the same
 *   bytes to the backup host (spec §1.3);
 * - maybe delivered (timeout after connecting, socket reset, HTTP 5xx or another unexpected status, body
 *   too large) → WxPayTransportError{delivered:'unknown'} — query, or resend the identical request;
 * - the merchant certificate was missing, unreadable or refused: WeChat's front answers HTTP 400 with an
 *   nginx HTML page "No required SSL certificate was sent" / "The SSL certificate error" (spec §9 item
 *   10), or the TLS layer sends a certificate alert → WxPayCertificateError (never retried).
 *
 * The HTTP status is checked before anything is parsed; the body is returned as bytes and parsed as XML by
 * the client whatever the Content-Type says (spec §1.4). No retries here: the client is the only code that
 * retries. Errors name the host and path, never the body.
 *
 * One keep-alive https.Agent per (CA, client certificate), built once per cold start: the TLS secure
 * context (the parsed .p12 / PEM pair) is created once, which also validates it with a clear error.
 */
import { createHash } from 'node:crypto';
import https from 'node:https';
import tls from 'node:tls';
import { ConfigError, ShouyinError, WxPayCertificateError, WxPayTransportError } from '../errors';
import type { ClientCertificate } from './client-api';

export interface PostXmlOptions {
  /** Deadline for the whole exchange (connect + send + full answer), in ms. */
  timeoutMs: number;
  /** Extra CA (PEM) to trust instead of the system roots — only for a local sandbox. */
  ca?: string | Buffer;
  /** The merchant API certificate (mutual TLS, /secapi/). */
  certificate?: ClientCertificate;
  /** Largest accepted answer in bytes (default 1 MiB). */
  maxResponseBytes?: number;
}

export interface XmlResponse {
  status: number;
  body: Buffer;
}

/** The transport contract the client depends on (injectable for tests). */
export type PostXml = (url: string, body: string | Buffer, opts: PostXmlOptions) => Promise<XmlResponse>;

export const DEFAULT_MAX_RESPONSE_BYTES = 1024 * 1024;

/** What WeChat's nginx front answers on /secapi/ for a missing or refused client certificate (§9 item 10). */
const NO_CERT_TEXT = 'No required SSL certificate was sent';
const BAD_CERT_TEXT = 'The SSL certificate error';

/** TLS alerts that a server sends about the client's certificate. */
const CERT_ALERT =
  /ALERT_(CERTIFICATE_REQUIRED|BAD_CERTIFICATE|UNKNOWN_CA|CERTIFICATE_UNKNOWN|CERTIFICATE_EXPIRED|CERTIFICATE_REVOKED|UNSUPPORTED_CERTIFICATE|ACCESS_DENIED)/;

/** Node error codes that mean the connection was never established (nothing was sent). */
const NOT_CONNECTED_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EAI_FAIL',
  'EAI_NONAME',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'EHOSTDOWN',
  'ENETDOWN',
  'EADDRNOTAVAIL',
]);

const PEM_ALTERNATIVE =
  'use the PEM pair apiclient_cert.pem + apiclient_key.pem instead (WXPAY_CERT_PATH + WXPAY_KEY_PATH), or convert the file: ' +
  '`openssl pkcs12 -legacy -in apiclient_cert.p12 -nodes -passin pass:<mch_id> -out apiclient.pem`';

// ---------------------------------------------------------------------------------------------------
// Agents and certificates

const agents = new Map<string, https.Agent>();
const MAX_AGENTS = 16;

function digest(h: ReturnType<typeof createHash>, v: string | Buffer | undefined): void {
  h.update(
    v === undefined
      ? '-'
      : typeof v === 'string'
        ? `s${v.length}:${v}`
        : Buffer.concat([Buffer.from(`b${v.length}:`), v]),
  );
  h.update('\u0000');
}

function agentKey(ca: string | Buffer | undefined, cert: ClientCertificate | undefined): string {
  const h = createHash('sha256');
  digest(h, ca);
  if (!cert) digest(h, 'none');
  else if (cert.kind === 'pem') {
    digest(h, 'pem');
    digest(h, cert.cert);
    digest(h, cert.key);
  } else {
    digest(h, 'p12');
    digest(h, cert.pfx);
    digest(h, cert.passphrase);
  }
  return h.digest('hex');
}

/** Translates OpenSSL's complaints about a merchant certificate into one clear, secret-free message. */
export function certificateLoadError(err: unknown, kind: ClientCertificate['kind']): WxPayCertificateError {
  const e = err as { message?: string; code?: string };
  const msg = String(e?.message ?? err);
  if (kind === 'p12' && (e?.code === 'ERR_CRYPTO_UNSUPPORTED_OPERATION' || /unsupported/i.test(msg))) {
    return new WxPayCertificateError(
      'the merchant .p12 certificate uses legacy encryption (e.g. RC2-40) that Node’s OpenSSL 3 cannot read ' +
        `("${msg}"); ${PEM_ALTERNATIVE}`,
      err,
    );
  }
  if (/mac verify failure/i.test(msg)) {
    return new WxPayCertificateError(
      'the merchant .p12 certificate cannot be opened: wrong password (WeChat’s .p12 password is the mch_id) or a corrupt file',
      err,
    );
  }
  if (/key values mismatch/i.test(msg)) {
    return new WxPayCertificateError('the merchant certificate and private key do not belong together', err);
  }
  if (/no start line|PEM|bad base64|asn1|header too long|wrong tag|not enough data/i.test(msg)) {
    return new WxPayCertificateError(
      kind === 'pem'
        ? 'the merchant certificate or key is not valid PEM (expected apiclient_cert.pem and apiclient_key.pem)'
        : 'the merchant .p12 file is not a valid PKCS#12 file',
      err,
    );
  }
  return new WxPayCertificateError(`the merchant certificate cannot be loaded: ${msg}`, err);
}

function tlsOptions(
  ca: string | Buffer | undefined,
  cert: ClientCertificate | undefined,
): tls.SecureContextOptions {
  const o: tls.SecureContextOptions = { minVersion: 'TLSv1.2' };
  if (ca !== undefined) o.ca = ca;
  if (cert?.kind === 'pem') {
    o.cert = cert.cert;
    o.key = cert.key;
  } else if (cert?.kind === 'p12') {
    o.pfx = cert.pfx;
    if (cert.passphrase !== undefined) o.passphrase = cert.passphrase;
  }
  return o;
}

/** Loads a merchant certificate the way the transport will, throwing WxPayCertificateError with a clear reason. */
export function checkCertificate(cert: ClientCertificate): void {
  try {
    tls.createSecureContext(tlsOptions(undefined, cert));
  } catch (err) {
    throw certificateLoadError(err, cert.kind);
  }
}

function agentFor(ca: string | Buffer | undefined, cert: ClientCertificate | undefined): https.Agent {
  const key = agentKey(ca, cert);
  const cached = agents.get(key);
  if (cached) return cached;
  let secureContext: tls.SecureContext;
  try {
    secureContext = tls.createSecureContext(tlsOptions(ca, cert));
  } catch (err) {
    if (cert) throw certificateLoadError(err, cert.kind);
    throw new ConfigError('WXPAY_CA_FILE', 'the CA certificate cannot be loaded (expected PEM)');
  }
  const agent = new https.Agent({ keepAlive: true, maxSockets: 16, secureContext });
  if (agents.size >= MAX_AGENTS) {
    const oldest = agents.keys().next().value as string;
    agents.get(oldest)?.destroy();
    agents.delete(oldest);
  }
  agents.set(key, agent);
  return agent;
}

/** Closes every cached keep-alive connection (tests; or a graceful shutdown). */
export function closeTransportAgents(): void {
  for (const a of agents.values()) a.destroy();
  agents.clear();
}

// ---------------------------------------------------------------------------------------------------
// One POST

function where(u: URL): string {
  return `${u.host}${u.pathname}`;
}

/** POSTs `body` as `text/xml; charset=utf-8` and returns the status and raw body of a 2xx answer. */
export const postXml: PostXml = (url, body, opts) => {
  const u = new URL(url);
  if (u.protocol !== 'https:') {
    return Promise.reject(new ConfigError('WXPAY_BASE_URL', `WeChat Pay URL must be https: ${where(u)}`));
  }
  let agent: https.Agent;
  try {
    agent = agentFor(opts.ca, opts.certificate);
  } catch (err) {
    return Promise.reject(err);
  }
  const payload = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  const maxBytes = opts.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;

  return new Promise<XmlResponse>((resolve, reject) => {
    let connected = false; // TLS established: from here on the request may have been delivered
    let timedOut = false;
    let settled = false;
    const finish = (err: Error | undefined, res?: XmlResponse) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (err) reject(err);
      else resolve(res!);
    };

    const req = https.request(
      u,
      {
        method: 'POST',
        agent,
        headers: {
          'Content-Type': 'text/xml; charset=utf-8',
          'Content-Length': payload.length,
          Accept: 'text/xml, application/xml, */*',
        },
      },
      (res) => {
        connected = true;
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size > maxBytes) {
            finish(
              new WxPayTransportError(`answer from ${where(u)} is over ${maxBytes} bytes`, {
                delivered: 'unknown',
                code: 'WXPAY_RESPONSE_TOO_LARGE',
              }),
            );
            req.destroy();
            return;
          }
          chunks.push(c);
        });
        res.on('error', (err) => finish(classify(err)));
        res.on('close', () => {
          if (!res.complete)
            finish(classify(Object.assign(new Error('answer cut off'), { code: 'ECONNRESET' })));
        });
        res.on('end', () => {
          const status = res.statusCode ?? 0;
          const buf = Buffer.concat(chunks);
          if (status >= 200 && status < 300) return finish(undefined, { status, body: buf });
          finish(statusError(u, status, buf));
        });
      },
    );

    const timer = setTimeout(() => {
      timedOut = true;
      req.destroy(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' }));
    }, opts.timeoutMs);

    req.on('socket', (socket) => {
      if (req.reusedSocket)
        connected = true; // a live keep-alive connection: bytes go out immediately
      else socket.once('secureConnect', () => (connected = true));
    });
    req.on('error', (err) => finish(classify(err)));

    function classify(err: Error & { code?: string }): Error {
      if (err instanceof ShouyinError) return err;
      const code = err.code ?? '';
      if (CERT_ALERT.test(code) || CERT_ALERT.test(err.message)) {
        return new WxPayCertificateError(
          opts.certificate
            ? `${where(u)} refused the merchant API certificate during the TLS handshake (${code || err.message}): ` +
                'it is not this merchant’s certificate, or it is expired or revoked'
            : `${where(u)} requires the merchant API certificate (mutual TLS) and none was configured (${code || err.message})`,
          err,
        );
      }
      if (timedOut) {
        return connected
          ? new WxPayTransportError(
              `no answer from ${where(u)} within ${opts.timeoutMs} ms: outcome unknown`,
              {
                delivered: 'unknown',
                code: 'WXPAY_TIMEOUT',
                cause: err,
              },
            )
          : new WxPayTransportError(`could not connect to ${where(u)} within ${opts.timeoutMs} ms`, {
              delivered: 'no',
              code: 'WXPAY_CONNECT_TIMEOUT',
              cause: err,
            });
      }
      if (!connected || NOT_CONNECTED_CODES.has(code)) {
        const tlsFailure =
          code.startsWith('ERR_SSL') || code.startsWith('ERR_TLS') || /CERT|SIGNATURE|ISSUER/.test(code);
        return new WxPayTransportError(
          tlsFailure
            ? `TLS handshake with ${where(u)} failed (${code}): the request was not sent`
            : `could not connect to ${where(u)} (${code || err.message}): the request was not sent`,
          { delivered: 'no', code: tlsFailure ? 'WXPAY_TLS' : 'WXPAY_CONNECT', cause: err },
        );
      }
      return new WxPayTransportError(
        `connection to ${where(u)} failed (${code || err.message}): outcome unknown`,
        {
          delivered: 'unknown',
          code: 'WXPAY_CONNECTION_LOST',
          cause: err,
        },
      );
    }

    req.end(payload);
  });
};

function statusError(u: URL, status: number, body: Buffer): Error {
  if (status === 400) {
    // Only look at the start of the page: WeChat's nginx error pages are tiny.
    const text = body.subarray(0, 4096).toString('latin1');
    if (text.includes(NO_CERT_TEXT)) {
      return new WxPayCertificateError(
        `${where(u)} answered HTTP 400 "${NO_CERT_TEXT}": this API needs the merchant API certificate (mutual TLS), ` +
          'configure apiclient_cert.pem + apiclient_key.pem (or the .p12)',
      );
    }
    if (text.includes(BAD_CERT_TEXT)) {
      return new WxPayCertificateError(
        `${where(u)} answered HTTP 400 "${BAD_CERT_TEXT}": the merchant API certificate was refused ` +
          '(another merchant’s certificate, expired, revoked, or a damaged file)',
      );
    }
  }
  return new WxPayTransportError(`${where(u)} answered HTTP ${status}: outcome unknown`, {
    delivered: 'unknown',
    httpStatus: status,
    code: status >= 500 ? 'WXPAY_HTTP_5XX' : 'WXPAY_HTTP_STATUS',
  });
}
