/**
 * npm run admin -- [--local [URL]] <command> — administers a CloudBase environment (TCB_ENV_ID with
 * TCB_SECRET_ID/TCB_SECRET_KEY from .env; untested here) or, with --local, a running emulator (its URL, or
 * .data/emulator.json's). Commands:
 *   provision                                   collections, indexes and security rules from cloudbase-db.json
 *   import-catalogue <file.json|file.csv>       products (whole fen), created or replaced by _id
 *   merchant add <merchantId> <openid> [--role reviewer|alert|both] [--name NAME]
 *   merchant remove <merchantId> <openid> [--role reviewer|alert|both]
 *   printer bind <merchantId> --sn SN [--provider feie] [--copies N]
 *   printer unbind <merchantId>
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseCatalogue } from './lib/admin/catalogue';
import { CloudAdmin } from './lib/admin/cloud-adapter';
import { EmulatorAdmin } from './lib/admin/emulator-adapter';
import type { AdminPort } from './lib/admin/port';
import {
  addMerchantOpenid,
  bindPrinter,
  importCatalogue,
  type MerchantRole,
  provision,
  removeMerchantOpenid,
  unbindPrinter,
} from './lib/admin/use-cases';
import { readEnvFile } from './lib/env-file';
import { loadDeployProject } from './lib/project';

const argv = process.argv.slice(2);
const flag = (name: string): string | undefined => {
  const i = argv.indexOf(name);
  if (i < 0) return undefined;
  const v = argv[i + 1];
  argv.splice(i, v === undefined || v.startsWith('--') ? 1 : 2);
  return v === undefined || v.startsWith('--') ? '' : v;
};

function port(root: string): AdminPort {
  const local = flag('--local');
  if (local !== undefined) {
    let url = local;
    if (url === '') {
      const info = path.join(root, '.data/emulator.json');
      if (!existsSync(info))
        throw new Error('no running emulator (.data/emulator.json): npm start, or --local URL');
      url = (JSON.parse(readFileSync(info, 'utf8')) as { baseUrl: string }).baseUrl;
    }
    return new EmulatorAdmin(url.replace(/\/+$/, ''));
  }
  const env = { ...readEnvFile(path.join(root, '.env')), ...process.env } as Record<string, string>;
  if (!env.TCB_ENV_ID || !env.TCB_SECRET_ID || !env.TCB_SECRET_KEY)
    throw new Error('set TCB_ENV_ID, TCB_SECRET_ID and TCB_SECRET_KEY (or use --local)');
  return new CloudAdmin(root, {
    envId: env.TCB_ENV_ID,
    secretId: env.TCB_SECRET_ID,
    secretKey: env.TCB_SECRET_KEY,
  });
}

async function run(): Promise<void> {
  const root = path.resolve(flag('--repo') || process.cwd());
  const role = (flag('--role') || 'both') as MerchantRole;
  if (!['reviewer', 'alert', 'both'].includes(role)) throw new Error('--role is reviewer, alert or both');
  const name = flag('--name');
  const sn = flag('--sn');
  const provider = flag('--provider') || 'feie';
  const copies = Number(flag('--copies') || '1');
  const p = port(root);
  const [cmd, sub, a, b] = argv;
  const log = (s: string) => console.log(`admin: ${s}`);
  if (cmd === 'provision') return provision(p, loadDeployProject(root), log);
  if (cmd === 'import-catalogue' && sub) {
    const products = parseCatalogue(
      readFileSync(sub, 'utf8'),
      sub.toLowerCase().endsWith('.csv') ? 'csv' : 'json',
    );
    log(`${await importCatalogue(p, products)} product(s) imported`);
    return;
  }
  if (cmd === 'merchant' && sub === 'add' && a && b) {
    await addMerchantOpenid(p, a, b, role, name || undefined);
    return log(`${b} added to merchant ${a} (${role})`);
  }
  if (cmd === 'merchant' && sub === 'remove' && a && b) {
    await removeMerchantOpenid(p, a, b, role);
    return log(`${b} removed from merchant ${a} (${role})`);
  }
  if (cmd === 'printer' && sub === 'bind' && a && sn) {
    await bindPrinter(p, a, { provider, sn, copies });
    return log(`printer ${sn} bound to merchant ${a}`);
  }
  if (cmd === 'printer' && sub === 'unbind' && a) {
    await unbindPrinter(p, a);
    return log(`printer unbound from merchant ${a}`);
  }
  throw new Error('usage: see the header of scripts/deploy/src/admin.ts or docs/deploy.md "Admin scripts"');
}

run().catch((e: unknown) => {
  console.error(`admin: ${(e as Error).message}`);
  process.exitCode = 1;
});
