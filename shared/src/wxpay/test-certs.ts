/**
 * Test-only PKI for the WeChat Pay client tests: a CA, a server certificate for 127.0.0.1/localhost and
 * merchant API client certificates, generated at test time with node-forge (RSA keys from node:crypto,
 * which is much faster than forge's pure-JS key generation). Nothing is written into the repository.
 * NOT exported from shared/src/index.ts.
 *
 * `toP12(..., 'rc2-40')` builds what `openssl pkcs12 -export -legacy` (and older WeChat/Windows exports)
 * produce: the certificate bag encrypted with pbeWithSHAAnd40BitRC2-CBC and the key shrouded with 3DES.
 * forge's own `toPkcs12Asn1` cannot write RC2, so that variant is assembled here by hand.
 *
 * `startTestServer` runs an HTTPS server on 127.0.0.1, port 0, that asks for (but does not enforce) a client
 * certificate, like WeChat's front, and records every request's exact bytes.
 */
import { generateKeyPairSync } from 'node:crypto';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import forge from 'node-forge';

export interface PemPair {
  cert: string;
  key: string;
}

export interface TestPki {
  /** The CA that issued the server and the merchant certificate (trust it as `ca`). */
  ca: PemPair;
  /** Server certificate for 127.0.0.1 / ::1 / localhost. */
  server: PemPair;
  /** The merchant API client certificate (CN = mch_id), issued by `ca`. */
  client: PemPair;
  /** A client certificate issued by another CA (a "wrong merchant" / broken certificate). */
  foreignClient: PemPair;
}

let serial = 1;

function rsaKey(): forge.pki.rsa.PrivateKey {
  const { privateKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  });
  return forge.pki.privateKeyFromPem(privateKey) as forge.pki.rsa.PrivateKey;
}

interface IssueOptions {
  cn: string;
  issuer?: { cert: forge.pki.Certificate; key: forge.pki.rsa.PrivateKey };
  isCa?: boolean;
  server?: boolean;
  validDays?: number;
  /** Reuse an existing key pair (saves an RSA key generation). */
  key?: forge.pki.rsa.PrivateKey;
}

function issue(opts: IssueOptions): { cert: forge.pki.Certificate; key: forge.pki.rsa.PrivateKey } {
  const key = opts.key ?? rsaKey();
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.setRsaPublicKey(key.n, key.e);
  cert.serialNumber = (serial++).toString(16).padStart(2, '0');
  cert.validity.notBefore = new Date(Date.now() - 3600_000);
  cert.validity.notAfter = new Date(Date.now() + (opts.validDays ?? 2) * 86400_000);
  const subject = [{ name: 'commonName', value: opts.cn }];
  cert.setSubject(subject);
  cert.setIssuer(opts.issuer ? opts.issuer.cert.subject.attributes : subject);
  const extensions: object[] = [{ name: 'basicConstraints', cA: !!opts.isCa, critical: true }];
  if (opts.isCa) {
    extensions.push({ name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true });
  } else if (opts.server) {
    extensions.push(
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [
          { type: 7, ip: '127.0.0.1' },
          { type: 7, ip: '::1' },
          { type: 2, value: 'localhost' },
        ],
      },
    );
  } else {
    extensions.push(
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
      { name: 'extKeyUsage', clientAuth: true },
    );
  }
  cert.setExtensions(extensions);
  cert.sign(opts.issuer?.key ?? key, forge.md.sha256.create());
  return { cert, key };
}

function pem(p: { cert: forge.pki.Certificate; key: forge.pki.rsa.PrivateKey }): PemPair {
  return { cert: forge.pki.certificateToPem(p.cert), key: forge.pki.privateKeyToPem(p.key) };
}

/**
 * Generates a fresh CA, server certificate and merchant client certificates (three RSA-2048 keys; the
 * foreign CA and certificate reuse keys: what makes them foreign is the untrusted issuer).
 */
export function createTestPki(mchId = '1900000109', clientValidDays?: number): TestPki {
  const ca = issue({ cn: 'Shouyin Test CA', isCa: true });
  const server = issue({ cn: '127.0.0.1', issuer: ca, server: true });
  const client = issue({ cn: mchId, issuer: ca, validDays: clientValidDays });
  const otherCa = issue({ cn: 'Some Other CA', isCa: true, key: server.key });
  const foreignClient = issue({ cn: mchId, issuer: otherCa, key: client.key });
  return { ca: pem(ca), server: pem(server), client: pem(client), foreignClient: pem(foreignClient) };
}

export type P12Algorithm = 'aes256' | '3des' | 'rc2-40';

/** A PKCS#12 file (DER) holding `pair` encrypted with `password` (WeChat: the mch_id). */
export function toP12(pair: PemPair, password: string, algorithm: P12Algorithm): Buffer {
  const key = forge.pki.privateKeyFromPem(pair.key);
  const cert = forge.pki.certificateFromPem(pair.cert);
  const asn =
    algorithm === 'rc2-40'
      ? legacyP12(key, cert, password)
      : forge.pkcs12.toPkcs12Asn1(key, cert, password, { algorithm });
  return Buffer.from(forge.asn1.toDer(asn).getBytes(), 'binary');
}

const { asn1 } = forge;
const U = asn1.Class.UNIVERSAL;
const T = asn1.Type;
const oid = (name: string) => asn1.create(U, T.OID, false, asn1.oidToDer(forge.pki.oids[name]!).getBytes());
const octets = (bytes: string) => asn1.create(U, T.OCTETSTRING, false, bytes);
const int = (n: number) => asn1.create(U, T.INTEGER, false, asn1.integerToDer(n).getBytes());
const seq = (items: forge.asn1.Asn1[]) => asn1.create(U, T.SEQUENCE, true, items);
const explicit0 = (items: forge.asn1.Asn1[]) => asn1.create(asn1.Class.CONTEXT_SPECIFIC, 0, true, items);

function dataContentInfo(inner: forge.asn1.Asn1): forge.asn1.Asn1 {
  return seq([oid('data'), explicit0([octets(asn1.toDer(inner).getBytes())])]);
}

/** The `openssl pkcs12 -export -legacy` layout: certs in RC2-40-encrypted data, key shrouded with 3DES. */
function legacyP12(
  key: forge.pki.PrivateKey,
  cert: forge.pki.Certificate,
  password: string,
): forge.asn1.Asn1 {
  const count = 2048;
  const sha1 = () => forge.md.sha1.create();
  const certBag = seq([
    oid('certBag'),
    explicit0([
      seq([
        oid('x509Certificate'),
        explicit0([octets(asn1.toDer(forge.pki.certificateToAsn1(cert)).getBytes())]),
      ]),
    ]),
  ]);
  const certSafeContents = asn1.toDer(seq([certBag])).getBytes();
  const salt = forge.random.getBytesSync(8);
  const saltBuf = () => new forge.util.ByteStringBuffer(salt);
  const rc2Key = forge.pkcs12.generateKey(password, saltBuf(), 1, count, 5, sha1());
  const rc2Iv = forge.pkcs12.generateKey(password, saltBuf(), 2, count, 8, sha1());
  const cipher = forge.rc2.createEncryptionCipher(rc2Key, 40);
  cipher.start(rc2Iv);
  cipher.update(forge.util.createBuffer(certSafeContents));
  cipher.finish();
  const encrypted = cipher.output.getBytes();
  const encryptedCertCi = seq([
    oid('encryptedData'),
    explicit0([
      seq([
        int(0),
        seq([
          oid('data'),
          seq([oid('pbewithSHAAnd40BitRC2-CBC'), seq([octets(salt), int(count)])]),
          asn1.create(asn1.Class.CONTEXT_SPECIFIC, 0, false, encrypted),
        ]),
      ]),
    ]),
  ]);
  const pkInfo = forge.pki.wrapRsaPrivateKey(forge.pki.privateKeyToAsn1(key));
  const keyBag = seq([
    oid('pkcs8ShroudedKeyBag'),
    explicit0([forge.pki.encryptPrivateKeyInfo(pkInfo, password, { algorithm: '3des', count })]),
  ]);
  const safe = seq([encryptedCertCi, dataContentInfo(seq([keyBag]))]);
  const macSalt = forge.random.getBytesSync(8);
  const macKey = forge.pkcs12.generateKey(
    password,
    new forge.util.ByteStringBuffer(macSalt),
    3,
    count,
    20,
    sha1(),
  );
  const hmac = forge.hmac.create();
  hmac.start(sha1(), macKey);
  hmac.update(asn1.toDer(safe).getBytes());
  const macData = seq([
    seq([seq([oid('sha1'), asn1.create(U, T.NULL, false, '')]), octets(hmac.getMac().getBytes())]),
    octets(macSalt),
    int(count),
  ]);
  return seq([int(3), seq([oid('data'), explicit0([octets(asn1.toDer(safe).getBytes())])]), macData]);
}

export interface RecordedRequest {
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  /** A client certificate was presented and chains to the test CA. */
  authorized: boolean;
  /** A client certificate was presented (trusted or not). */
  presentedCert: boolean;
}

export interface TestServer {
  baseUrl: string;
  port: number;
  requests: RecordedRequest[];
  /** Number of TLS connections accepted (keep-alive reuse check). */
  connections(): number;
  close(): Promise<void>;
}

export type TestHandler = (
  req: RecordedRequest,
  res: import('node:http').ServerResponse,
) => void | Promise<void>;

export async function startTestServer(
  pki: TestPki,
  handler: TestHandler,
  opts: { rejectUnauthorized?: boolean } = {},
): Promise<TestServer> {
  const requests: RecordedRequest[] = [];
  let connections = 0;
  const server = https.createServer(
    {
      key: pki.server.key,
      cert: pki.server.cert,
      ca: pki.ca.cert,
      requestCert: true,
      rejectUnauthorized: opts.rejectUnauthorized ?? false,
    },
    (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const socket = req.socket as TLSSocket;
        const peer = socket.getPeerCertificate();
        const rec: RecordedRequest = {
          method: req.method ?? '',
          path: req.url ?? '',
          headers: req.headers,
          body: Buffer.concat(chunks),
          authorized: socket.authorized,
          presentedCert: !!peer && Object.keys(peer).length > 0,
        };
        requests.push(rec);
        Promise.resolve(handler(rec, res)).catch((err) => {
          res.statusCode = 500;
          res.end(String(err));
        });
      });
    },
  );
  server.on('secureConnection', () => {
    connections += 1;
  });
  server.on('tlsClientError', () => {});
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    baseUrl: `https://127.0.0.1:${port}`,
    port,
    requests,
    connections: () => connections,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A port on 127.0.0.1 that refuses connections (a server was bound there and closed). */
export async function refusedPort(): Promise<number> {
  const net = await import('node:net');
  const srv = net.createServer();
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const port = (srv.address() as AddressInfo).port;
  await new Promise<void>((resolve) => srv.close(() => resolve()));
  return port;
}
