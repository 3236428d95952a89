import { describe, expect, it } from 'vitest';
import { ConfigError } from '../errors';
import type { Logger } from '../log';
import { checkMerchantCertificate, judgeMerchantCertificate } from './cert-check';
import { createTestPki, toP12 } from './test-certs';

const MCH = '1900000109';
const pki = createTestPki(MCH); // client certificate: CN = MCH, valid for 2 days from now
const other = createTestPki('1900000999');
const longLived = createTestPki(MCH, 365);
const pem = (p: { cert: string; key: string }) => ({ kind: 'pem' as const, cert: p.cert, key: p.key });
const DAY = 86_400_000;

function recorder(): Logger & { warnings: unknown[] } {
  const warnings: unknown[] = [];
  const noop = () => {};
  return {
    warnings,
    debug: noop,
    info: noop,
    error: noop,
    warn: (event: string, fields?: unknown) => warnings.push({ event, fields }),
  } as unknown as Logger & { warnings: unknown[] };
}

describe('merchant certificate check', () => {
  it('accepts this merchant’s valid pair and warns when it expires within 30 days, without the PEM in the log', () => {
    const log = recorder();
    checkMerchantCertificate(pem(pki.client), MCH, log);
    expect(log.warnings).toHaveLength(1);
    const text = JSON.stringify(log.warnings);
    expect(text).toMatch(/expires on \d{4}-\d{2}-\d{2} \(in [01] days\)/);
    expect(text).not.toContain('BEGIN');
    const v = judgeMerchantCertificate(pem(pki.client), MCH, Date.now() - 40 * DAY + 3600_000);
    expect(v.errors.join()).toContain('not valid before');
  });

  it('no warning when more than 30 days remain', () => {
    const v = judgeMerchantCertificate(pem(longLived.client), MCH);
    expect(v).toMatchObject({ errors: [], warnings: [] });
    expect(v.facts?.commonName).toBe(MCH);
    expect(v.facts?.daysLeft).toBeGreaterThanOrEqual(364);
  });

  it('refuses another merchant’s certificate, an expired one and a key that does not belong', () => {
    expect(() => checkMerchantCertificate(pem(other.client), MCH, recorder())).toThrow(ConfigError);
    expect(judgeMerchantCertificate(pem(other.client), MCH).errors.join()).toContain(
      'belongs to merchant 1900000999, not to WXPAY_MCH_ID 1900000109',
    );
    const expired = judgeMerchantCertificate(pem(pki.client), MCH, Date.now() + 5 * DAY);
    expect(expired.errors.join()).toMatch(/expired on \d{4}-\d{2}-\d{2}/);
    const mixed = judgeMerchantCertificate(
      { kind: 'pem', cert: pki.client.cert, key: other.client.key },
      MCH,
    );
    expect(mixed.errors.join()).toContain('do not belong together');
  });

  it('a modern .p12 loads (merchant and expiry unchecked: a warning says so); a legacy RC2 .p12 is refused', () => {
    const modern = judgeMerchantCertificate(
      { kind: 'p12', pfx: toP12(pki.client, MCH, 'aes256'), passphrase: MCH },
      MCH,
    );
    expect(modern.errors).toEqual([]);
    expect(modern.warnings.join()).toContain('prefer the PEM pair');
    const legacy = judgeMerchantCertificate(
      { kind: 'p12', pfx: toP12(pki.client, MCH, 'rc2-40'), passphrase: MCH },
      MCH,
    );
    expect(legacy.errors.join()).toContain('legacy encryption');
  });
});
