/**
 * NOTPAY → CLOSED, locally, with the reason (DESIGN.md "Order states"): after WeChat closed or refused the
 * order, or after expiry. Losing the race to a payment is fine: the order is then paid, not closed.
 */

import type { PaymentDeps } from '../deps';
import type { Actor, Order } from '../records';
import { allows } from '../state';
import { transitionOrder } from '../store';

export async function closeLocally(
  deps: Pick<PaymentDeps, 'db' | 'clock' | 'log'>,
  order: Order,
  by: Actor,
  reason: string,
): Promise<{ closed: boolean; order: Order }> {
  if (!allows(order.status, 'CLOSE')) return { closed: false, order };
  const at = deps.clock.now();
  const r = await transitionOrder(deps.db, order, {
    event: 'CLOSE',
    by,
    at,
    why: reason,
    set: { closeReason: reason, closedAt: at },
  });
  if (!r.changed) return { closed: false, order };
  deps.log.info('order_closed', { out_trade_no: order._id, reason, by });
  return { closed: true, order: r.order };
}
