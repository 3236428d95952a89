/** A refund the caller may act on: the customer's own (REFUND_NOT_FOUND for others'), or any for a merchant. */
import type { Db } from '../../orders/db-port';
import { refundNotFound } from '../failures';
import type { Refund } from '../records';
import { findRefund } from '../store';

export async function findOwnRefund(db: Db, openid: string, refundId: string): Promise<Refund> {
  const r = await findRefund(db, refundId);
  if (!r || r.openid !== openid || r.requestedBy !== 'customer') throw refundNotFound();
  return r;
}

export async function findAnyRefund(db: Db, refundId: string): Promise<Refund> {
  const r = await findRefund(db, refundId);
  if (!r) throw refundNotFound();
  return r;
}
