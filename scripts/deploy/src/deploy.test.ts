import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../../test/support/paths';
import { functionVariables } from './lib/function-env';
import { openapiCalls, permissionProblems } from './lib/openapi-scan';
import { checkFolder, fixPermissions, type InstallCache } from './lib/package-check';
import type { FunctionEntry } from './lib/project';
import { triggerProblems } from './lib/triggers';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'shouyin-deploy-test-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const VALID_ENV = [
  'TCB_ENV_ID=shop-prod-1a2b',
  'WXPAY_APPID=wx0123456789abcdef',
  'WXPAY_MCH_ID=1900000109',
  'WXPAY_API_KEY=0123456789abcdefABCDEF0123456789',
  'WXPAY_CERT_FILE_ID=cloud://shop-prod-1a2b.7368-shop/private/apiclient_cert.pem',
  'WXPAY_KEY_FILE_ID=cloud://shop-prod-1a2b.7368-shop/private/apiclient_key.pem',
];

/** Runs the built deploy script against this repository with its own .env and a temporary HOME. */
function deploy(envLines: string[], args: string[]) {
  const dir = mkdtempSync(path.join(tmp, 'run-'));
  writeFileSync(path.join(dir, '.env'), `${envLines.join('\n')}\n`);
  const home = path.join(dir, 'home');
  mkdirSync(home);
  const r = spawnSync(
    process.execPath,
    [path.join(REPO_ROOT, 'scripts/deploy/dist/deploy.js'), '--env-file', path.join(dir, '.env'), ...args],
    { cwd: REPO_ROOT, env: { PATH: process.env.PATH ?? '', HOME: home }, encoding: 'utf8' },
  );
  return { code: r.status, out: r.stdout + r.stderr };
}

describe('npm run deploy -- --dry-run', () => {
  it('prints every function with its runtime, timeout, variables, permissions and timer, the routes, collections, indexes, rules and notify URLs', () => {
    const { code, out } = deploy(VALID_ENV, ['--dry-run']);
    expect(code).toBe(0);
    expect(out).toContain('Deploy plan for CloudBase environment shop-prod-1a2b');
    expect(out).toMatch(/createPayment: runtime Nodejs20\.19, handler index\.main, timeout 20 s/);
    expect(out).toMatch(/reconcile: .*\n.*\n.*\n\s+timer trigger reconcileTimer: 0 \*\/5 \* \* \* \* \*/);
    expect(out).toContain('/wxpay/pay-notify → payNotify');
    expect(out).toMatch(
      /orders: rule \{"read":false,"write":false\}\n\s+index openid_id: _openid asc, _id desc/,
    );
    expect(out).toContain('index status_nextCheckAt: status asc, nextCheckAt asc');
    expect(out).toContain('payment: https://shop-prod-1a2b.service.tcloudbase.com/wxpay/pay-notify');
    expect(out).toContain('Dry run: nothing was uploaded.');
    // names only: no secret value is printed
    expect(out).not.toContain('0123456789abcdefABCDEF0123456789');
    // payNotify gets the merchant core only: no notify URL, no certificate
    const payNotify = /payNotify: runtime[^\n]*\n\s+variables \(\d+\/4096 bytes\): ([^\n]*)/.exec(out)?.[1];
    expect(payNotify).toBe('WXPAY_API_KEY, WXPAY_APPID, WXPAY_MCH_ID, WXPAY_SIGN_TYPE');
  });

  it.each([
    ['SHOUYIN_ALLOW_LOCAL_GATEWAY=true', 'SHOUYIN_ALLOW_LOCAL_GATEWAY'],
    ['WXPAY_BASE_URL=https://127.0.0.1:8443', 'WXPAY_BASE_URL'],
    ['WXPAY_PAY_NOTIFY_URL=http://shop.example.com/wxpay/pay-notify', 'WXPAY_PAY_NOTIFY_URL'],
    ['WXPAY_API_KEY=short', 'WXPAY_API_KEY'],
    ['WXPAY_CA_FILE=/tmp/sandbox-ca.pem', 'WXPAY_CA_FILE'],
    ['WXPAY_PAY_NOTIFY_URL=https://shop.example.com:8443/wxpay/pay-notify', 'must not name a port'],
  ])('refuses %s before anything is uploaded, with or without --dry-run', (line, variable) => {
    for (const args of [['--dry-run'], []]) {
      const { code, out } = deploy([...VALID_ENV, line], args);
      expect(code).toBe(1);
      expect(out).toContain('deploy refused (nothing was uploaded)');
      expect(out).toContain(variable);
      expect(out).not.toContain('Deploy plan');
      expect(out).not.toMatch(/^deploy: /m);
    }
  });

  it('refuses a certificate given only as a local path, and a missing environment id', () => {
    const local = deploy(
      [
        ...VALID_ENV.filter((l) => !l.includes('FILE_ID')),
        'WXPAY_CERT_PATH=./a.pem',
        'WXPAY_KEY_PATH=./b.pem',
      ],
      ['--dry-run'],
    );
    expect(local.code).toBe(1);
    expect(local.out).toContain('set WXPAY_CERT_FILE_ID + WXPAY_KEY_FILE_ID');
    const noEnv = deploy(VALID_ENV.slice(1), ['--dry-run']);
    expect(noEnv.code).toBe(1);
    expect(noEnv.out).toContain('TCB_ENV_ID');
  });

  it('without cloud credentials stops after the plan', () => {
    const { code, out } = deploy(VALID_ENV, []);
    expect(code).toBe(1);
    expect(out).toContain('set TCB_SECRET_ID and TCB_SECRET_KEY');
  });
});

describe('openapi permissions', () => {
  it('finds every cloud.openapi call path in a bundle', () => {
    const code = `a = cloud.openapi.subscribeMessage.send({}); b = deps.openapi.wxa.sec.order.uploadShippingInfo(x);
      c = cloud.openapi({ convertCase: false }); d = "openapi docs"; e = openapi . wxa . sec . order . getOrder ()
      f = (d) => cloud.openapi({ convertCase: false }).wxa.sec.order.isTradeManaged(d)`;
    expect(openapiCalls(code)).toEqual([
      'subscribeMessage.send',
      'wxa.sec.order.getOrder',
      'wxa.sec.order.isTradeManaged',
      'wxa.sec.order.uploadShippingInfo',
    ]);
  });

  it('reports a missing and a superfluous permission', () => {
    expect(permissionProblems('f', ['subscribeMessage.send'], ['subscribeMessage.send'])).toEqual([]);
    const p = permissionProblems('f', ['subscribeMessage.send'], ['wxa.sec.order.uploadShippingInfo']);
    expect(p).toHaveLength(2);
    expect(p[0]).toContain('lacks "subscribeMessage.send"');
    expect(p[1]).toContain('never calls it');
  });
});

describe('timer triggers', () => {
  it('accepts one 7-field timer and refuses two, a 6-field cron and week digits', () => {
    expect(
      triggerProblems('r', [{ name: 'reconcileTimer', type: 'timer', config: '0 */5 * * * * *' }]),
    ).toEqual([]);
    expect(
      triggerProblems('r', [
        { name: 'a', type: 'timer', config: '0 */5 * * * *' },
        { name: 'b', type: 'timer', config: '0 0 8 * * 1 *' },
      ]),
    ).toHaveLength(3);
  });
});

describe('function variables', () => {
  const dotenv = {
    WXPAY_APPID: 'wx0123456789abcdef',
    WXPAY_API_KEY: 'k',
    WXPAY_CERT_FILE_ID: 'cloud://a/b',
    WXPAY_KEY_FILE_ID: 'cloud://a/c',
    WXPAY_CERT_PATH: './local.pem',
    WXPAY_REFUND_NOTIFY_URL: 'https://x/r',
    PRINTER_USER: 'u',
    TCB_SECRET_KEY: 's',
  };
  const config = `get("WXPAY_APPID"); get("WXPAY_API_KEY"); get("WXPAY_CERT_FILE_ID"); get("WXPAY_KEY_FILE_ID");
    get("WXPAY_CERT_PATH"); get("WXPAY_REFUND_NOTIFY_URL"); get("TCB_SECRET_KEY");`;
  it('gives the certificate and refund URL only to a function that requires them, never local paths or cloud keys', () => {
    const refunds = functionVariables(
      `${config} loadConfig(process.env, { require: ["certificate", "refundNotifyUrl"] })`,
      {},
      dotenv,
    );
    expect(Object.keys(refunds).sort()).toEqual([
      'WXPAY_API_KEY',
      'WXPAY_APPID',
      'WXPAY_CERT_FILE_ID',
      'WXPAY_KEY_FILE_ID',
      'WXPAY_REFUND_NOTIFY_URL',
    ]);
    const notify = functionVariables(`${config} loadConfig(process.env)`, { WXPAY_SIGN_TYPE: 'MD5' }, dotenv);
    expect(Object.keys(notify).sort()).toEqual(['WXPAY_API_KEY', 'WXPAY_APPID', 'WXPAY_SIGN_TYPE']);
  });
});

describe('package check of one folder', () => {
  function folder(name: string, code: string, deps: Record<string, string> = {}): FunctionEntry {
    const dir = path.join(tmp, 'fns', name);
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'index.js'), code);
    writeFileSync(
      path.join(dir, 'package.json'),
      JSON.stringify({ name, main: 'index.js', dependencies: deps }),
    );
    return {
      name,
      dir,
      built: true,
      runtime: 'Nodejs20.19',
      timeout: 10,
      memorySize: 256,
      handler: 'index.main',
      envVariables: {},
      openapi: [],
      triggers: [],
      dependencies: deps,
    };
  }
  // A cache holding a stand-in "fake-sdk" package: what npm would have installed for {"fake-sdk": "1.0.0"}.
  const installs: string[] = [];
  const cache: InstallCache = {
    nodeModules(deps) {
      const dir = path.join(tmp, 'cache', Object.keys(deps).join('+') || 'none', 'node_modules');
      installs.push(dir);
      for (const d of Object.keys(deps)) {
        mkdirSync(path.join(dir, d), { recursive: true });
        writeFileSync(path.join(dir, d, 'index.js'), 'exports.ok = true;');
      }
      mkdirSync(dir, { recursive: true });
      return { dir, installed: true };
    },
  };

  it('passes a folder that loads alone with its declared dependencies and exports main', () => {
    const fn = folder('good', `require('fake-sdk'); exports.main = async () => 1;`, { 'fake-sdk': '1.0.0' });
    expect(checkFolder(fn, cache, {}).problems).toEqual([]);
  });

  it('fails a folder requiring an undeclared module, one without main, one whose cold start refuses its configuration, and an undeclared openapi call', () => {
    const missing = checkFolder(
      folder('missing', `require('not-declared'); exports.main = () => 1;`),
      cache,
      {},
    );
    expect(missing.problems.join()).toContain("Cannot find module 'not-declared'");
    const noMain = checkFolder(folder('nomain', 'exports.handler = () => 1;'), cache, {});
    expect(noMain.problems.join()).toContain('exports no main function');
    const config = checkFolder(
      folder(
        'config',
        `if (!process.env.WXPAY_APPID) throw new Error('ConfigError WXPAY_APPID'); exports.main = () => 1;`,
      ),
      cache,
      {},
    );
    expect(config.problems.join()).toContain('WXPAY_APPID');
    expect(
      checkFolder(
        folder('config2', `if (!process.env.WXPAY_APPID) throw 1; exports.main = () => 1;`),
        cache,
        { WXPAY_APPID: 'x' },
      ).problems,
    ).toEqual([]);
    const perm = checkFolder(
      folder('perm', `exports.main = () => cloud.openapi.subscribeMessage.send({});`),
      cache,
      {},
    );
    expect(perm.problems.join()).toContain('lacks "subscribeMessage.send"');
    const entry = folder('perm2', `exports.main = () => cloud.openapi.wxa.sec.order.uploadShippingInfo({});`);
    writeFileSync(
      path.join(entry.dir, 'config.json'),
      JSON.stringify({ permissions: { openapi: ['x.y'] }, triggers: [] }),
    );
    expect(fixPermissions({ ...entry, openapi: ['x.y'] })).toContain('[wxa.sec.order.uploadShippingInfo]');
    expect(JSON.parse(readFileSync(path.join(entry.dir, 'config.json'), 'utf8'))).toEqual({
      permissions: { openapi: ['wxa.sec.order.uploadShippingInfo'] },
      triggers: [],
    });
    expect(
      checkFolder({ ...entry, openapi: ['wxa.sec.order.uploadShippingInfo'] }, cache, {}).problems,
    ).toEqual([]);
  });
});
