/**
 * `create {items, remark?, requestId}`: a new order for the caller's cart, priced on the server, written
 * before WeChat is called, then unifiedorder (WeChat Pay v2 notes §3.1, §10).
 *
 * Idempotency (DESIGN.md "Records"): the requestId is claimed by adding a `requests` record whose `_id`
 * derives from (openid, requestId). The database's unique `_id` picks one winner among concurrent calls;
 * every other call — concurrent or a later retry — is answered from the winner's order, so one checkout
 * can never produce two payable orders. A claim whose order never appeared (its writer died between the
 * two writes) is taken over after STALE_CLAIM_MS by a conditional update, which again has one winner; so
 * is, at once, a claim whose order was refused for the unpaid-order limit.
 */
import type { PaymentStart } from '../../api';
import { InputError } from '../../errors';
import { cleanText, newOutTradeNo } from '../../wxpay/ids';
import { type CartItem, cartKey, parseCart, priceCart } from '../cart';
import { FIRST_CHECK_AFTER_MS } from '../check-schedule';
import type { PaymentDeps } from '../deps';
import { requestIdReused, requestInProgress, tooManyUnpaid } from '../failures';
import { unifiedOrderFor } from '../payment-params';
import type { Order, RequestRecord } from '../records';
import { parseRequestId, requestRecordId } from '../request-id';
import { ORDER_STATUS } from '../state';
import {
  claimRequest,
  findOrder,
  findProducts,
  findRequest,
  insertOrder,
  refuseRequest,
  retargetRequest,
} from '../store';
import { reserveUnpaidSlot } from '../unpaid-slots';
import { startPayment } from './start-payment';

export const REMARK_MAX = 200;
/** Longer than any createPayment invocation may run (its timeout is ~20 s). */
export const STALE_CLAIM_MS = 60_000;
/** How long a concurrent duplicate waits for the winner's order to appear before answering "in progress". */
const WAIT_FOR_WINNER = { attempts: 6, delayMs: 250 } as const;

export interface CreatePaymentCommand {
  items: CartItem[];
  remark?: string;
  requestId: string;
}

/** Reads only the fields `create` takes: prices, totals or an openid in the request are never looked at. */
export function parseCreatePayment(event: Record<string, unknown>): CreatePaymentCommand {
  const cmd: CreatePaymentCommand = {
    items: parseCart(event.items),
    requestId: parseRequestId(event.requestId),
  };
  const { remark } = event;
  if (remark !== undefined && remark !== null) {
    if (typeof remark !== 'string') throw new InputError('remark must be a string');
    const clean = cleanText(remark, REMARK_MAX).trim();
    if (clean !== '') cmd.remark = clean;
  }
  return cmd;
}

export async function createPayment(
  deps: PaymentDeps,
  openid: string,
  cmd: CreatePaymentCommand,
): Promise<PaymentStart> {
  const { db, clock, settings } = deps;
  const now = clock.now();
  const recordId = requestRecordId(openid, cmd.requestId);
  const key = cartKey(cmd.items);

  // A retry is answered from the first order without pricing or counting anything again.
  const earlier = await findRequest(db, recordId);
  if (earlier) {
    const first = await orderOfClaim(deps, earlier, key, now);
    if (first !== 'stale') return startPayment(deps, first, 'create-payment');
  }

  const priced = priceCart(
    cmd.items,
    await findProducts(
      db,
      cmd.items.map((i) => i.productId),
    ),
  );
  const outTradeNo = newOutTradeNo(now);
  const { params, expireAt } = unifiedOrderFor({
    outTradeNo,
    totalFee: priced.totalFee,
    openid,
    lines: priced.lines,
    nowMs: now,
    expireMinutes: settings.orderExpireMinutes,
    notifyUrl: settings.payNotifyUrl,
    spbillCreateIp: settings.spbillCreateIp,
    signType: deps.wxpay.merchant.signType,
  });

  if (earlier) {
    if (!(await retargetRequest(db, recordId, earlier.orderId, outTradeNo, now))) throw requestInProgress();
  } else {
    const claim = await claimRequest(db, {
      _id: recordId,
      openid,
      orderId: outTradeNo,
      cartKey: key,
      createdAt: now,
    });
    if (!claim.claimed) {
      const first = await orderOfClaim(deps, claim.existing, key, now);
      if (first === 'stale') throw requestInProgress();
      return startPayment(deps, first, 'create-payment');
    }
  }
  // The limit is a slot taken atomically before the order exists, so concurrent creates cannot all pass it
  // (issue 9.3). Taken after the requestId claim: duplicates of one checkout never compete for slots.
  const max = settings.maxUnpaidOrders;
  if (!(await reserveUnpaidSlot(db, { openid, orderId: outTradeNo, heldUntil: expireAt, now, max }))) {
    // The claim points at an order that will not exist: a retry of this requestId may try again.
    await refuseRequest(db, recordId, outTradeNo);
    throw tooManyUnpaid(max);
  }

  const order: Order = {
    _id: outTradeNo,
    _openid: openid,
    lines: priced.lines,
    totalFee: priced.totalFee,
    ...(cmd.remark !== undefined ? { remark: cmd.remark } : {}),
    status: ORDER_STATUS.NOTPAY,
    signType: deps.wxpay.merchant.signType,
    unifiedOrder: params,
    refundedFee: 0,
    reservedFee: 0,
    outbox: [],
    history: [{ from: null, to: ORDER_STATUS.NOTPAY, by: 'customer', at: now, why: 'order created' }],
    createdAt: now,
    expireAt,
    nextCheckAt: now + FIRST_CHECK_AFTER_MS,
  };
  // Written before WeChat hears of it: whatever happens next, reconcile can find and finish this order.
  await insertOrder(db, order);
  deps.log.info('order_created', {
    out_trade_no: outTradeNo,
    total_fee: order.totalFee,
    lines: order.lines.length,
  });
  return startPayment(deps, order, 'create-payment');
}

/**
 * The order a requestId was claimed for. A concurrent winner may not have written it yet: wait briefly,
 * then answer REQUEST_IN_PROGRESS (retryable). `'stale'`: the claim is old and its order never appeared.
 */
async function orderOfClaim(
  deps: PaymentDeps,
  claim: RequestRecord,
  key: string,
  now: number,
): Promise<Order | 'stale'> {
  if (claim.cartKey !== key) throw requestIdReused();
  if (claim.refused) return 'stale';
  for (let attempt = 1; ; attempt++) {
    const order = await findOrder(deps.db, claim.orderId);
    if (order) return order;
    if (now - claim.createdAt > STALE_CLAIM_MS) return 'stale';
    if (attempt >= WAIT_FOR_WINNER.attempts) throw requestInProgress();
    await new Promise((resolve) => setTimeout(resolve, WAIT_FOR_WINNER.delayMs));
  }
}
