/**
 * The demo's fulfilment chapter (issue 12), after the order is paid: the merchant ships from the phone
 * (fulfilOrder `ship`), WeChat's shipping-info service does not know the payment yet (10060001 while it
 * indexes it), reconcile retries the upload once the wait is over, and the buyer confirms receipt. Driven
 * through the same doors as the rest of the story: callFunction with the caller's OPENID, the reconcile
 * timer, and the emulator's shipping control call for what WeChat received.
 */
import type { FulfilmentChange, MerchantShipmentView, OrderView, ShipmentView } from '@shouyin/shared';
import { beijing, type Timeline } from './format';
import { httpJson, httpText } from './http';
import { StepFailure } from './story';
import type { Target } from './target';

/** The demo shop's merchant (scripts/demo/seed.json merchants[0].reviewerOpenids). */
export const DEMO_MERCHANT = 'o-demo-merchant-owner';

function expect(cond: unknown, what: string): asserts cond {
  if (!cond) throw new StepFailure(what);
}

async function callFn<T>(t: Target, fn: string, openid: string, data: Record<string, unknown>): Promise<T> {
  const r = await httpText('POST', `${t.emulatorUrl}/functions/${fn}`, JSON.stringify({ data }), {
    'content-type': 'application/json',
    'x-wx-openid': openid,
  });
  const body = JSON.parse(r.text) as {
    result?: { ok: boolean; data?: T; error?: { code: string; message: string } };
  };
  const answer = body.result;
  expect(r.status === 200 && answer, `${fn} ${String(data.action)}: HTTP ${r.status}`);
  expect(
    answer.ok,
    `${fn} ${String(data.action)} answered ${answer.error?.code}: ${answer.error?.message ?? ''}`,
  );
  return answer.data as T;
}

interface WeChatShippingOrder {
  outTradeNo: string;
  orderState: number;
  calls: Array<{ at: string; answer: number | 'ok' }>;
}

async function wechatSide(t: Target, outTradeNo: string): Promise<WeChatShippingOrder | undefined> {
  const r = await httpJson<{ orders: WeChatShippingOrder[] }>(
    'GET',
    `${t.emulatorUrl}/control/shipping/orders`,
  );
  return r.orders.find((o) => o.outTradeNo === outTradeNo);
}

function showUpload(tl: Timeline, s: MerchantShipmentView): void {
  const u = s.upload;
  const extra = [
    `attempt ${u.attempts}`,
    u.lastError ? `last: ${u.lastError.slice(0, 60)}` : '',
    u.nextAttemptAt && u.status === 'PENDING' ? `next try ${beijing(u.nextAttemptAt)}` : '',
  ]
    .filter(Boolean)
    .join(', ');
  tl.state(`upload to WeChat`, u.status, extra);
}

export async function runShipStory(
  t: Target,
  tl: Timeline,
  outTradeNo: string,
  customer: string,
): Promise<void> {
  // 9. The merchant ships -----------------------------------------------------------------------------
  tl.step(`The merchant ${DEMO_MERCHANT} ships from the phone: ZTO express, tracking ZT7700112233`);
  const shipped = await callFn<FulfilmentChange<MerchantShipmentView>>(t, 'fulfilOrder', DEMO_MERCHANT, {
    action: 'ship',
    outTradeNo,
    logisticsType: 1,
    expressCompany: 'ZTO',
    trackingNo: 'ZT7700112233',
  });
  expect(shipped.changed && shipped.shipment.status === 'SHIPPED', 'ship should record the shipment');
  tl.detail(
    'callFunction',
    `fulfilOrder {action: 'ship', logisticsType: 1} → SHIPPED at ${beijing(shipped.shipment.shippedAt)}`,
  );
  tl.detail('outbox', `ORDER_SHIPPED:${outTradeNo} queued for the buyer's "shipped" notice`);
  showUpload(tl, shipped.shipment);
  let upload = shipped.shipment.upload;

  // 10. WeChat indexes the payment; reconcile retries --------------------------------------------------
  if (upload.status === 'PENDING') {
    tl.step('WeChat has not indexed the payment yet (10060001): reconcile retries after the wait');
    const waitMs = Math.max(0, (upload.nextAttemptAt ?? Date.now()) - Date.now()) + 300;
    tl.note(`waiting ${(waitMs / 1000).toFixed(1)} s, then firing the reconcile timer`);
    await new Promise((r) => setTimeout(r, waitMs));
    const run = await httpJson<{ invocation: { outcome: string } }>(
      'POST',
      `${t.emulatorUrl}/triggers/reconcile/reconcileTimer`,
    );
    expect(run.invocation.outcome === 'ok', `reconcile ended ${run.invocation.outcome}`);
    const status = await callFn<{ uploadsPending: MerchantShipmentView[] }>(t, 'fulfilOrder', DEMO_MERCHANT, {
      action: 'status',
    });
    expect(
      !status.uploadsPending.some((u) => u.outTradeNo === outTradeNo),
      'after the retry the upload should no longer be pending',
    );
    upload = { ...upload, status: 'UPLOADED', attempts: upload.attempts + 1 };
  }
  const wx = await wechatSide(t, outTradeNo);
  for (const c of wx?.calls ?? [])
    tl.detail('upload_shipping_info', `${c.at} → ${c.answer === 'ok' ? 'ok' : `errcode ${c.answer}`}`);
  expect(
    wx?.orderState === 2,
    `WeChat should hold the shipment (order_state 2), has ${wx?.orderState ?? 'nothing'}`,
  );
  tl.state(
    'upload to WeChat',
    'UPLOADED',
    `order_state 2 (已发货) at WeChat after ${upload.attempts} attempt(s)`,
  );

  // 11. The buyer confirms receipt ----------------------------------------------------------------------
  tl.step(`The buyer ${customer} confirms receipt in the mini-program (and in WeChat's own sheet)`);
  const received = await callFn<FulfilmentChange<ShipmentView>>(t, 'fulfilOrder', customer, {
    action: 'confirmReceipt',
    outTradeNo,
  });
  expect(
    received.changed && received.shipment.status === 'RECEIVED',
    'confirmReceipt should record RECEIVED',
  );
  const view = await callFn<OrderView>(t, 'createPayment', customer, { action: 'get', outTradeNo });
  expect(
    view.shipment?.status === 'RECEIVED',
    `the order view should show RECEIVED, shows ${view.shipment?.status}`,
  );
  tl.state(
    `order ${outTradeNo}`,
    `${view.status} / ${view.shipment.status}`,
    `received ${beijing(view.shipment.receivedAt)}`,
  );
}
