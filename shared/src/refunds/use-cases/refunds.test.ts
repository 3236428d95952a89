/**
 * The refund use cases on the emulator's database in process (as payments.test.ts does) with a scripted
 * WeChat Pay client: the ledger under concurrency, settlement from two sources at once, and refundNotify's
 * alert-delivery hook (awaited once after a first settlement, within a budget).
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { Engine } from '../../../../scripts/emulator/src/db/engine';
import { DbService } from '../../../../scripts/emulator/src/db/service';
import { handleRpc, type RpcServices } from '../../../../scripts/emulator/src/lib/host/rpc';
import { RpcFailure } from '../../../../scripts/emulator/src/sdk/bridge';
import { Database } from '../../../../scripts/emulator/src/sdk/database/database';
import { silentLogger } from '../../log';
import type { Db } from '../../orders/db-port';
import type { Order } from '../../orders/records';
import { COLLECTIONS } from '../../orders/records';
import { findOrder, insertOrder } from '../../orders/store';
import type { RefundResult, WxPayClient } from '../../wxpay/client-api';
import { encryptReqInfo } from '../../wxpay/crypto';
import { buildXml } from '../../wxpay/xml';
import type { RefundDeps, RefundNotifyDeps } from '../deps';
import { changeLedger } from '../ledger';
import { findRefund } from '../store';
import { createRefund } from './create-refund';
import { handleRefundNotify } from './handle-refund-notify';
import { sendRefund } from './send-refund';
import { settleRefund } from './settle-refund';

const MERCHANT = { appid: 'wx1234567890abcdef', mchId: '1900000109', apiKey: 'K'.repeat(32) };
const SUCCESS =
  '<xml><return_code><![CDATA[SUCCESS]]></return_code><return_msg><![CDATA[OK]]></return_msg></xml>';

function emulatedDb(): Db {
  const engine = Engine.open();
  for (const c of Object.values(COLLECTIONS)) engine.createCollection(c);
  const services = {
    db: new DbService(engine),
    messages: undefined,
    callFunction: async () => {
      throw new Error('not used');
    },
    countDbRequest: () => {},
  } as unknown as RpcServices;
  return new Database({
    throwOnNotFound: true,
    call: async (req) => {
      const r = await handleRpc(structuredClone(req), { invocationId: 't', functionName: 't' }, services);
      if (!r.ok) throw new RpcFailure(r.error.code, r.error.message, r.error.errCode);
      return structuredClone(r.value);
    },
  });
}

function paidOrder(id: string, totalFee: number): Order {
  return {
    _id: id,
    _openid: 'o-cust',
    lines: [],
    totalFee,
    status: 'PAID',
    signType: 'MD5',
    unifiedOrder: {} as Order['unifiedOrder'],
    transactionId: '4200000000202612050000000001',
    paidAt: Date.now(),
    refundedFee: 0,
    reservedFee: 0,
    outbox: [],
    history: [],
    createdAt: Date.now(),
    expireAt: Date.now(),
  };
}

/** A WeChat that accepts every refund. */
function acceptingWeChat(calls: string[]): WxPayClient {
  return {
    merchant: { appid: MERCHANT.appid, mchId: MERCHANT.mchId, signType: 'MD5' },
    refund: async (r) => {
      calls.push(r.out_refund_no);
      return {
        refund_id: `5030${calls.length}`,
        out_refund_no: r.out_refund_no,
        out_trade_no: r.out_trade_no ?? '',
        transaction_id: '',
        refund_fee: r.refund_fee,
        total_fee: r.total_fee,
        raw: {},
      } satisfies RefundResult;
    },
    unifiedOrder: () => Promise.reject(new Error('not used')),
    orderQuery: () => Promise.reject(new Error('not used')),
    closeOrder: () => Promise.reject(new Error('not used')),
    refundQuery: () => Promise.reject(new Error('not used')),
  };
}

let db: Db;
let calls: string[];
let deps: RefundDeps;
beforeEach(() => {
  db = emulatedDb();
  calls = [];
  deps = {
    db,
    wxpay: acceptingWeChat(calls),
    clock: { now: () => Date.now() },
    log: silentLogger,
    settings: { refundNotifyUrl: 'https://example.com/wxpay/refund-notify' },
  };
});

describe('the ledger under concurrency', () => {
  it('50 concurrent reservations of 100 fen on a 1000-fen order: exactly 10 win, the sum holds', async () => {
    const order = paidOrder('SY20261205100000LEDGER000001', 1000);
    await insertOrder(db, order);
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        changeLedger(
          db,
          order._id,
          { kind: 'reserve', id: `R${i}`, fee: 100, counts: true },
          { at: Date.now(), by: 'customer', why: 'test' },
        ),
      ),
    );
    expect(results.filter((r) => r.outcome === 'changed')).toHaveLength(10);
    expect(results.filter((r) => r.outcome === 'refused' && r.reason === 'exceeds')).toHaveLength(40);
    const stored = (await findOrder(db, order._id))!;
    expect(stored).toMatchObject({ reservedFee: 1000, refundCount: 10, refundVersion: 10 });
    expect(stored.refundHolds).toHaveLength(10);
  });
});

describe('settlement from two sources at once', () => {
  it('a notification and a query settling together: one transition, one alert, refunded once', async () => {
    const order = paidOrder('SY20261205100000SETTLE000001', 3000);
    await insertOrder(db, order);
    const refund = await createRefund(deps, {
      order,
      refundFee: 1200,
      reason: '测试',
      requestedBy: 'merchant',
      requester: 'o-m',
      exclusive: false,
    });
    const sent = await sendRefund(deps, refund, 'merchant');
    expect(sent.outcome).toBe('accepted');
    const report = { status: 'SUCCESS' as const, refundId: sent.refund.refundId!, source: 'query' as const };
    const outcomes = await Promise.all([
      settleRefund(deps, sent.refund, { ...report, source: 'notification' }, 'wechat-notification'),
      settleRefund(deps, sent.refund, report, 'reconcile'),
      settleRefund(deps, sent.refund, report, 'reconcile'),
    ]);
    expect(outcomes.filter((o) => o.outcome === 'settled')).toHaveLength(1);
    expect(outcomes.filter((o) => o.outcome === 'already-final')).toHaveLength(2);
    const stored = (await findRefund(db, refund._id))!;
    expect(stored.status).toBe('SUCCESS');
    expect(stored.outbox.map((e) => e.kind)).toEqual(['REFUND_SUCCEEDED']);
    expect(await findOrder(db, order._id)).toMatchObject({
      status: 'PARTIALLY_REFUNDED',
      refundedFee: 1200,
      reservedFee: 0,
      refundsSettled: [refund._id],
    });
    expect(calls).toEqual([refund._id]);
  });
});

describe('refundNotify alert delivery (deliverAlerts, awaited within a budget)', () => {
  async function processingRefund() {
    const order = paidOrder(`SY20261205100000HOOK${String(Math.random()).slice(2, 10)}`, 2000);
    await insertOrder(db, order);
    const r = await createRefund(deps, {
      order,
      refundFee: 2000,
      reason: '测试',
      requestedBy: 'merchant',
      requester: 'o-m',
      exclusive: false,
    });
    const sent = (await sendRefund(deps, r, 'merchant')).refund;
    const root = buildXml(
      {
        out_refund_no: sent._id,
        out_trade_no: order._id,
        transaction_id: order.transactionId!,
        refund_id: sent.refundId!,
        total_fee: '2000',
        refund_fee: '2000',
        settlement_refund_fee: '2000',
        refund_status: 'SUCCESS',
        refund_recv_accout: '支付用户零钱',
        refund_account: 'REFUND_SOURCE_UNSETTLED_FUNDS',
        refund_request_source: 'API',
      },
      'root',
    );
    const xml = buildXml({
      return_code: 'SUCCESS',
      appid: MERCHANT.appid,
      mch_id: MERCHANT.mchId,
      nonce_str: 'n',
      req_info: encryptReqInfo(root, MERCHANT.apiKey),
    });
    return { refund: sent, xml };
  }

  const notifyDeps = (deliver?: RefundNotifyDeps['deliverAlerts']): RefundNotifyDeps => ({
    db,
    settings: MERCHANT,
    clock: { now: () => Date.now() },
    log: silentLogger,
    ...(deliver ? { deliverAlerts: deliver } : {}),
  });

  it('is awaited once after the first settlement (committed before it starts), never for a duplicate', async () => {
    const { refund, xml } = await processingRefund();
    const delivered: string[] = [];
    const d = notifyDeps(async (outTradeNo) => {
      expect((await findRefund(db, refund._id))!.status).toBe('SUCCESS');
      delivered.push(outTradeNo);
    });
    expect(await handleRefundNotify(d, xml)).toBe(SUCCESS);
    expect(await handleRefundNotify(d, xml)).toBe(SUCCESS);
    expect(delivered).toEqual([refund.outTradeNo]);
  });

  it('answers SUCCESS when delivery fails or outlasts the budget', async () => {
    const failing = await processingRefund();
    expect(
      await handleRefundNotify(
        notifyDeps(async () => {
          throw new Error('43101');
        }),
        failing.xml,
      ),
    ).toBe(SUCCESS);
    const hanging = await processingRefund();
    expect(
      await handleRefundNotify(
        notifyDeps(() => new Promise<void>(() => {})),
        hanging.xml,
      ),
    ).toBe(SUCCESS);
    expect((await findRefund(db, hanging.refund._id))!.status).toBe('SUCCESS');
  });
});
