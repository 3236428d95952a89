import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type os from 'node:os';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  clientOptionsFromConfig,
  describeConfig,
  type Env,
  loadClientCertificate,
  loadConfig,
  notificationKeys,
} from './config';
import { ConfigError, WxPayCertificateError } from './errors';
import { createLogger } from './log';
import { createTestPki, type TestPki, toP12 } from './wxpay/test-certs';

const KEY = 'Zq3vN8pX2mL7kR4tY9wB1cD6fG0hJ5sA';
const base: Env = {
  WXPAY_APPID: 'wxd930ea5d5a258f4f',
  WXPAY_MCH_ID: '1900000109',
  WXPAY_API_KEY: KEY,
};
const ifaces =
  (...addrs: Array<[string, boolean]>) =>
  () =>
    ({
      eth0: addrs.map(([address, internal]) => ({
        address,
        internal,
        family: address.includes(':') ? 'IPv6' : 'IPv4',
        netmask: '',
        mac: '',
        cidr: null,
      })),
    }) as NodeJS.Dict<os.NetworkInterfaceInfo[]>;
const net = ifaces(['127.0.0.1', true], ['10.0.3.7', false]);

const errors: unknown[] = [];
function configError(env: Env, opts: Parameters<typeof loadConfig>[1] = {}): ConfigError {
  try {
    loadConfig(env, { networkInterfaces: net, ...opts });
  } catch (e) {
    errors.push(e);
    expect(e).toBeInstanceOf(ConfigError);
    return e as ConfigError;
  }
  throw new Error('expected a ConfigError');
}
const load = (env: Env, require: Array<'certificate' | 'payNotifyUrl' | 'refundNotifyUrl'> = []) =>
  loadConfig(env, { networkInterfaces: net, require });

afterAll(() => {
  expect(errors.length).toBeGreaterThan(30);
  for (const e of errors) {
    expect(String((e as Error).message)).not.toContain(KEY);
    expect(String((e as Error).message)).not.toContain(KEY.slice(0, 31));
  }
});

describe('loadConfig', () => {
  it('a minimal environment gets the documented defaults', () => {
    const c = load(base);
    expect({ ...c }).toEqual({
      appid: 'wxd930ea5d5a258f4f',
      mchId: '1900000109',
      signType: 'MD5',
      baseUrl: 'https://api.mch.weixin.qq.com',
      backupBaseUrl: 'https://api2.mch.weixin.qq.com',
      timeoutMs: 10000,
      allowLocalGateway: false,
      orderExpireMinutes: 30,
      orderMaxUnpaid: 5,
      refundStuckHours: 72,
      spbillCreateIp: '10.0.3.7',
      spbillCreateIpSource: 'interface',
    });
    expect(c.apiKey).toBe(KEY);
    expect(Object.isFrozen(c)).toBe(true);
  });

  it('the API key is not enumerable: JSON, spread and describeConfig never show it', () => {
    const c = load({ ...base, WXPAY_PAY_NOTIFY_URL: 'https://shop.example.com/wxpay/pay-notify' });
    expect(JSON.stringify(c)).not.toContain(KEY);
    expect(JSON.stringify({ ...c })).not.toContain(KEY);
    const d = describeConfig(c);
    expect(JSON.stringify(d)).not.toContain(KEY);
    expect(d.apiKey).toBe('[redacted]');
    expect(d.payNotifyUrl).toBe('https://shop.example.com/wxpay/pay-notify');
  });

  it.each(['WXPAY_APPID', 'WXPAY_MCH_ID', 'WXPAY_API_KEY'])('missing %s names it', (name) => {
    const err = configError({ ...base, [name]: undefined });
    expect(err.variable).toBe(name);
    expect(err.message).toContain(name);
    expect(configError({ ...base, [name]: '   ' }).variable).toBe(name);
  });

  it.each([
    ['WXPAY_APPID', 'wx123'],
    ['WXPAY_APPID', 'ab0123456789abcdef'],
    ['WXPAY_APPID', 'wx0123456789abcdef0'],
    ['WXPAY_MCH_ID', '1234567'],
    ['WXPAY_MCH_ID', '12345678901'],
    ['WXPAY_MCH_ID', '12345678a'],
    ['WXPAY_API_KEY', KEY.slice(0, 31)],
    ['WXPAY_API_KEY', `${KEY}0`],
    ['WXPAY_API_KEY', `${KEY.slice(0, 31)}-`],
    ['WXPAY_API_KEY', ` ${KEY.slice(1)}`],
    ['WXPAY_SIGN_TYPE', 'md5'],
    ['WXPAY_SIGN_TYPE', 'SHA256'],
    ['WXPAY_TIMEOUT_MS', '999'],
    ['WXPAY_TIMEOUT_MS', '30001'],
    ['WXPAY_TIMEOUT_MS', '5s'],
    ['ORDER_EXPIRE_MINUTES', '4'],
    ['ORDER_EXPIRE_MINUTES', '10081'],
    ['ORDER_EXPIRE_MINUTES', '30.5'],
    ['ORDER_MAX_UNPAID', '0'],
    ['ORDER_MAX_UNPAID', '101'],
    ['SHOUYIN_ALLOW_LOCAL_GATEWAY', 'yes'],
    ['WXPAY_PAY_NOTIFY_URL', 'http://shop.example.com/n'],
    ['WXPAY_PAY_NOTIFY_URL', 'https://shop.example.com/n?x=1'],
    ['WXPAY_PAY_NOTIFY_URL', 'https://127.0.0.1:8080/n'],
    ['WXPAY_PAY_NOTIFY_URL', 'http://127.0.0.1:8080/n'],
    ['WXPAY_PAY_NOTIFY_URL', '/wxpay/pay-notify'],
    ['WXPAY_REFUND_NOTIFY_URL', 'https://shop.example.com/n#frag'],
    ['WXPAY_BASE_URL', 'https://127.0.0.1:9443'],
    ['WXPAY_BASE_URL', 'http://api.mch.weixin.qq.com'],
    ['WXPAY_BASE_URL', 'https://api.mch.weixin.qq.com.evil.example'],
    ['WXPAY_BACKUP_BASE_URL', 'https://127.0.0.1:9443'],
    ['WXPAY_CA_FILE', '/tmp/ca.pem'],
    ['WXPAY_SPBILL_CREATE_IP', '127.0.0.1'],
    ['WXPAY_SPBILL_CREATE_IP', '0.0.0.0'],
    ['WXPAY_SPBILL_CREATE_IP', '10.0.0.256'],
    ['WXPAY_SPBILL_CREATE_IP', 'localhost'],
  ])('%s=%j is refused, naming the variable and not the value', (name, value) => {
    const err = configError({ ...base, [name]: value });
    expect(err.variable).toBe(name);
    expect(err.message).toContain(name);
    if (value.length > 6) expect(err.message).not.toContain(value);
  });

  it('lists every problem, the first as .variable', () => {
    const err = configError({ WXPAY_SIGN_TYPE: 'md5' });
    expect(err.variable).toBe('WXPAY_APPID');
    for (const v of ['WXPAY_APPID', 'WXPAY_MCH_ID', 'WXPAY_API_KEY', 'WXPAY_SIGN_TYPE'])
      expect(err.message).toContain(v);
  });

  it('the wrong-length key message helps without echoing', () => {
    const err = configError({ ...base, WXPAY_API_KEY: KEY.slice(0, 20) });
    expect(err.message).toMatch(/APIv2 key.*20 characters/);
  });

  it('HMAC-SHA256 and the numeric settings', () => {
    const c = load({
      ...base,
      WXPAY_SIGN_TYPE: 'HMAC-SHA256',
      WXPAY_TIMEOUT_MS: '3000',
      ORDER_EXPIRE_MINUTES: '5',
      ORDER_MAX_UNPAID: '100',
    });
    expect(c).toMatchObject({
      signType: 'HMAC-SHA256',
      timeoutMs: 3000,
      orderExpireMinutes: 5,
      orderMaxUnpaid: 100,
    });
  });

  describe('the certificate', () => {
    it('PEM paths, a .p12 path, or cloud file ids', () => {
      expect(load({ ...base, WXPAY_CERT_PATH: '/c.pem', WXPAY_KEY_PATH: '/k.pem' }).certificate).toEqual({
        kind: 'pem',
        certPath: '/c.pem',
        keyPath: '/k.pem',
      });
      expect(load({ ...base, WXPAY_P12_PATH: '/a.p12' }).certificate).toEqual({
        kind: 'p12',
        p12Path: '/a.p12',
      });
      expect(
        load({
          ...base,
          WXPAY_CERT_FILE_ID: 'cloud://env-1a2b.7368-env/certs/c.pem',
          WXPAY_KEY_FILE_ID: 'cloud://env-1a2b.7368-env/certs/k.pem',
        }).certificate,
      ).toEqual({
        kind: 'cloud',
        certFileId: 'cloud://env-1a2b.7368-env/certs/c.pem',
        keyFileId: 'cloud://env-1a2b.7368-env/certs/k.pem',
      });
      expect(load(base).certificate).toBeUndefined();
    });

    it('half a pair names the missing half', () => {
      expect(configError({ ...base, WXPAY_CERT_PATH: '/c.pem' }).variable).toBe('WXPAY_KEY_PATH');
      expect(configError({ ...base, WXPAY_KEY_PATH: '/k.pem' }).variable).toBe('WXPAY_CERT_PATH');
      expect(configError({ ...base, WXPAY_CERT_FILE_ID: 'cloud://e.b/c.pem' }).variable).toBe(
        'WXPAY_KEY_FILE_ID',
      );
    });

    it('two forms at once are refused', () => {
      const err = configError({
        ...base,
        WXPAY_CERT_PATH: '/c.pem',
        WXPAY_KEY_PATH: '/k.pem',
        WXPAY_P12_PATH: '/a.p12',
      });
      expect(err.message).toMatch(/only one certificate form/);
    });

    it('a file id must be cloud://', () => {
      expect(
        configError({ ...base, WXPAY_CERT_FILE_ID: '/c.pem', WXPAY_KEY_FILE_ID: 'cloud://e.b/k.pem' })
          .variable,
      ).toBe('WXPAY_CERT_FILE_ID');
    });

    it('required by the function → missing names WXPAY_CERT_PATH and the alternatives', () => {
      const err = configError(base, { require: ['certificate'] });
      expect(err.variable).toBe('WXPAY_CERT_PATH');
      expect(err.message).toContain('WXPAY_P12_PATH');
      expect(load({ ...base, WXPAY_P12_PATH: '/a.p12' }, ['certificate']).certificate.kind).toBe('p12');
    });

    it('notify URLs required by the function', () => {
      expect(configError(base, { require: ['payNotifyUrl'] }).variable).toBe('WXPAY_PAY_NOTIFY_URL');
      expect(configError(base, { require: ['refundNotifyUrl'] }).variable).toBe('WXPAY_REFUND_NOTIFY_URL');
      const c = load({ ...base, WXPAY_PAY_NOTIFY_URL: 'https://x.example.com/wxpay/pay-notify' }, [
        'payNotifyUrl',
      ]);
      expect(c.payNotifyUrl).toBe('https://x.example.com/wxpay/pay-notify');
      // a malformed one is reported once, as malformed
      const err = configError(
        { ...base, WXPAY_PAY_NOTIFY_URL: 'http://x.example.com/n' },
        { require: ['payNotifyUrl'] },
      );
      expect(err.message.match(/WXPAY_PAY_NOTIFY_URL/g)).toHaveLength(1);
    });
  });

  describe('local use (SHOUYIN_ALLOW_LOCAL_GATEWAY)', () => {
    const local = { ...base, SHOUYIN_ALLOW_LOCAL_GATEWAY: 'true' };

    it('accepts a sandbox base URL, a CA file and loopback notify URLs only when enabled', () => {
      const env = {
        WXPAY_BASE_URL: 'https://127.0.0.1:9443/',
        WXPAY_CA_FILE: '/tmp/sandbox/ca.pem',
        WXPAY_PAY_NOTIFY_URL: 'http://127.0.0.1:8080/wxpay/pay-notify',
        WXPAY_REFUND_NOTIFY_URL: 'http://localhost:8080/wxpay/refund-notify',
      };
      const c = load({ ...local, ...env });
      expect(c).toMatchObject({
        baseUrl: 'https://127.0.0.1:9443',
        backupBaseUrl: null, // never fail over from a sandbox to the real WeChat
        caFile: '/tmp/sandbox/ca.pem',
        allowLocalGateway: true,
      });
      const err = configError({ ...base, ...env });
      for (const v of Object.keys(env)) expect(err.message).toContain(v);
      expect(configError({ ...base, ...env, SHOUYIN_ALLOW_LOCAL_GATEWAY: 'false' }).message).toContain(
        'WXPAY_BASE_URL',
      );
    });

    it('backup URL: none disables it; default follows WeChat hosts', () => {
      expect(load({ ...base, WXPAY_BACKUP_BASE_URL: 'none' }).backupBaseUrl).toBeNull();
      expect(load({ ...base, WXPAY_BASE_URL: 'https://api2.mch.weixin.qq.com' }).backupBaseUrl).toBe(
        'https://api2.mch.weixin.qq.com',
      );
    });

    it('spbill_create_ip: the variable, else this machine’s address, else loopback only locally', () => {
      expect(load({ ...base, WXPAY_SPBILL_CREATE_IP: '203.0.113.9' })).toMatchObject({
        spbillCreateIp: '203.0.113.9',
        spbillCreateIpSource: 'env',
      });
      expect(load({ ...base, WXPAY_SPBILL_CREATE_IP: '2001:db8::1' }).spbillCreateIp).toBe('2001:db8::1');
      const v6only = ifaces(['::1', true], ['fe80::1', false], ['fd00::2', false]);
      expect(loadConfig(base, { networkInterfaces: v6only }).spbillCreateIp).toBe('fd00::2');
      const loOnly = ifaces(['127.0.0.1', true]);
      expect(configError(base, { networkInterfaces: loOnly }).variable).toBe('WXPAY_SPBILL_CREATE_IP');
      expect(loadConfig(local, { networkInterfaces: loOnly })).toMatchObject({
        spbillCreateIp: '127.0.0.1',
        spbillCreateIpSource: 'loopback',
      });
      expect(
        loadConfig({ ...local, WXPAY_SPBILL_CREATE_IP: '127.0.0.1' }, { networkInterfaces: net })
          .spbillCreateIp,
      ).toBe('127.0.0.1');
    });
  });
});

describe('clientOptionsFromConfig / loadClientCertificate', () => {
  let pki: TestPki;
  let dir: string;
  const file = (name: string, data: string | Buffer) => {
    const p = path.join(dir, name);
    writeFileSync(p, data);
    return p;
  };

  beforeAll(() => {
    pki = createTestPki('1900000109');
    dir = mkdtempSync(path.join(tmpdir(), 'shouyin-config-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('PEM files and the CA are read; options carry the merchant and gateway', () => {
    const c = load({
      ...base,
      SHOUYIN_ALLOW_LOCAL_GATEWAY: 'true',
      WXPAY_BASE_URL: 'https://127.0.0.1:9443',
      WXPAY_CA_FILE: file('ca.pem', pki.ca.cert),
      WXPAY_CERT_PATH: file('apiclient_cert.pem', pki.client.cert),
      WXPAY_KEY_PATH: file('apiclient_key.pem', pki.client.key),
      WXPAY_TIMEOUT_MS: '2000',
    });
    const o = clientOptionsFromConfig(c);
    expect(o).toMatchObject({
      appid: base.WXPAY_APPID,
      mchId: base.WXPAY_MCH_ID,
      apiKey: KEY,
      signType: 'MD5',
      baseUrl: 'https://127.0.0.1:9443',
      backupBaseUrl: null,
      timeoutMs: 2000,
    });
    expect(o.ca?.toString()).toBe(pki.ca.cert);
    expect(o.certificate).toMatchObject({ kind: 'pem' });
  });

  it('a .p12 gets the mch_id as password; a legacy one fails with the PEM alternative', () => {
    const ok = load({ ...base, WXPAY_P12_PATH: file('a.p12', toP12(pki.client, '1900000109', 'aes256')) });
    expect(clientOptionsFromConfig(ok).certificate).toMatchObject({ kind: 'p12', passphrase: '1900000109' });
    const legacy = load({
      ...base,
      WXPAY_P12_PATH: file('legacy.p12', toP12(pki.client, '1900000109', 'rc2-40')),
    });
    expect(() => clientOptionsFromConfig(legacy)).toThrow(WxPayCertificateError);
    expect(() => clientOptionsFromConfig(legacy)).toThrow(/WXPAY_CERT_PATH \+ WXPAY_KEY_PATH/);
  });

  it('an unreadable or swapped file names the variable', () => {
    const missing = load({
      ...base,
      WXPAY_CERT_PATH: path.join(dir, 'nope.pem'),
      WXPAY_KEY_PATH: file('k.pem', pki.client.key),
    });
    const e1 = (() => {
      try {
        clientOptionsFromConfig(missing);
      } catch (e) {
        errors.push(e);
        return e as ConfigError;
      }
    })();
    expect(e1).toBeInstanceOf(ConfigError);
    expect(e1!.variable).toBe('WXPAY_CERT_PATH');
    expect(e1!.message).toContain('ENOENT');
    const swapped = load({
      ...base,
      WXPAY_CERT_PATH: file('k2.pem', pki.client.key),
      WXPAY_KEY_PATH: file('c2.pem', pki.client.cert),
    });
    expect(() => clientOptionsFromConfig(swapped)).toThrow(/WXPAY_CERT_PATH/);
    expect(() => clientOptionsFromConfig(swapped)).not.toThrow(/BEGIN/);
  });

  it('cloud file ids: clientOptionsFromConfig leaves the certificate out; loadClientCertificate downloads it', async () => {
    const c = load({
      ...base,
      WXPAY_CERT_FILE_ID: 'cloud://e.b/c.pem',
      WXPAY_KEY_FILE_ID: 'cloud://e.b/k.pem',
    });
    // createPayment and reconcile start without it (they never call /secapi/).
    expect(clientOptionsFromConfig(c).certificate).toBeUndefined();
    const files: Record<string, string> = {
      'cloud://e.b/c.pem': pki.client.cert,
      'cloud://e.b/k.pem': pki.client.key,
    };
    const downloaded: string[] = [];
    const certificate = await loadClientCertificate(c, {
      download: async (id) => {
        downloaded.push(id);
        return Buffer.from(files[id]!);
      },
    });
    expect(downloaded.sort()).toEqual(['cloud://e.b/c.pem', 'cloud://e.b/k.pem']);
    expect(clientOptionsFromConfig(c, undefined, { certificate }).certificate).toBe(certificate);
    await expect(loadClientCertificate(c)).rejects.toThrow(/download function/);
    await expect(
      loadClientCertificate(c, {
        download: async () => {
          throw new Error('403');
        },
      }),
    ).rejects.toThrow(/WXPAY_CERT_FILE_ID|WXPAY_KEY_FILE_ID/);
  });

  it('loadClientCertificate refuses another merchant’s certificate and logs one expiring within 30 days', async () => {
    const c = load({
      ...base,
      WXPAY_CERT_FILE_ID: 'cloud://e.b/c.pem',
      WXPAY_KEY_FILE_ID: 'cloud://e.b/k.pem',
    });
    const foreign = createTestPki('1900000999');
    const files = (p: { cert: string; key: string }) => async (id: string) =>
      Buffer.from(id.endsWith('c.pem') ? p.cert : p.key);
    await expect(loadClientCertificate(c, { download: files(foreign.client) })).rejects.toThrow(
      /WXPAY_CERT_FILE_ID.*belongs to merchant 1900000999, not to WXPAY_MCH_ID 1900000109/,
    );
    const lines: string[] = [];
    const log = createLogger({}, { sink: (line) => lines.push(line) });
    await loadClientCertificate(c, { download: files(pki.client), log });
    expect(lines.join()).toMatch(/merchant_certificate.*expires on/);
    expect(lines.join()).not.toContain('BEGIN');
  });

  it('no certificate configured → no certificate in the options', async () => {
    expect(clientOptionsFromConfig(load(base)).certificate).toBeUndefined();
    expect(await loadClientCertificate(load(base))).toBeUndefined();
  });
});

describe('API key rotation (WXPAY_API_KEY_PREVIOUS)', () => {
  const OLD = 'Pq3vN8pX2mL7kR4tY9wB1cD6fG0hJ5sZ';
  const NOW = Date.parse('2026-12-05T10:00:00+08:00');
  const rotating = (until: string) => ({
    ...base,
    WXPAY_API_KEY_PREVIOUS: OLD,
    WXPAY_API_KEY_PREVIOUS_UNTIL: until,
  });

  it('keeps the previous key hidden like the current one, and verifies with both until the window ends', () => {
    const c = loadConfig(rotating('2026-12-08T00:00:00+08:00'), { networkInterfaces: net, now: NOW });
    expect(c.previousApiKey).toBe(OLD);
    expect(JSON.stringify(c)).not.toContain(OLD);
    expect(Object.keys(c)).not.toContain('previousApiKey');
    expect(notificationKeys(c, NOW)).toEqual([KEY, OLD]);
    expect(notificationKeys(c, Date.parse('2026-12-08T00:00:00+08:00'))).toEqual([KEY]);
    expect(notificationKeys(load(base), NOW)).toEqual([KEY]);
  });

  it.each([
    [{ ...base, WXPAY_API_KEY_PREVIOUS: OLD }, 'WXPAY_API_KEY_PREVIOUS_UNTIL'],
    [{ ...base, WXPAY_API_KEY_PREVIOUS_UNTIL: '2026-12-08T00:00:00+08:00' }, 'WXPAY_API_KEY_PREVIOUS'],
    [{ ...rotating('2026-12-08T00:00:00+08:00'), WXPAY_API_KEY_PREVIOUS: KEY }, 'WXPAY_API_KEY_PREVIOUS'],
    [{ ...rotating('2026-12-08T00:00:00+08:00'), WXPAY_API_KEY_PREVIOUS: 'short' }, 'WXPAY_API_KEY_PREVIOUS'],
    [rotating('2026-12-08'), 'WXPAY_API_KEY_PREVIOUS_UNTIL'],
    [rotating('2027-03-01T00:00:00+08:00'), 'WXPAY_API_KEY_PREVIOUS_UNTIL'],
  ])('refuses a half-configured, equal, malformed or open-ended rotation (%#)', (env, variable) => {
    const e = configError(env, { now: NOW });
    expect(e.variable).toBe(variable);
    expect(e.message).not.toContain(OLD);
  });
});
