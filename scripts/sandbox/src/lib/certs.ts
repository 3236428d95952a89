/**
 * The sandbox's PKI, created once in `<stateDir>/certs` and reused on later starts:
 * - a CA (ca.pem / ca-key.pem) that clients trust for the sandbox and that issues every other certificate;
 * - the server certificate for 127.0.0.1, ::1 and localhost;
 * - per merchant, the API client certificate as WeChat hands it out (spec §3.4): apiclient_cert.pem,
 *   apiclient_key.pem (PKCS#8) and apiclient_cert.p12 with password = mch_id. The .p12 is encrypted with
 *   PBES2/AES-256-CBC (and a SHA-1 MAC), which Node 20's OpenSSL 3 reads — not the legacy RC2/3DES.
 * RSA keys come from node:crypto (fast); node-forge builds the certificates and the PKCS#12.
 */
import { generateKeyPair, randomBytes, X509Certificate } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import forge from 'node-forge';
import type { Merchant } from './types';

export interface MerchantCertFiles {
  certFile: string;
  keyFile: string;
  p12File: string;
  /** SHA-256 fingerprint in the `AB:CD:…` form of TLSSocket#getPeerCertificate(). */
  fingerprint256: string;
}

export interface SandboxPki {
  caFile: string;
  caPem: string;
  serverCertPem: string;
  serverKeyPem: string;
  merchants: Map<string, MerchantCertFiles>;
}

const YEAR = 365 * 24 * 3600_000;

interface KeyPair {
  pem: string;
  forgeKey: forge.pki.rsa.PrivateKey;
  forgePublic: forge.pki.rsa.PublicKey;
}

const generateRsa = promisify(generateKeyPair);

/** RSA-2048 from node:crypto on the libuv pool (several at once use every core). */
async function newKeyPair(): Promise<KeyPair> {
  const { privateKey, publicKey } = await generateRsa('rsa', { modulusLength: 2048 });
  const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  return {
    pem,
    forgeKey: forge.pki.privateKeyFromPem(privateKey.export({ type: 'pkcs1', format: 'pem' }).toString()),
    forgePublic: forge.pki.publicKeyFromPem(publicKey.export({ type: 'spki', format: 'pem' }).toString()),
  };
}

function serial(): string {
  // Positive 16-byte serial (first bit clear).
  const b = randomBytes(16);
  b[0] = b[0]! & 0x7f;
  return b.toString('hex');
}

type Attr = forge.pki.CertificateField;

function subject(cn: string, extra: Attr[] = []): Attr[] {
  return [
    { name: 'countryName', value: 'CN' },
    { name: 'organizationName', value: 'Shouyin WeChat Pay Sandbox' },
    ...extra,
    { name: 'commonName', value: cn },
  ];
}

function issue(opts: {
  keys: KeyPair;
  subject: Attr[];
  issuer: { cert?: forge.pki.Certificate; key: forge.pki.rsa.PrivateKey; subject: Attr[] };
  years: number;
  extensions: object[];
}): forge.pki.Certificate {
  const cert = forge.pki.createCertificate();
  cert.publicKey = opts.keys.forgePublic;
  cert.serialNumber = serial();
  cert.validity.notBefore = new Date(Date.now() - 24 * 3600_000);
  cert.validity.notAfter = new Date(Date.now() + opts.years * YEAR);
  cert.setSubject(opts.subject);
  cert.setIssuer(opts.issuer.cert ? opts.issuer.cert.subject.attributes : opts.issuer.subject);
  cert.setExtensions(opts.extensions);
  cert.sign(opts.issuer.key, forge.md.sha256.create());
  return cert;
}

function writeSecret(file: string, data: string | Buffer): void {
  writeFileSync(file, data, { mode: 0o600 });
}

export function fingerprint256(certPem: string): string {
  return new X509Certificate(certPem).fingerprint256;
}

/** Loads the PKI from `<stateDir>/certs`, creating whatever is missing. */
export async function ensurePki(stateDir: string, merchants: readonly Merchant[]): Promise<SandboxPki> {
  const dir = path.join(stateDir, 'certs');
  mkdirSync(dir, { recursive: true });
  const caFile = path.join(dir, 'ca.pem');
  const caKeyFile = path.join(dir, 'ca-key.pem');
  const serverFile = path.join(dir, 'server.pem');
  const serverKeyFile = path.join(dir, 'server-key.pem');
  const merchantFiles = (m: Merchant) => {
    const mdir = path.join(dir, 'merchants', m.mchId);
    return {
      mdir,
      certFile: path.join(mdir, 'apiclient_cert.pem'),
      keyFile: path.join(mdir, 'apiclient_key.pem'),
      p12File: path.join(mdir, 'apiclient_cert.p12'),
    };
  };

  // A new CA invalidates everything it issued.
  const fresh = !existsSync(caFile) || !existsSync(caKeyFile);
  const needServer = fresh || !existsSync(serverFile) || !existsSync(serverKeyFile);
  const needMerchants = merchants.filter((m) => {
    const f = merchantFiles(m);
    return fresh || !existsSync(f.certFile) || !existsSync(f.keyFile) || !existsSync(f.p12File);
  });
  // Generate every missing key at once (RSA generation dominates start-up time).
  const [caKeys, serverKeys, ...merchantKeys] = await Promise.all([
    fresh ? newKeyPair() : undefined,
    needServer ? newKeyPair() : undefined,
    ...needMerchants.map(() => newKeyPair()),
  ]);

  if (caKeys) {
    const subj = subject('Shouyin WeChat Pay Sandbox CA');
    const ca = issue({
      keys: caKeys,
      subject: subj,
      issuer: { key: caKeys.forgeKey, subject: subj },
      years: 10,
      extensions: [
        { name: 'basicConstraints', cA: true, critical: true },
        { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
        { name: 'subjectKeyIdentifier' },
      ],
    });
    writeFileSync(caFile, forge.pki.certificateToPem(ca));
    writeSecret(caKeyFile, caKeys.pem);
  }
  const caPem = readFileSync(caFile, 'utf8');
  const caCert = forge.pki.certificateFromPem(caPem);
  const caKey = forge.pki.privateKeyFromPem(readFileSync(caKeyFile, 'utf8')) as forge.pki.rsa.PrivateKey;
  const issuer = { cert: caCert, key: caKey, subject: [] };

  if (serverKeys) {
    const cert = issue({
      keys: serverKeys,
      subject: subject('api.mch.weixin.qq.com'),
      issuer,
      years: 5,
      extensions: [
        { name: 'basicConstraints', cA: false },
        { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
        { name: 'extKeyUsage', serverAuth: true },
        {
          name: 'subjectAltName',
          altNames: [
            { type: 2, value: 'localhost' },
            { type: 7, ip: '127.0.0.1' },
            { type: 7, ip: '::1' },
          ],
        },
      ],
    });
    writeFileSync(serverFile, forge.pki.certificateToPem(cert));
    writeSecret(serverKeyFile, serverKeys.pem);
  }

  needMerchants.forEach((m, i) => {
    const f = merchantFiles(m);
    mkdirSync(f.mdir, { recursive: true });
    const keys = merchantKeys[i]!;
    // Like WeChat's merchant API certificates: CN = mch_id, OU = merchant name (UTF-8 encoded for forge).
    const cert = issue({
      keys,
      subject: subject(m.mchId, [{ shortName: 'OU', value: forge.util.encodeUtf8(m.name) }]),
      issuer,
      years: 5,
      extensions: [
        { name: 'basicConstraints', cA: false },
        { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
        { name: 'extKeyUsage', clientAuth: true },
      ],
    });
    // PBES2 + AES-256-CBC (PBKDF2-HMAC-SHA1), SHA-1 MAC: readable by OpenSSL 3 without the legacy provider.
    const p12 = forge.pkcs12.toPkcs12Asn1(keys.forgeKey, [cert, caCert], m.mchId, {
      algorithm: 'aes256',
      generateLocalKeyId: true,
    });
    writeFileSync(f.certFile, forge.pki.certificateToPem(cert));
    writeSecret(f.keyFile, keys.pem);
    writeSecret(f.p12File, Buffer.from(forge.asn1.toDer(p12).getBytes(), 'binary'));
  });

  const out = new Map<string, MerchantCertFiles>();
  for (const m of merchants) {
    const f = merchantFiles(m);
    out.set(m.mchId, {
      certFile: f.certFile,
      keyFile: f.keyFile,
      p12File: f.p12File,
      fingerprint256: fingerprint256(readFileSync(f.certFile, 'utf8')),
    });
  }
  return {
    caFile,
    caPem,
    serverCertPem: readFileSync(serverFile, 'utf8'),
    serverKeyPem: readFileSync(serverKeyFile, 'utf8'),
    merchants: out,
  };
}
