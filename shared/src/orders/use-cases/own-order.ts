/** A customer's own order, or NOT_FOUND — also for someone else's order, whose existence is not revealed. */
import { InputError } from '../../errors';
import { OUT_TRADE_NO } from '../../wxpay/ids';
import type { Db } from '../db-port';
import { orderNotFound } from '../failures';
import type { Order } from '../records';
import { findOrder } from '../store';

export interface OrderRef {
  outTradeNo: string;
}

export function parseOrderRef(event: Record<string, unknown>): OrderRef {
  const { outTradeNo } = event;
  if (typeof outTradeNo !== 'string' || !OUT_TRADE_NO.test(outTradeNo))
    throw new InputError('outTradeNo is not an order number');
  return { outTradeNo };
}

export async function findOwnOrder(db: Db, openid: string, outTradeNo: string): Promise<Order> {
  const order = await findOrder(db, outTradeNo);
  if (!order || order._openid !== openid) throw orderNotFound();
  return order;
}
