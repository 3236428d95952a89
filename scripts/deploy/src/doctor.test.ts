import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createTestPki, toP12 } from '../../../shared/src/wxpay/test-certs';
import { REPO_ROOT } from '../../../test/support/paths';
import { diagnose, type Finding, forgeP12Reader } from './lib/doctor';
import { makePlan, PlanRefused } from './lib/plan';
import { type DeployProject, loadDeployProject } from './lib/project';

const MCH = '1900000109';
const tmp = mkdtempSync(path.join(os.tmpdir(), 'shouyin-doctor-test-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const mine = createTestPki(MCH, 365);
const other = createTestPki('1900000999');
const write = (name: string, data: string | Buffer) => {
  const p = path.join(tmp, name);
  writeFileSync(p, data);
  return p;
};
const certPath = write('apiclient_cert.pem', mine.client.cert);
const keyPath = write('apiclient_key.pem', mine.client.key);
const otherCert = write('other_cert.pem', other.client.cert);
const otherKey = write('other_key.pem', other.client.key);
const legacyP12 = write('apiclient_cert.p12', toP12(mine.client, MCH, 'rc2-40'));

const project = loadDeployProject(REPO_ROOT);
const BASE: Record<string, string> = {
  TCB_ENV_ID: 'shop-prod-1a2b',
  WXPAY_APPID: 'wx0123456789abcdef',
  WXPAY_MCH_ID: MCH,
  WXPAY_API_KEY: '0123456789abcdefABCDEF0123456789',
  WXPAY_CERT_FILE_ID: 'cloud://shop-prod-1a2b.7368-shop/private/apiclient_cert.pem',
  WXPAY_KEY_FILE_ID: 'cloud://shop-prod-1a2b.7368-shop/private/apiclient_key.pem',
  WXPAY_CERT_PATH: certPath,
  WXPAY_KEY_PATH: keyPath,
};
const run = (overrides: Record<string, string | undefined>): Finding[] => {
  const dotenv = { ...BASE, ...overrides } as Record<string, string>;
  for (const k of Object.keys(dotenv)) if (dotenv[k] === undefined) delete dotenv[k];
  return diagnose({ root: tmp, project, dotenv, envId: dotenv.TCB_ENV_ID, readP12: forgeP12Reader() });
};
const fails = (f: Finding[]) => f.filter((x) => x.level === 'fail').map((x) => `${x.topic}: ${x.text}`);
const warns = (f: Finding[]) => f.filter((x) => x.level === 'warn').map((x) => `${x.topic}: ${x.text}`);

describe('npm run doctor', () => {
  it('passes a complete configuration and names the certificate’s merchant and expiry, never a secret', () => {
    const f = run({});
    expect(fails(f)).toEqual([]);
    const text = JSON.stringify(f);
    expect(text).toContain(`merchant ${MCH}, valid until`);
    expect(text).toMatch(/createPayment: \d+\/4096 bytes/);
    expect(text).not.toContain(BASE.WXPAY_API_KEY);
    expect(text).not.toContain('BEGIN');
  });

  it('explains a wrong API key: wrong length, and warns on an AppSecret-shaped one', () => {
    expect(fails(run({ WXPAY_API_KEY: 'abc' })).join()).toContain(
      'has 3 characters; the APIv2 key is exactly 32',
    );
    expect(warns(run({ WXPAY_API_KEY: '0123456789abcdef0123456789abcdef' })).join()).toContain('AppSecret');
  });

  it('refuses another merchant’s certificate and an expired one; warns within 30 days', () => {
    expect(fails(run({ WXPAY_CERT_PATH: otherCert, WXPAY_KEY_PATH: otherKey })).join()).toContain(
      'belongs to merchant 1900000999, not to WXPAY_MCH_ID 1900000109',
    );
    const soon = diagnose({
      root: tmp,
      project,
      dotenv: BASE,
      envId: BASE.TCB_ENV_ID,
      now: Date.now() + 340 * 86_400_000,
    });
    expect(warns(soon).join()).toMatch(/expires on \d{4}-\d{2}-\d{2} \(in \d+ days\)/);
    const late = diagnose({
      root: tmp,
      project,
      dotenv: BASE,
      envId: BASE.TCB_ENV_ID,
      now: Date.now() + 400 * 86_400_000,
    });
    expect(fails(late).join()).toContain('expired on');
  });

  it('gives the exact openssl commands for a legacy .p12 and still reads its merchant and expiry', () => {
    const f = run({ WXPAY_CERT_PATH: undefined, WXPAY_KEY_PATH: undefined, WXPAY_P12_PATH: legacyP12 });
    const text = fails(f).join('\n');
    expect(text).toContain(
      `openssl pkcs12 -legacy -in ${legacyP12} -passin pass:${MCH} -clcerts -nokeys -out ${path.join(tmp, 'apiclient_cert.pem')}`,
    );
    expect(text).toContain(
      `openssl pkcs12 -legacy -in ${legacyP12} -passin pass:${MCH} -nocerts -nodes -out ${path.join(tmp, 'apiclient_key.pem')}`,
    );
    expect(JSON.stringify(f)).toContain(`merchant ${MCH}, valid until`);
  });

  it('refuses http, port and off-route notify URLs, and a sandbox switch', () => {
    expect(fails(run({ WXPAY_PAY_NOTIFY_URL: 'http://shop.example.com/wxpay/pay-notify' })).join()).toContain(
      'WXPAY_PAY_NOTIFY_URL must be a public https URL',
    );
    expect(
      fails(run({ WXPAY_PAY_NOTIFY_URL: 'https://shop.example.com:8443/wxpay/pay-notify' })).join(),
    ).toContain('has a port (:8443)');
    expect(fails(run({ WXPAY_PAY_NOTIFY_URL: 'https://shop.example.com/notify' })).join()).toContain(
      'is not a route of cloudbase-routes.json',
    );
    expect(fails(run({ SHOUYIN_ALLOW_LOCAL_GATEWAY: 'true' })).join()).toContain(
      'SHOUYIN_ALLOW_LOCAL_GATEWAY',
    );
  });

  it('says when the certificate is only local (not uploaded) or missing', () => {
    expect(fails(run({ WXPAY_CERT_FILE_ID: undefined, WXPAY_KEY_FILE_ID: undefined })).join()).toContain(
      'upload the PEM pair to cloud storage',
    );
    expect(
      warns(
        run({
          WXPAY_CERT_PATH: undefined,
          WXPAY_KEY_PATH: undefined,
          WXPAY_CERT_FILE_ID: undefined,
          WXPAY_KEY_FILE_ID: undefined,
        }),
      ).join(),
    ).toContain('refunds will not');
  });

  it('the CLI exits 1 on a problem and 0 on a clean configuration', () => {
    const home = path.join(tmp, 'home');
    mkdirSync(home, { recursive: true });
    const cli = (lines: Record<string, string>) => {
      const env = write(
        `env-${Math.random()}`,
        Object.entries(lines)
          .map(([k, v]) => `${k}=${v}`)
          .join('\n'),
      );
      return spawnSync(
        process.execPath,
        [path.join(REPO_ROOT, 'scripts/deploy/dist/doctor.js'), '--env-file', env],
        {
          cwd: REPO_ROOT,
          env: { PATH: process.env.PATH ?? '', HOME: home },
          encoding: 'utf8',
        },
      );
    };
    const ok = cli(BASE);
    expect(ok.stdout).toContain('Ready to deploy');
    expect(ok.status).toBe(0);
    const bad = cli({ ...BASE, WXPAY_API_KEY: 'x' });
    expect(bad.status).toBe(1);
    expect(bad.stdout).toContain('problem(s) to fix before deploying');
  });
});

describe('4 KB of variables per function', () => {
  it('refuses a function whose variables exceed CloudBase’s limit', () => {
    const big: DeployProject = {
      ...project,
      functions: project.functions.map((f) =>
        f.name === 'payNotify' ? { ...f, envVariables: { ...f.envVariables, NOTE: 'x'.repeat(4000) } } : f,
      ),
    };
    const e = (() => {
      try {
        makePlan(big, BASE.TCB_ENV_ID, BASE);
      } catch (err) {
        return err;
      }
    })();
    expect(e).toBeInstanceOf(PlanRefused);
    expect((e as PlanRefused).problems.join()).toMatch(
      /payNotify: its variables total \d+ bytes, over CloudBase's 4 KB/,
    );
  });

  it('refuses more indexes than CloudBase allows, repeated index names and rules for an unknown collection', () => {
    const ix = (name: string) => ({ name, keys: [['f', 1]] as [string, 1][] });
    const refused = (p: DeployProject) => {
      try {
        makePlan(p, BASE.TCB_ENV_ID, BASE);
      } catch (err) {
        return (err as PlanRefused).problems.join();
      }
      return '';
    };
    const many = Array.from({ length: 20 }, (_, i) => ix(`i${i}`));
    expect(refused({ ...project, indexes: { orders: many } })).toContain('orders has 20 indexes');
    expect(refused({ ...project, indexes: { orders: [ix('a'), ix('a')] } })).toContain(
      'repeats an index name',
    );
    expect(refused({ ...project, rules: { nope: { read: true } } })).toContain(
      'rules for unknown collection nope',
    );
  });
});
