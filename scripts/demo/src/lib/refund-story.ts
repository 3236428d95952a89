/**
 * The demo's refund chapter, continuing the payment story through the same doors: the customer and the
 * merchant call applyRefund (`POST /functions/applyRefund` with their OPENID), WeChat finishes refunds
 * (the sandbox's control API `refunds/settle`, which sends the refund notification to refundNotify), the
 * merchant's balances at WeChat (`balances`). Three beats: a full refund (request → approve → notification
 * → REFUNDED); a partial refund of a second order (PARTIALLY_REFUNDED); a refund that fails NOTENOUGH and
 * succeeds when the merchant retries it from the available balance with the same out_refund_no.
 */
import { randomBytes } from 'node:crypto';
import type { OrderView, PaymentStart, RefundChange, RefundView } from '@shouyin/shared';
import { replySummary, type Timeline, yuan } from './format';
import { httpJson, httpsJson, httpText } from './http';
import { StepFailure } from './story';
import type { Target } from './target';

export const DEMO_MERCHANT_OPENID = 'o-demo-merchant-owner';
const BOB = 'o-demo-customer-bob';

function expect(cond: unknown, what: string): asserts cond {
  if (!cond) throw new StepFailure(what);
}

interface Invocation {
  startedAt: string;
  dbRequests: number;
  outcome: string;
  logs?: string[];
}

interface Balances {
  mchId: string;
  unsettled: number;
  available: number;
}

class RefundActors {
  constructor(private readonly t: Target) {}

  async fn<T>(name: string, openid: string, data: Record<string, unknown>): Promise<T> {
    const r = await httpText('POST', `${this.t.emulatorUrl}/functions/${name}`, JSON.stringify({ data }), {
      'content-type': 'application/json',
      'x-wx-openid': openid,
    });
    const body = JSON.parse(r.text) as {
      result?: { ok: boolean; data?: T; error?: { code: string; message: string } };
    };
    const a = body.result;
    expect(r.status === 200 && a, `${name} ${String(data.action)}: HTTP ${r.status}`);
    expect(a.ok, `${name} ${String(data.action)} answered ${a.error?.code}: ${a.error?.message}`);
    return a.data as T;
  }

  refund(openid: string, action: string, input: Record<string, unknown>): Promise<RefundChange> {
    return this.fn<RefundChange>('applyRefund', openid, { action, ...input });
  }

  order(openid: string, outTradeNo: string): Promise<OrderView> {
    return this.fn<OrderView>('createPayment', openid, { action: 'get', outTradeNo });
  }

  control<T>(method: string, route: string, body?: unknown): Promise<T> {
    return httpsJson<T>(method, `${this.t.sandbox.controlUrl}${route}`, this.t.sandbox.ca, body);
  }

  /** A paid order for `openid`: create, pay at the sandbox, wait for the notification. */
  async paidOrder(openid: string, items: Array<{ productId: string; quantity: number }>): Promise<OrderView> {
    const requestId = `demo-${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;
    const start = await this.fn<PaymentStart>('createPayment', openid, {
      action: 'create',
      items,
      requestId,
    });
    await this.control('POST', '/pay', { prepayId: start.payment.package.slice('prepay_id='.length) });
    await this.control('POST', '/idle');
    const o = await this.order(openid, start.outTradeNo);
    expect(o.status === 'PAID', `order ${o.outTradeNo} should be PAID, is ${o.status}`);
    return o;
  }

  /** WeChat finishes the refund (SUCCESS) and its notification reaches refundNotify. */
  async wechatSettles(outRefundNo: string): Promise<Invocation | undefined> {
    const since = Date.now();
    await this.control('POST', '/refunds/settle', { mchId: this.t.sandbox.merchant.mchId, outRefundNo });
    await this.control('POST', '/idle');
    const deliveries = await this.control<Array<{ outcome: string; reply?: string }>>(
      'GET',
      `/deliveries?kind=refund&outRefundNo=${encodeURIComponent(outRefundNo)}`,
    );
    expect(
      deliveries.some((d) => d.outcome === 'success' && replySummary(d.reply).startsWith('SUCCESS')),
      `the refund notification of ${outRefundNo} was not answered SUCCESS`,
    );
    const r = await httpJson<{ invocations: Invocation[] }>(
      'GET',
      `${this.t.emulatorUrl}/invocations?function=refundNotify`,
    );
    return r.invocations.find(
      (i) => Date.parse(i.startedAt) >= since - 5 && (i.logs ?? []).some((l) => l.includes(outRefundNo)),
    );
  }
}

function showRefund(tl: Timeline, r: RefundView): void {
  const extra = [
    `${yuan(r.refundFee)} of ${yuan(r.totalFee)}`,
    r.label,
    r.failure ? `${r.failure.code}: ${r.failure.message}` : '',
    r.refundAccount ? r.refundAccount : '',
  ]
    .filter(Boolean)
    .join(', ');
  tl.state(`refund ${r.refundId}`, r.status, extra);
}

function showOrder(tl: Timeline, o: OrderView): void {
  tl.state(`order ${o.outTradeNo}`, o.status, `refunded ${yuan(o.refundedFee)} of ${yuan(o.totalFee)}`);
}

export async function runRefundStory(t: Target, tl: Timeline, paidOrderOfAlice: string): Promise<void> {
  const a = new RefundActors(t);
  const alice = 'o-demo-customer-alice';
  const merchant = DEMO_MERCHANT_OPENID;

  // 9. A full refund -------------------------------------------------------------------------------------
  tl.step(`${alice} asks for a refund of ${paidOrderOfAlice} (applyRefund request)`);
  let change = await a.refund(alice, 'request', { outTradeNo: paidOrderOfAlice, reason: '点错了，不想要了' });
  const full = change.refund;
  expect(full.status === 'REQUESTED', `a customer's request should be REQUESTED, is ${full.status}`);
  tl.detail('out_refund_no', `${full.refundId} (minted once, reused for every send)`);
  showRefund(tl, full);
  tl.note(
    'the merchants\' "refund requested" alert rides in the same write (REFUND_REQUESTED in the outbox)',
  );

  tl.step(`The merchant ${merchant} approves: /secapi/pay/refund over mutual TLS`);
  change = await a.refund(merchant, 'approve', { refundId: full.refundId });
  expect(
    change.refund.status === 'PROCESSING',
    `an approved refund should be PROCESSING, is ${change.refund.status}`,
  );
  tl.detail(
    'WeChat',
    `accepted, refund_id ${change.refund.wechatRefundId ?? '—'} (acceptance is not success)`,
  );
  showRefund(tl, change.refund);
  const twice = await a.refund(merchant, 'approve', { refundId: full.refundId });
  tl.detail('approve again', `changed: ${twice.changed} (one WeChat refund, whoever clicks)`);

  tl.step('WeChat finishes the refund; its refund notification reaches refundNotify');
  const run = await a.wechatSettles(full.refundId);
  if (run)
    tl.detail(
      'refundNotify',
      `${run.dbRequests} database requests (refund read, order read + write, refund write)`,
    );
  const aliceOrder = await a.order(alice, paidOrderOfAlice);
  const settled = aliceOrder.refunds?.find((r) => r.refundId === full.refundId);
  expect(settled?.status === 'SUCCESS', `the refund should be SUCCESS, is ${settled?.status}`);
  expect(aliceOrder.status === 'REFUNDED', `the order should be REFUNDED, is ${aliceOrder.status}`);
  showRefund(tl, settled);
  showOrder(tl, aliceOrder);

  // 10. A partial refund --------------------------------------------------------------------------------
  tl.step(`${BOB} buys 2 × americano; the merchant refunds one cup (applyRefund start)`);
  const bobOrder = await a.paidOrder(BOB, [{ productId: 'americano', quantity: 2 }]);
  change = await a.refund(merchant, 'start', {
    outTradeNo: bobOrder.outTradeNo,
    refundFee: 1500,
    reason: '少做一杯',
  });
  showRefund(tl, change.refund);
  await a.wechatSettles(change.refund.refundId);
  const partial = await a.order(BOB, bobOrder.outTradeNo);
  expect(
    partial.status === 'PARTIALLY_REFUNDED' && partial.refundedFee === 1500,
    `the order should be PARTIALLY_REFUNDED with 15.00 refunded, is ${partial.status} ${partial.refundedFee}`,
  );
  showRefund(tl, partial.refunds![0]!);
  showOrder(tl, partial);

  // 11. NOTENOUGH, then a retry from the available balance ---------------------------------------------
  tl.step("The merchant's unsettled funds at WeChat run out (sandbox balances: unsettled ¥0.00)");
  const before = (await a.control<Balances[]>('GET', '/balances')).find(
    (b) => b.mchId === t.sandbox.merchant.mchId,
  );
  const cake = await a.paidOrder(BOB, [{ productId: 'cheesecake', quantity: 1 }]);
  await a.control('POST', '/balances', { mchId: t.sandbox.merchant.mchId, unsettled: 0, available: 100_000 });
  try {
    change = await a.refund(merchant, 'start', {
      outTradeNo: cake.outTradeNo,
      refundFee: cake.totalFee,
      reason: '蛋糕售罄',
    });
    const failed = change.refund;
    expect(
      failed.status === 'FAILED' && failed.failure?.code === 'NOTENOUGH',
      `the refund should fail NOTENOUGH, is ${failed.status} ${failed.failure?.code}`,
    );
    showRefund(tl, failed);
    tl.detail('hint', failed.failure?.hint ?? '');

    tl.step('The merchant retries from the available balance: the same out_refund_no, the same amounts');
    change = await a.refund(merchant, 'retry', { refundId: failed.refundId, fundSource: 'available' });
    expect(change.refund.refundId === failed.refundId, 'a retry must reuse the out_refund_no');
    showRefund(tl, change.refund);
    await a.wechatSettles(failed.refundId);
    const done = await a.order(BOB, cake.outTradeNo);
    const r = done.refunds?.find((x) => x.refundId === failed.refundId);
    expect(r?.status === 'SUCCESS', `the retried refund should be SUCCESS, is ${r?.status}`);
    const atWeChat = await a.control<unknown[]>(
      'GET',
      `/refunds?outTradeNo=${encodeURIComponent(cake.outTradeNo)}`,
    );
    tl.detail('WeChat', `${atWeChat.length} refund for this order (never two)`);
    expect(atWeChat.length === 1, `WeChat should hold one refund of the order, holds ${atWeChat.length}`);
    showRefund(tl, r);
    showOrder(tl, done);
  } finally {
    if (before)
      await a.control('POST', '/balances', {
        mchId: before.mchId,
        unsettled: before.unsettled,
        available: before.available,
      });
  }
}
