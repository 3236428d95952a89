/**
 * The merchant API certificate, checked where it is loaded: at a refunding function's cold start
 * (`checkMerchantCertificate` after `loadClientCertificate`) and by `npm run doctor` before deploy.
 *
 *  - it is a certificate + private key that belong together (OpenSSL loads the pair: transport.ts);
 *  - it belongs to this merchant: WeChat issues the merchant API certificate with the mch_id (商户号) as its
 *    subject CN, so a certificate of another merchant number — or a sandbox certificate — is refused;
 *  - it is valid now, and a warning is logged when it expires within 30 days (renew in 商户平台 → API安全).
 * Messages name the variable and facts (CN, expiry date), never the certificate or key bytes.
 *
 * A .p12 is checked for loading only (Node has no API to read the certificate inside a PKCS#12): use the PEM
 * pair from the same download (the recommended form in the cloud, docs/deploy.md).
 */
import { X509Certificate } from 'node:crypto';
import { ConfigError } from '../errors';
import type { Logger } from '../log';
import type { ClientCertificate } from './client-api';
import { checkCertificate } from './transport';

export const EXPIRY_WARNING_DAYS = 30;
const DAY_MS = 86_400_000;

export interface CertificateFacts {
  /** The subject's CN (WeChat: the mch_id). */
  commonName: string | undefined;
  serialNumber: string;
  notBefore: Date;
  notAfter: Date;
  /** Whole days until notAfter (negative once expired). */
  daysLeft: number;
}

export function certificateFacts(certPem: string | Buffer, now: number = Date.now()): CertificateFacts {
  const x = new X509Certificate(certPem);
  const cn = /(?:^|\n)CN=([^\n]*)/.exec(x.subject)?.[1];
  const notAfter = new Date(x.validTo);
  return {
    commonName: cn,
    serialNumber: x.serialNumber,
    notBefore: new Date(x.validFrom),
    notAfter,
    daysLeft: Math.floor((notAfter.getTime() - now) / DAY_MS),
  };
}

export interface CertificateVerdict {
  errors: string[];
  warnings: string[];
  facts?: CertificateFacts;
}

/** Every problem with a PEM merchant certificate for `mchId`, in plain words (no secret in them). */
export function judgeMerchantCertificate(
  cert: ClientCertificate,
  mchId: string,
  now: number = Date.now(),
): CertificateVerdict {
  const errors: string[] = [];
  const warnings: string[] = [];
  try {
    checkCertificate(cert);
  } catch (e) {
    return { errors: [(e as Error).message], warnings };
  }
  if (cert.kind !== 'pem') {
    warnings.push('a .p12 loads, but its merchant number and expiry cannot be checked: prefer the PEM pair');
    return { errors, warnings };
  }
  let facts: CertificateFacts;
  try {
    facts = certificateFacts(cert.cert, now);
  } catch {
    return { errors: ['the certificate is not a readable X.509 PEM certificate'], warnings };
  }
  if (facts.commonName !== mchId)
    errors.push(
      `the certificate belongs to merchant ${facts.commonName ?? '(no CN)'}, not to WXPAY_MCH_ID ${mchId} ` +
        '(download the API certificate of this merchant number in 商户平台 → 账户中心 → API安全)',
    );
  const until = facts.notAfter.toISOString().slice(0, 10);
  if (facts.notBefore.getTime() > now)
    errors.push(`the certificate is not valid before ${facts.notBefore.toISOString()}`);
  if (facts.daysLeft < 0) errors.push(`the certificate expired on ${until}: renew it in 商户平台 → API安全`);
  else if (facts.daysLeft < EXPIRY_WARNING_DAYS)
    warnings.push(
      `the certificate expires on ${until} (in ${facts.daysLeft} days): renew it in 商户平台 → API安全`,
    );
  return { errors, warnings, facts };
}

/**
 * For a refunding function's cold start: throws a ConfigError naming `variable` when the certificate does not
 * load, is not this merchant's or has expired; logs a warning when it expires within 30 days.
 */
export function checkMerchantCertificate(
  cert: ClientCertificate,
  mchId: string,
  log: Logger,
  opts: { variable?: string; now?: number } = {},
): void {
  const v = judgeMerchantCertificate(cert, mchId, opts.now);
  const variable = opts.variable ?? 'WXPAY_CERT_FILE_ID';
  if (v.errors.length > 0) throw new ConfigError(variable, v.errors.join('; '));
  for (const w of v.warnings)
    log.warn('merchant_certificate', {
      variable,
      warning: w,
      ...(v.facts ? { notAfter: v.facts.notAfter.toISOString(), daysLeft: v.facts.daysLeft } : {}),
    });
}
