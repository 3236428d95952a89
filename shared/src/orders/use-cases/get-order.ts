/** `get {outTradeNo}`: one of the caller's own orders. */
import type { OrderView } from '../../api';
import { withRefunds } from '../../refunds/use-cases/order-refunds';
import type { PaymentDeps } from '../deps';
import { orderView } from '../views';
import { findOwnOrder, type OrderRef } from './own-order';

export { parseOrderRef as parseGetOrder } from './own-order';

export async function getOrder(
  deps: Pick<PaymentDeps, 'db'>,
  openid: string,
  ref: OrderRef,
): Promise<OrderView> {
  const view = orderView(await findOwnOrder(deps.db, openid, ref.outTradeNo));
  return (await withRefunds(deps.db, [view]))[0]!;
}
