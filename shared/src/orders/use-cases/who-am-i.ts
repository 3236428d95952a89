/** `whoami.get`: the caller's openid (from the call context) and the merchant account it acts for. */
import type { WhoAmI } from '../../api';
import type { Db } from '../db-port';
import { findMerchantOf } from '../merchants';

export async function whoAmI(db: Db, openid: string): Promise<WhoAmI> {
  const merchant = await findMerchantOf(db, openid);
  return { openid, merchant: merchant ? { id: merchant._id, name: merchant.name } : null };
}
