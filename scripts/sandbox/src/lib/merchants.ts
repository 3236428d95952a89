/**
 * Merchant configuration. Without any, one demo merchant exists. An API key that the configuration does
 * not give is generated at first start and kept in `<stateDir>/keys.json` (mode 0600), so restarts keep
 * it — no secret is ever hard-coded.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { isSignType } from '@shouyin/shared';
import { newApiKey } from './ids';
import type { Merchant, MerchantConfig } from './types';

export const DEMO_MERCHANT: Readonly<MerchantConfig> = {
  appid: 'wx1234567890abcdef',
  mchId: '1900000109',
  signType: 'MD5',
  fundFlow: 'old',
  name: 'Shouyin Demo Merchant',
};

const APPID = /^wx[0-9a-zA-Z]{16}$/;
const MCH_ID = /^[0-9]{6,32}$/;

function validate(c: MerchantConfig): void {
  if (typeof c.appid !== 'string' || !APPID.test(c.appid))
    throw new Error(`merchant appid must look like wx + 16 letters/digits`);
  if (typeof c.mchId !== 'string' || !MCH_ID.test(c.mchId))
    throw new Error(`merchant mchId must be 6–32 digits`);
  if (c.apiKey !== undefined && (typeof c.apiKey !== 'string' || !/^[0-9A-Za-z]{32}$/.test(c.apiKey))) {
    throw new Error(`merchant ${c.mchId}: apiKey must be 32 letters/digits (spec §2.1.5)`);
  }
  if (c.signType !== undefined && !isSignType(c.signType))
    throw new Error(`merchant ${c.mchId}: signType must be MD5 or HMAC-SHA256`);
  if (c.fundFlow !== undefined && c.fundFlow !== 'old' && c.fundFlow !== 'new')
    throw new Error(`merchant ${c.mchId}: fundFlow must be old or new`);
  for (const k of ['unsettled', 'available'] as const) {
    const v = c.balances?.[k];
    if (v !== undefined && !(Number.isSafeInteger(v) && v >= 0))
      throw new Error(`merchant ${c.mchId}: balances.${k} must be integer fen ≥ 0`);
  }
}

export function resolveMerchants(
  stateDir: string,
  configs: readonly MerchantConfig[] | undefined,
): Merchant[] {
  const list = configs && configs.length > 0 ? configs : [DEMO_MERCHANT];
  const seen = new Set<string>();
  for (const c of list) {
    validate(c);
    if (seen.has(c.mchId)) throw new Error(`merchant ${c.mchId} is configured twice`);
    seen.add(c.mchId);
  }
  const file = path.join(stateDir, 'keys.json');
  const stored: Record<string, string> = existsSync(file)
    ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>)
    : {};
  let changed = false;
  const out = list.map((c): Merchant => {
    let apiKey = c.apiKey;
    if (!apiKey) {
      apiKey = stored[c.mchId] ?? newApiKey();
      if (stored[c.mchId] !== apiKey) {
        stored[c.mchId] = apiKey;
        changed = true;
      }
    }
    return {
      appid: c.appid,
      mchId: c.mchId,
      apiKey,
      signType: c.signType ?? 'MD5',
      fundFlow: c.fundFlow ?? 'old',
      initialBalances: { unsettled: c.balances?.unsettled ?? 0, available: c.balances?.available ?? 0 },
      refundNotifyUrl: c.refundNotifyUrl,
      name: c.name ?? `Merchant ${c.mchId}`,
    };
  });
  if (changed) writeFileSync(file, JSON.stringify(stored, null, 2), { mode: 0o600 });
  return out;
}
