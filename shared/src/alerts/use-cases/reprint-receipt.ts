/**
 * `reprint {outTradeNo, requestId}` (merchant only): prints a paid order's receipt again, on purpose — the
 * way out after a print whose outcome was unknown or that never printed (those are never reprinted
 * automatically). A new printer delivery with its own deterministic `_id` (`…|reprint:<requestId>`), so a
 * retried call with the same requestId prints once; delivered within a short budget like any other.
 */
import { InputError } from '../../errors';
import { orderNotFound } from '../../orders/failures';
import { requireMerchant } from '../../orders/merchants';
import { isPaid } from '../../orders/state';
import { findOrder } from '../../orders/store';
import { OUT_TRADE_NO } from '../../wxpay/ids';
import type { AlertDeps } from '../deps';
import { type AlertDelivery, deliveryId } from '../records';
import { addDelivery, findDeliveries } from '../store';
import { deliverAlerts } from './deliver-alerts';

export interface ReprintInput {
  outTradeNo: string;
  /** Minted once per tap on "reprint" and reused on every retry of that call. */
  requestId: string;
}

export interface ReprintResult {
  deliveryId: string;
  status: AlertDelivery['status'];
  printJobId?: string;
}

export function parseReprint(event: Record<string, unknown>): ReprintInput {
  const { outTradeNo, requestId } = event;
  if (typeof outTradeNo !== 'string' || !OUT_TRADE_NO.test(outTradeNo))
    throw new InputError('outTradeNo must be an order number');
  if (typeof requestId !== 'string' || !/^[A-Za-z0-9_-]{8,64}$/.test(requestId))
    throw new InputError('requestId must be 8–64 characters of [A-Za-z0-9_-]');
  return { outTradeNo, requestId };
}

export async function reprintReceipt(
  deps: AlertDeps,
  openid: string,
  input: ReprintInput,
  budgetMs = 3000,
): Promise<ReprintResult> {
  const merchant = await requireMerchant(deps.db, openid);
  if (!deps.printer) throw new InputError('no receipt printer is configured');
  const order = await findOrder(deps.db, input.outTradeNo);
  if (!order || !isPaid(order.status)) throw orderNotFound();
  const now = deps.clock.now();
  const eventId = `ORDER_PAID:${order._id}`;
  const id = `${deliveryId(eventId, 'printer', deps.printer.id)}|reprint:${input.requestId}`;
  await addDelivery(deps.db, {
    _id: id,
    eventId,
    kind: 'ORDER_PAID',
    channel: 'printer',
    recipient: deps.printer.id,
    merchantId: merchant._id,
    facts: {
      kind: 'ORDER_PAID',
      eventId,
      at: order.paidAt ?? now,
      outTradeNo: order._id,
      totalFee: order.totalFee,
    },
    status: 'PENDING',
    nextAttemptAt: now,
    sends: 0,
    attempts: [],
    createdAt: now,
    reprint: true,
  });
  await deliverAlerts(deps, { outTradeNo: order._id }, budgetMs);
  const [d] = await findDeliveries(deps.db, { _id: id }, 1);
  return {
    deliveryId: id,
    status: d?.status ?? 'PENDING',
    ...(d?.printJobId ? { printJobId: d.printJobId } : {}),
  };
}
