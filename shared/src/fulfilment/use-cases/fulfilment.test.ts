/**
 * The fulfilment use cases on the emulator's database (in process), with WeChat's shipping-info service as a
 * scripted ShippingPort and a manual clock: retries and their backoff, the failing alert raised once, a
 * lost answer settled by WeChat's "not updated", an amendment superseding a late outcome, and concurrent
 * reconcile runs claiming an attempt once. The end-to-end tests cover the same paths over HTTP.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { inProcessCloud } from '../../../../scripts/emulator/src/testing/in-process';
import { silentLogger } from '../../log';
import type { Db } from '../../orders/db-port';
import type { Order } from '../../orders/records';
import { COLLECTIONS } from '../../orders/records';
import { findOrder } from '../../orders/store';
import type { FulfilmentDeps } from '../deps';
import type { ShippingUploadPayload } from '../records';
import { fulfilmentSettings } from '../settings';
import { ShippingApiError, type ShippingPort } from '../shipping-port';
import { amendShipment } from './amend';
import { reconcileFulfilment } from './reconcile-fulfilment';
import { shipOrder } from './ship';

const MERCHANT = 'o-merchant';
const ID = 'SY20261205100000ABCDEFGHIJKL';
const T0 = Date.parse('2026-12-05T02:00:00Z');

type Outcome = 'ok' | number | 'lost';

class ScriptedWeChat implements ShippingPort {
  readonly uploads: ShippingUploadPayload[] = [];
  script: Outcome[] = [];
  orderState = 2;
  async uploadShippingInfo(payload: ShippingUploadPayload): Promise<void> {
    this.uploads.push(structuredClone(payload));
    const next = this.script.shift() ?? 'ok';
    if (next === 'lost')
      throw new ShippingApiError(undefined, 'uploadShippingInfo: no answer within 3000 ms');
    if (next !== 'ok') throw new ShippingApiError(next, `uploadShippingInfo: errcode ${next}`);
  }
  async getOrder() {
    return { orderState: this.orderState };
  }
  async isTradeManaged() {
    return true;
  }
}

let env: ReturnType<typeof inProcessCloud>;
let db: Db;
let now: number;
let wx: ScriptedWeChat;
let deps: FulfilmentDeps;

function paidOrder(): Order {
  return {
    _id: ID,
    _openid: 'o-buyer',
    lines: [{ productId: 'latte', name: '拿铁咖啡', unitFee: 1800, quantity: 2, lineFee: 3600 }],
    totalFee: 3600,
    status: 'PAID',
    signType: 'MD5',
    unifiedOrder: {} as Order['unifiedOrder'],
    transactionId: '4200000000202612050000000001',
    paidAt: T0,
    refundedFee: 0,
    reservedFee: 0,
    history: [],
    outbox: [],
    createdAt: T0,
    expireAt: T0 + 30 * 60_000,
  };
}

beforeEach(async () => {
  now = T0;
  env = inProcessCloud({ now: () => now });
  env.cloud.init();
  for (const c of Object.values(COLLECTIONS)) env.engine.createCollection(c);
  db = env.cloud.database() as unknown as Db;
  await db.collection(COLLECTIONS.merchants).add({
    data: { _id: 'shop', name: 'shop', reviewerOpenids: [MERCHANT], alertOpenids: [MERCHANT] },
  });
  await db.collection(COLLECTIONS.orders).add({ data: paidOrder() });
  wx = new ScriptedWeChat();
  deps = {
    db,
    shipping: wx,
    settings: fulfilmentSettings({ WXPAY_APPID: 'wx0123456789abcdef' }),
    clock: { now: () => now },
    log: silentLogger,
  };
});
afterEach(() => env.close());

const ship = (trackingNo = 'ZT1') =>
  shipOrder(deps, MERCHANT, { outTradeNo: ID, logisticsType: 1, expressCompany: 'ZTO', trackingNo });
const stored = async () => (await findOrder(db, ID))!;

describe('upload retries', () => {
  it('backs off on system errors and raises SHIPPING_UPLOAD_FAILING once, at the 5th attempt', async () => {
    wx.script = [-1, -1, -1, -1, -1, -1];
    await ship();
    const waits: number[] = [];
    for (let i = 0; i < 5; i++) {
      const u = (await stored()).fulfilment!.upload!;
      waits.push(u.nextAttemptAt - now);
      now = u.nextAttemptAt;
      await reconcileFulfilment(deps);
    }
    expect(waits).toEqual([30_000, 60_000, 120_000, 240_000, 480_000]);
    const o = await stored();
    expect(o.fulfilment!.upload).toMatchObject({ status: 'PENDING', attempts: 6, failingAlerted: true });
    expect(o.outbox.filter((e) => e.kind === 'SHIPPING_UPLOAD_FAILING')).toEqual([
      expect.objectContaining({
        id: `SHIPPING_UPLOAD_FAILING:${ID}`,
        detail: expect.stringContaining('attempt 5'),
      }),
    ]);
    expect(o.outboxSeq).toBe(o.outbox.length);
    // Every try sent the very same body, upload_time included.
    expect(new Set(wx.uploads.map((p) => JSON.stringify(p))).size).toBe(1);
    now += 30 * 60_000;
    await reconcileFulfilment(deps);
    expect((await stored()).fulfilment!.upload).toMatchObject({ status: 'UPLOADED', attempts: 7 });
  });

  it('a lost answer is retried with the same body; "not updated" (10060023) means uploaded', async () => {
    wx.script = ['lost', 10060023];
    const r = await ship();
    expect(r.shipment.upload).toMatchObject({
      status: 'PENDING',
      lastError: expect.stringContaining('no answer'),
    });
    await reconcileFulfilment(deps); // not due yet
    expect(wx.uploads).toHaveLength(1);
    now += 30_000;
    await reconcileFulfilment(deps);
    expect((await stored()).fulfilment!.upload).toMatchObject({ status: 'UPLOADED', attempts: 2 });
    expect(wx.uploads[1]).toEqual(wx.uploads[0]);
  });

  it('two reconcile runs at once claim a due attempt once', async () => {
    wx.script = [10060001];
    await ship();
    now += 60_000;
    const [a, b] = await Promise.all([reconcileFulfilment(deps), reconcileFulfilment(deps)]);
    expect(a.uploadsTried + b.uploadsTried).toBe(1);
    expect(wx.uploads).toHaveLength(2);
  });
});

describe('amendment', () => {
  it("supersedes an upload still pending: the old version's late outcome is ignored", async () => {
    wx.script = [10060001];
    await ship('ZT1');
    const a = await amendShipment(deps, MERCHANT, { outTradeNo: ID, logisticsType: 4 });
    expect(a.shipment).toMatchObject({ logisticsType: 4, amended: true, upload: { status: 'UPLOADED' } });
    const f = (await stored()).fulfilment!;
    expect(f).toMatchObject({ amendments: 1, upload: { version: 2, status: 'UPLOADED' } });
    // The express fields of the first shipment are gone with it.
    expect(f.trackingNo).toBeUndefined();
    expect(f.expressCompany).toBeUndefined();
    now += 60_000;
    await reconcileFulfilment(deps);
    expect(wx.uploads.map((p) => p.logistics_type)).toEqual([1, 4]);
  });
});

describe('receipt at WeChat', () => {
  it('checks shipped orders when due; order_state 3 → RECEIVED by wechat', async () => {
    await ship();
    await reconcileFulfilment(deps);
    expect((await stored()).fulfilment!.status).toBe('SHIPPED');
    now += 30 * 60_000;
    const first = await reconcileFulfilment(deps);
    expect(first).toMatchObject({ receiptsChecked: 1, received: 0 });
    wx.orderState = 3;
    now += 30 * 60_000;
    expect(await reconcileFulfilment(deps)).toMatchObject({ receiptsChecked: 1, received: 1 });
    expect((await stored()).fulfilment).toMatchObject({ status: 'RECEIVED', receivedBy: 'wechat' });
  });
});
