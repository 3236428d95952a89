/** Merchant reads: the refund queue (by state, newest first, paged) and one refund with its history. */
import type { RefundDetail, RefundQueuePage } from '../../api';
import { requireMerchant } from '../../orders/merchants';
import type { RefundDeps } from '../deps';
import type { QueueQuery } from '../parse';
import { listRefunds } from '../store';
import { refundDetail, refundView } from '../views';
import { findAnyRefund } from './own-refund';

export async function refundQueue(
  deps: Pick<RefundDeps, 'db'>,
  openid: string,
  q: QueueQuery,
): Promise<RefundQueuePage> {
  await requireMerchant(deps.db, openid);
  const { refunds, more } = await listRefunds(deps.db, {
    status: q.status,
    before: q.cursor,
    limit: q.limit,
  });
  const last = refunds.at(-1);
  return { refunds: refunds.map(refundView), nextCursor: more && last ? last._id : null };
}

export async function getRefund(
  deps: Pick<RefundDeps, 'db'>,
  openid: string,
  refundId: string,
): Promise<RefundDetail> {
  await requireMerchant(deps.db, openid);
  return refundDetail(await findAnyRefund(deps.db, refundId));
}
