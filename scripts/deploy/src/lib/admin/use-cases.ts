// The admin scripts' use cases, each over the AdminPort: provisioning the database from cloudbase-db.json,
// importing the catalogue, adding/removing a merchant openid, binding a cloud printer to a merchant.
import { COLLECTIONS } from '@shouyin/shared';
import { type DeployProject, ruleFor } from '../project';
import type { CatalogueProduct } from './catalogue';
import type { AdminPort } from './port';

export async function provision(
  port: AdminPort,
  project: DeployProject,
  log: (s: string) => void,
): Promise<void> {
  for (const c of project.collections) {
    const created = await port.createCollection(c);
    await port.setRule(c, ruleFor(project, c));
    const ix = project.indexes[c] ?? [];
    if (ix.length > 0) await port.setIndexes(c, ix);
    log(
      `${c}: ${created ? 'created' : 'exists'}, rule ${JSON.stringify(ruleFor(project, c))}, ${ix.length} index(es)`,
    );
  }
}

export async function importCatalogue(port: AdminPort, products: CatalogueProduct[]): Promise<number> {
  await port.createCollection(COLLECTIONS.products);
  await port.putDocs(COLLECTIONS.products, products);
  return products.length;
}

export type MerchantRole = 'reviewer' | 'alert' | 'both';
const FIELDS: Record<MerchantRole, string[]> = {
  reviewer: ['reviewerOpenids'],
  alert: ['alertOpenids'],
  both: ['reviewerOpenids', 'alertOpenids'],
};
const OPENID = /^[A-Za-z0-9_-]{6,64}$/;
const MERCHANT_ID = /^[A-Za-z0-9_-]{1,64}$/;

function checkIds(merchantId: string, openid?: string): void {
  if (!MERCHANT_ID.test(merchantId)) throw new Error('merchant id: 1–64 letters, digits, _ or -');
  if (openid !== undefined && !OPENID.test(openid))
    throw new Error(
      'openid: 6–64 letters, digits, _ or - (copy it from the mini-program’s “我的” page or the logs)',
    );
}

/** Adds `openid` to the merchant's lists (creating the merchant document when missing); idempotent. */
export async function addMerchantOpenid(
  port: AdminPort,
  merchantId: string,
  openid: string,
  role: MerchantRole,
  name?: string,
): Promise<void> {
  checkIds(merchantId, openid);
  await port.createCollection(COLLECTIONS.merchants);
  // Create-if-absent, then one atomic $addToSet per list: concurrent adds never overwrite each other.
  await port.createDoc(COLLECTIONS.merchants, {
    _id: merchantId,
    name: name ?? merchantId,
    reviewerOpenids: [],
    alertOpenids: [],
  });
  for (const field of FIELDS[role])
    await port.updateDoc(COLLECTIONS.merchants, merchantId, { addToSet: { [field]: openid } });
}

/** Removes `openid` from the merchant's lists; idempotent; an unknown merchant is an error. */
export async function removeMerchantOpenid(
  port: AdminPort,
  merchantId: string,
  openid: string,
  role: MerchantRole,
): Promise<void> {
  checkIds(merchantId, openid);
  for (const field of FIELDS[role]) {
    if (!(await port.updateDoc(COLLECTIONS.merchants, merchantId, { pull: { [field]: openid } })))
      throw new Error(`no merchant ${merchantId}`);
  }
}

/**
 * Binds a cloud receipt printer to a merchant: `printer: {provider, sn, copies}` on the merchant document.
 * The printer account's credentials (user, UKEY) are secrets and stay in the function variables (.env); only
 * the printer's serial number is data. (The alerts module reads this field; its exact shape is theirs to fix.)
 */
export async function bindPrinter(
  port: AdminPort,
  merchantId: string,
  printer: { provider: string; sn: string; copies: number },
): Promise<void> {
  checkIds(merchantId);
  if (!/^[A-Za-z0-9]{4,32}$/.test(printer.sn))
    throw new Error('printer sn: 4–32 letters/digits (on the printer’s label)');
  if (!Number.isInteger(printer.copies) || printer.copies < 1 || printer.copies > 5)
    throw new Error('copies: a whole number from 1 to 5');
  if (!(await port.updateDoc(COLLECTIONS.merchants, merchantId, { set: { printer } })))
    throw new Error(`no merchant ${merchantId}: add an openid first (merchant add)`);
}

export async function unbindPrinter(port: AdminPort, merchantId: string): Promise<void> {
  checkIds(merchantId);
  if (!(await port.updateDoc(COLLECTIONS.merchants, merchantId, { unset: ['printer'] })))
    throw new Error(`no merchant ${merchantId}`);
}
