/**
 * Test helpers: a sandbox in a temp dir on port 0, raw signed XML calls over node:https (signing and
 * XML from the shared codec), and a loopback HTTP receiver for notifications.
 */
import { generateKeyPairSync } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import {
  buildXml,
  NOTIFY_SUCCESS_XML,
  newNonce,
  parseXml,
  type SignType,
  sign,
  verify,
  type WxFields,
  type WxInput,
} from '@shouyin/shared';
import forge from 'node-forge';
import { type Sandbox, startSandbox } from '../lib/sandbox';
import type { SandboxInfo, SandboxOptions } from '../lib/types';

export type MerchantInfo = SandboxInfo['merchants'][number];

export interface HttpAnswer {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
}

export interface RequestOptions {
  method?: string;
  /** Present the merchant's PEM client certificate. */
  cert?: MerchantInfo;
  pfx?: { file: string; passphrase: string };
  /** Explicit PEM pair (e.g. a certificate from another CA). */
  pem?: { cert: string; key: string };
  timeoutMs?: number;
  headers?: Record<string, string>;
}

export function request(
  sb: Sandbox,
  urlPath: string,
  body: string | Buffer | undefined,
  o: RequestOptions = {},
): Promise<HttpAnswer> {
  const url = new URL(urlPath, sb.baseUrl);
  return new Promise((resolve, reject) => {
    const req = https.request(
      url,
      {
        method: o.method ?? 'POST',
        agent: false,
        ca: readFileSync(sb.caFile),
        ...(o.cert ? { cert: readFileSync(o.cert.certFile), key: readFileSync(o.cert.keyFile) } : {}),
        ...(o.pfx ? { pfx: readFileSync(o.pfx.file), passphrase: o.pfx.passphrase } : {}),
        ...(o.pem ? { cert: o.pem.cert, key: o.pem.key } : {}),
        headers: { 'Content-Type': 'text/xml; charset=utf-8', ...o.headers },
        ...(o.timeoutMs ? { timeout: o.timeoutMs } : {}),
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            text: Buffer.concat(chunks).toString('utf8'),
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error('client timeout')));
    req.on('error', reject);
    req.end(body);
  });
}

/** Signs `fields` (adding nonce_str) with the shared codec and builds the XML body. */
export function signedXml(fields: WxInput, apiKey: string, signType: SignType = 'MD5'): string {
  const f: WxInput = { nonce_str: newNonce(), ...fields };
  if (signType !== 'MD5' && f.sign_type === undefined) f.sign_type = signType;
  f.sign = sign(f, apiKey, signType);
  return buildXml(f);
}

export interface ApiAnswer extends HttpAnswer {
  fields: WxFields;
  /** Whether the answer's sign verifies with the given sign type (false when there is no sign). */
  signed: boolean;
}

/** POSTs signed XML for the merchant to an API path; parses and verifies the answer. */
export async function call(
  sb: Sandbox,
  m: MerchantInfo,
  urlPath: string,
  fields: WxInput,
  o: RequestOptions & { signType?: SignType } = {},
): Promise<ApiAnswer> {
  const signType = o.signType ?? 'MD5';
  const answer = await request(
    sb,
    urlPath,
    signedXml({ appid: m.appid, mch_id: m.mchId, ...fields }, m.apiKey, signType),
    o,
  );
  const parsed = parseXml(answer.text);
  return { ...answer, fields: parsed, signed: Boolean(parsed.sign) && verify(parsed, m.apiKey, signType) };
}

export interface Received {
  path: string;
  body: string;
  headers: http.IncomingHttpHeaders;
}

export type Reply = { status?: number; body: string } | 'hang';

export interface Receiver {
  url(p?: string): string;
  received: Received[];
  /** Decides the reply to each notification (default: the SUCCESS XML). */
  reply: (r: Received) => Reply;
  close(): Promise<void>;
}

export async function startReceiver(): Promise<Receiver> {
  const hung = new Set<http.ServerResponse>();
  const rec: Receiver = {
    url: (p = '/notify') => `http://127.0.0.1:${(server.address() as AddressInfo).port}${p}`,
    received: [],
    reply: () => ({ body: NOTIFY_SUCCESS_XML }),
    close: () =>
      new Promise<void>((resolve) => {
        for (const r of hung) r.destroy();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const r: Received = {
        path: req.url ?? '',
        body: Buffer.concat(chunks).toString('utf8'),
        headers: req.headers,
      };
      rec.received.push(r);
      const reply = rec.reply(r);
      if (reply === 'hang') {
        hung.add(res);
        return;
      }
      res.writeHead(reply.status ?? 200, { 'Content-Type': 'text/xml' });
      res.end(reply.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return rec;
}

/**
 * Copies the certificates and generated API keys of one state dir into another, so a second sandbox
 * with the same merchants starts without generating RSA keys again (faster tests).
 */
export function seedPki(fromDir: string, toDir: string): void {
  cpSync(path.join(fromDir, 'certs'), path.join(toDir, 'certs'), { recursive: true });
  cpSync(path.join(fromDir, 'keys.json'), path.join(toDir, 'keys.json'));
}

export interface TestSandbox {
  sb: Sandbox;
  dir: string;
  m: MerchantInfo;
  receiver: Receiver;
  close(): Promise<void>;
}

/** A sandbox with a manual clock, loopback notify allowed, in a fresh temp dir, plus a receiver. */
export async function startTestSandbox(
  options: Partial<SandboxOptions> | ((r: Receiver) => Partial<SandboxOptions>) = {},
  where: { dir?: string; pkiFrom?: TestSandbox } = {},
): Promise<TestSandbox> {
  const { dir } = where;
  const stateDir = dir ?? mkdtempSync(path.join(os.tmpdir(), 'shouyin-sandbox-'));
  if (where.pkiFrom) seedPki(where.pkiFrom.dir, stateDir);
  const receiver = await startReceiver();
  const opts = typeof options === 'function' ? options(receiver) : options;
  const sb = await startSandbox({
    stateDir,
    clock: { mode: 'manual', startMs: Date.UTC(2025, 0, 6, 2, 0, 0) },
    allowLoopbackNotify: true,
    notify: { attemptTimeoutMs: 1000 },
    ...opts,
  });
  return {
    sb,
    dir: stateDir,
    m: sb.info.merchants[0]!,
    receiver,
    async close() {
      await sb.stop();
      await receiver.close();
      if (!dir) rmSync(stateDir, { recursive: true, force: true });
    },
  };
}

let seq = 0;
/** A fresh valid out_trade_no / out_refund_no for tests. */
export function no(prefix = 'T'): string {
  seq += 1;
  return `${prefix}${Date.now().toString(36)}${seq.toString().padStart(4, '0')}${Math.random().toString(36).slice(2, 8)}`;
}

/** The fields of a valid JSAPI unifiedorder request. */
export function orderFields(notifyUrl: string, extra: WxInput = {}): WxInput {
  return {
    body: '收银测试-商品',
    out_trade_no: no('O'),
    total_fee: 100,
    spbill_create_ip: '127.0.0.1',
    notify_url: notifyUrl,
    trade_type: 'JSAPI',
    openid: 'oUpF8uMuAJO_M2pxb1Q9zNjWeS6o',
    ...extra,
  };
}

/** A self-signed client certificate from an unknown CA (for mTLS refusal tests). */
export function foreignCertificate(cn: string): { cert: string; key: string } {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(publicKey.export({ type: 'spki', format: 'pem' }).toString());
  cert.serialNumber = '01';
  cert.validity.notBefore = new Date(Date.now() - 3600_000);
  cert.validity.notAfter = new Date(Date.now() + 3600_000);
  const attrs = [{ name: 'commonName', value: cn }];
  cert.setSubject(attrs);
  cert.setIssuer(attrs);
  const key = privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
  cert.sign(forge.pki.privateKeyFromPem(key), forge.md.sha256.create());
  return { cert: forge.pki.certificateToPem(cert), key };
}
