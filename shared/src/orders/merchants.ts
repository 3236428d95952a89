/**
 * Who is a merchant: an openid listed in some `merchants` document's `reviewerOpenids` (staff who may
 * review refunds, ship, read the feed) — the only source of merchant authority. Every merchant action
 * calls `requireMerchant` with the OPENID of its call context, never with anything from the request.
 */
import type { Db } from './db-port';
import { notMerchant } from './failures';
import { COLLECTIONS, type Merchant } from './records';

/** The merchant account `openid` acts for, or undefined. An array field equal to a value matches its elements. */
export async function findMerchantOf(db: Db, openid: string): Promise<Merchant | undefined> {
  if (openid === '') return undefined;
  const { data } = await db
    .collection(COLLECTIONS.merchants)
    .where({ reviewerOpenids: openid })
    .limit(1)
    .get();
  return data[0] as Merchant | undefined;
}

/** The caller's merchant account; NOT_MERCHANT for anyone else. */
export async function requireMerchant(db: Db, openid: string): Promise<Merchant> {
  const merchant = await findMerchantOf(db, openid);
  if (!merchant) throw notMerchant();
  return merchant;
}

/** Every openid that receives merchant alerts (deduplicated, in document order). */
export async function merchantAlertOpenids(db: Db): Promise<string[]> {
  const { data } = await db.collection(COLLECTIONS.merchants).limit(100).get();
  const seen = new Set<string>();
  for (const m of data as unknown as Merchant[]) for (const o of m.alertOpenids ?? []) seen.add(o);
  return [...seen];
}
