/** `list {cursor?, limit?}`: the caller's own orders, newest first, one page at a time. */
import type { OrderPage } from '../../api';
import { InputError } from '../../errors';
import { withRefunds } from '../../refunds/use-cases/order-refunds';
import { OUT_TRADE_NO } from '../../wxpay/ids';
import type { PaymentDeps } from '../deps';
import { listOrdersOf } from '../store';
import { orderView } from '../views';

export const LIST_LIMITS = { default: 20, max: 50 } as const;

export interface ListOrdersQuery {
  cursor?: string;
  limit: number;
}

export function parseListOrders(event: Record<string, unknown>): ListOrdersQuery {
  const { cursor, limit } = event;
  if (cursor !== undefined && cursor !== null && (typeof cursor !== 'string' || !OUT_TRADE_NO.test(cursor))) {
    throw new InputError('cursor is not a cursor from a previous page');
  }
  if (
    limit !== undefined &&
    limit !== null &&
    (!Number.isInteger(limit) || (limit as number) < 1 || (limit as number) > LIST_LIMITS.max)
  ) {
    throw new InputError(`limit must be an integer from 1 to ${LIST_LIMITS.max}`);
  }
  const q: ListOrdersQuery = { limit: typeof limit === 'number' ? limit : LIST_LIMITS.default };
  if (typeof cursor === 'string') q.cursor = cursor;
  return q;
}

export async function listOrders(
  deps: Pick<PaymentDeps, 'db'>,
  openid: string,
  q: ListOrdersQuery,
): Promise<OrderPage> {
  const { orders, more } = await listOrdersOf(deps.db, openid, { before: q.cursor, limit: q.limit });
  const last = orders[orders.length - 1];
  return {
    orders: await withRefunds(deps.db, orders.map(orderView)),
    nextCursor: more && last ? last._id : null,
  };
}
