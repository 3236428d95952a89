/**
 * The two HTTP clients the demo drives the stack with, the same doors the mini-program and WeChat use:
 * the emulator over plain HTTP (callFunction, HTTP access, inspection) and the sandbox's control API over
 * HTTPS, trusting only the sandbox's own CA (no client certificate: the control API is loopback only).
 */
import https from 'node:https';

export interface TextReply {
  status: number;
  text: string;
}

const TIMEOUT_MS = 10_000;

/** A plain-HTTP request to the emulator; the body is sent as given (JSON callers stringify first). */
export async function httpText(
  method: string,
  url: string,
  body?: string,
  headers: Record<string, string> = {},
): Promise<TextReply> {
  const res = await fetch(url, { method, body, headers, signal: AbortSignal.timeout(TIMEOUT_MS) });
  return { status: res.status, text: await res.text() };
}

export async function httpJson<T>(
  method: string,
  url: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<T> {
  const r = await httpText(
    method,
    url,
    body === undefined ? undefined : JSON.stringify(body),
    body === undefined ? headers : { 'content-type': 'application/json', ...headers },
  );
  if (r.status !== 200) throw new Error(`${method} ${url} → HTTP ${r.status}: ${r.text.slice(0, 300)}`);
  return JSON.parse(r.text) as T;
}

/** JSON over HTTPS with an explicit CA (the sandbox's self-issued one). */
export function httpsJson<T>(method: string, url: string, ca: string, body?: unknown): Promise<T> {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = https.request(
      url,
      {
        method,
        ca,
        timeout: TIMEOUT_MS,
        headers: payload
          ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) }
          : {},
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          if (res.statusCode !== 200) {
            reject(new Error(`${method} ${url} → HTTP ${res.statusCode}: ${text.slice(0, 300)}`));
            return;
          }
          try {
            resolve(JSON.parse(text) as T);
          } catch (e) {
            reject(e);
          }
        });
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${method} ${url}: no answer in ${TIMEOUT_MS} ms`)));
    req.on('error', reject);
    req.end(payload);
  });
}
