// npm run doctor: checks a deploy configuration (.env + the built project) and says in plain words what is
// wrong and how to fix it. Pure apart from reading the certificate files named in .env; the remote checks
// live in remote-doctor.ts.

import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { type ClientCertificate, judgeMerchantCertificate, notifyUrlProblem } from '@shouyin/shared';
import { makePlan, PlanRefused } from './plan';
import type { DeployProject } from './project';

export type Level = 'ok' | 'warn' | 'fail';
export interface Finding {
  level: Level;
  topic: string;
  text: string;
}

/** The exact commands that turn a legacy (RC2) WeChat .p12 into the PEM pair Node's OpenSSL 3 reads. */
export function p12ConversionCommands(p12Path: string, mchId: string): string {
  const dir = path.dirname(p12Path);
  const out = (f: string) => path.join(dir, f);
  return [
    `openssl pkcs12 -legacy -in ${p12Path} -passin pass:${mchId} -clcerts -nokeys -out ${out('apiclient_cert.pem')}`,
    `openssl pkcs12 -legacy -in ${p12Path} -passin pass:${mchId} -nocerts -nodes -out ${out('apiclient_key.pem')}`,
  ].join('\n    ');
}

/** Reads a .p12 with node-forge (a devDependency, available where doctor runs) into a PEM pair. */
type P12Reader = (pfx: Buffer, password: string) => { cert: string; key: string } | undefined;

export function forgeP12Reader(): P12Reader | undefined {
  let forge: typeof import('node-forge');
  try {
    forge = createRequire(path.join(process.cwd(), 'package.json'))('node-forge');
  } catch {
    return undefined;
  }
  return (pfx, password) => {
    try {
      const p12 = forge.pkcs12.pkcs12FromAsn1(forge.asn1.fromDer(pfx.toString('binary')), password);
      const cert = p12.getBags({ bagType: forge.pki.oids.certBag! })[forge.pki.oids.certBag!]?.[0]?.cert;
      const key = p12.getBags({ bagType: forge.pki.oids.pkcs8ShroudedKeyBag! })[
        forge.pki.oids.pkcs8ShroudedKeyBag!
      ]?.[0]?.key;
      if (!cert || !key) return undefined;
      return { cert: forge.pki.certificateToPem(cert), key: forge.pki.privateKeyToPem(key) };
    } catch {
      return undefined;
    }
  };
}

const API_KEY = /^[0-9A-Za-z]{32}$/;

export interface DoctorInput {
  root: string;
  project: DeployProject;
  dotenv: Record<string, string>;
  envId: string | undefined;
  now?: number;
  readP12?: P12Reader | undefined;
}

export function diagnose(input: DoctorInput): Finding[] {
  const { dotenv: env } = input;
  const f: Finding[] = [];
  const add = (level: Level, topic: string, text: string) => f.push({ level, topic, text });
  const mchId = env.WXPAY_MCH_ID ?? '';

  // Merchant identity and API key
  if (!/^wx[0-9a-zA-Z]{16}$/.test(env.WXPAY_APPID ?? ''))
    add(
      'fail',
      'AppID',
      'WXPAY_APPID must be the mini-program AppID: wx + 16 letters/digits (小程序后台 → 开发管理)',
    );
  else add('ok', 'AppID', `WXPAY_APPID ${env.WXPAY_APPID}`);
  if (!/^\d{8,10}$/.test(mchId)) add('fail', 'merchant', 'WXPAY_MCH_ID must be the 8–10 digit 商户号');
  else add('ok', 'merchant', `WXPAY_MCH_ID ${mchId}`);
  const key = env.WXPAY_API_KEY ?? '';
  if (key === '')
    add('fail', 'API key', 'WXPAY_API_KEY is not set: 商户平台 → 账户中心 → API安全 → 设置APIv2密钥');
  else if (!API_KEY.test(key))
    add(
      'fail',
      'API key',
      `WXPAY_API_KEY has ${key.length} characters; the APIv2 key is exactly 32 letters/digits ` +
        '(not the AppSecret, which is also 32 hex characters but signs nothing; not the APIv3 key)',
    );
  else if (/^[0-9a-f]{32}$/.test(key))
    add(
      'warn',
      'API key',
      'WXPAY_API_KEY is 32 lowercase hex characters, which is what an AppSecret looks like: make sure it is the APIv2 key',
    );
  else
    add(
      'ok',
      'API key',
      'WXPAY_API_KEY has the APIv2 key’s shape (32 letters/digits); its value is never printed',
    );

  // Certificate (local copy)
  certificateFindings(input, add);

  // Notify URLs
  for (const name of ['WXPAY_PAY_NOTIFY_URL', 'WXPAY_REFUND_NOTIFY_URL']) {
    const url = env[name];
    if (!url) {
      add(
        'ok',
        'notify URL',
        `${name} not set: the environment's default domain + cloudbase-routes.json path is used`,
      );
      continue;
    }
    const why = notifyUrlProblem(url, false);
    const u = URL.canParse(url) ? new URL(url) : undefined;
    if (why) add('fail', 'notify URL', `${name} ${why}`);
    else if (u?.port) add('fail', 'notify URL', `${name} has a port (:${u.port}); WeChat calls 443 only`);
    else if (!input.project.routes.some((r) => u?.pathname === r.path))
      add('fail', 'notify URL', `${name} path ${u?.pathname} is not a route of cloudbase-routes.json`);
    else add('ok', 'notify URL', `${name} ${url}`);
  }

  // Channels: template ids and printer credentials the functions read
  const bundles = input.project.functions
    .filter((fn) => fn.built)
    .map((fn) => readFileSync(path.join(fn.dir, 'index.js'), 'utf8'))
    .join('\n');
  const read = new Set(bundles.match(/\b[A-Z][A-Z0-9]*_[A-Z0-9_]+\b/g) ?? []);
  for (const name of [...read].filter((n) => /TEMPLATE/.test(n)).sort()) {
    const v = env[name];
    if (!v) add('warn', 'templates', `${name} is not set: that subscribe message will not be sent`);
    else if (!/^[A-Za-z0-9_-]{20,64}$/.test(v))
      add('fail', 'templates', `${name} does not look like a template id (小程序后台 → 订阅消息 → 我的模板)`);
    else add('ok', 'templates', `${name} set`);
  }
  const printerVars = [...read].filter((n) => /PRINTER|FEIE/.test(n)).sort();
  const setPrinter = printerVars.filter((n) => env[n]);
  if (setPrinter.length > 0 && setPrinter.length < printerVars.length)
    add(
      'fail',
      'printer',
      `printer credentials incomplete: set ${printerVars.filter((n) => !env[n]).join(', ')}`,
    );
  else if (setPrinter.length > 0) add('ok', 'printer', `printer credentials set (${setPrinter.join(', ')})`);

  // The whole plan: sandbox settings, per-function configuration, 4 KB
  try {
    const plan = makePlan(input.project, input.envId, env);
    for (const fn of plan.functions) add('ok', 'variables', `${fn.name}: ${fn.envBytes}/4096 bytes`);
    for (const w of plan.warnings) add('warn', 'plan', w);
  } catch (e) {
    if (!(e instanceof PlanRefused)) throw e;
    for (const p of e.problems) add('fail', 'deploy plan', p);
  }
  return f;
}

function certificateFindings(input: DoctorInput, add: (l: Level, t: string, s: string) => void): void {
  const env = input.dotenv;
  const mchId = env.WXPAY_MCH_ID ?? '';
  const rel = (p: string) => path.resolve(input.root, p);
  const fileIds = env.WXPAY_CERT_FILE_ID && env.WXPAY_KEY_FILE_ID;
  let cert: ClientCertificate | undefined;
  let where = '';
  if (env.WXPAY_CERT_PATH || env.WXPAY_KEY_PATH) {
    const [c, k] = [env.WXPAY_CERT_PATH ?? '', env.WXPAY_KEY_PATH ?? ''];
    if (!c || !k || !existsSync(rel(c)) || !existsSync(rel(k))) {
      add(
        'fail',
        'certificate',
        'WXPAY_CERT_PATH and WXPAY_KEY_PATH must both name existing files (apiclient_cert.pem, apiclient_key.pem)',
      );
      return;
    }
    cert = { kind: 'pem', cert: readFileSync(rel(c)), key: readFileSync(rel(k)) };
    where = `${c} + ${k}`;
  } else if (env.WXPAY_P12_PATH) {
    const p = env.WXPAY_P12_PATH;
    if (!existsSync(rel(p))) {
      add('fail', 'certificate', `WXPAY_P12_PATH ${p} does not exist`);
      return;
    }
    const pfx = readFileSync(rel(p));
    const loads = judgeMerchantCertificate({ kind: 'p12', pfx, passphrase: mchId }, mchId, input.now);
    if (loads.errors.some((e) => e.includes('legacy encryption'))) {
      add(
        'fail',
        'certificate',
        `${p} is a legacy .p12 (RC2) that Node’s OpenSSL 3 cannot read. Use the apiclient_cert.pem and apiclient_key.pem ` +
          `from the same download, or convert it:\n    ${p12ConversionCommands(p, mchId)}`,
      );
    } else if (loads.errors.length > 0) {
      add('fail', 'certificate', `${p}: ${loads.errors.join('; ')}`);
      return;
    }
    const pair = input.readP12?.(pfx, mchId);
    if (!pair) {
      if (loads.errors.length === 0)
        add('warn', 'certificate', `${p} loads; its merchant number and expiry were not checked`);
      return;
    }
    cert = { kind: 'pem', cert: pair.cert, key: pair.key };
    where = p;
  } else if (fileIds) {
    add(
      'warn',
      'certificate',
      'only cloud file ids are set: set WXPAY_CERT_PATH + WXPAY_KEY_PATH to the local copy so doctor can check it',
    );
    return;
  } else {
    add(
      'warn',
      'certificate',
      'no merchant certificate: payments work, refunds will not (docs/deploy.md "The merchant certificate")',
    );
    return;
  }
  const v = judgeMerchantCertificate(cert, mchId, input.now);
  for (const e of v.errors) add('fail', 'certificate', `${where}: ${e}`);
  for (const w of v.warnings) add('warn', 'certificate', `${where}: ${w}`);
  if (v.errors.length === 0 && v.facts)
    add(
      'ok',
      'certificate',
      `${where}: merchant ${v.facts.commonName}, valid until ${v.facts.notAfter.toISOString().slice(0, 10)}`,
    );
  if (!fileIds && v.errors.length === 0)
    add(
      'fail',
      'certificate',
      'upload the PEM pair to cloud storage and set WXPAY_CERT_FILE_ID + WXPAY_KEY_FILE_ID (docs/deploy.md)',
    );
}

export function formatFindings(findings: Finding[]): string {
  const mark: Record<Level, string> = { ok: 'ok  ', warn: 'WARN', fail: 'FAIL' };
  const lines = findings.map((x) => `${mark[x.level]} ${x.topic}: ${x.text}`);
  const fails = findings.filter((x) => x.level === 'fail').length;
  const warns = findings.filter((x) => x.level === 'warn').length;
  lines.push(
    '',
    fails === 0 ? `Ready to deploy (${warns} warning(s)).` : `${fails} problem(s) to fix before deploying.`,
  );
  return lines.join('\n');
}
