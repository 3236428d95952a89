import { describe, expect, it } from 'vitest';
import type { Order } from '../orders/records';
import { planLedger } from './ledger';

function order(o: Partial<Order> = {}): Order {
  return {
    _id: 'SY20261205100000AAAAAAAAAAAA',
    _openid: 'o-a',
    lines: [],
    totalFee: 1000,
    status: 'PAID',
    signType: 'MD5',
    unifiedOrder: {} as Order['unifiedOrder'],
    refundedFee: 0,
    reservedFee: 0,
    outbox: [],
    history: [],
    createdAt: 0,
    expireAt: 0,
    ...o,
  };
}

const h = (id: string, fee: number) => ({ id, fee });

describe('planLedger', () => {
  it('reserves within the total, counts new refunds, refuses beyond', () => {
    expect(planLedger(order(), { kind: 'reserve', id: 'R1', fee: 400, counts: true })).toEqual({
      plan: 'write',
      refundedFee: 0,
      set: { reservedFee: 400, refundHolds: [h('R1', 400)], refundCount: 1 },
    });
    const o = order({ refundedFee: 300, reservedFee: 400, refundHolds: [h('R1', 400)], refundCount: 2 });
    expect(planLedger(o, { kind: 'reserve', id: 'R2', fee: 300, counts: true })).toMatchObject({
      plan: 'write',
      set: { reservedFee: 700, refundHolds: [h('R1', 400), h('R2', 300)], refundCount: 3 },
    });
    expect(planLedger(o, { kind: 'reserve', id: 'R2', fee: 301, counts: true })).toEqual({
      plan: 'refuse',
      reason: 'exceeds',
    });
  });

  it('is idempotent per refund and enforces 50 refunds, exclusivity and payment', () => {
    const o = order({
      reservedFee: 100,
      refundHolds: [h('R1', 100)],
      refundsSettled: ['R0'],
      refundCount: 2,
    });
    expect(planLedger(o, { kind: 'reserve', id: 'R1', fee: 100, counts: true })).toEqual({ plan: 'noop' });
    expect(planLedger(o, { kind: 'reserve', id: 'R0', fee: 100, counts: false })).toEqual({ plan: 'noop' });
    expect(planLedger(o, { kind: 'reserve', id: 'R2', fee: 1, counts: true, exclusive: true })).toEqual({
      plan: 'refuse',
      reason: 'open',
    });
    expect(
      planLedger(order({ refundCount: 50 }), { kind: 'reserve', id: 'R', fee: 1, counts: true }),
    ).toEqual({
      plan: 'refuse',
      reason: 'too-many',
    });
    // A retry of a failed refund does not count again.
    expect(
      planLedger(order({ refundCount: 50 }), { kind: 'reserve', id: 'R', fee: 1, counts: false }),
    ).toMatchObject({
      plan: 'write',
    });
    expect(
      planLedger(order({ status: 'NOTPAY' }), { kind: 'reserve', id: 'R', fee: 1, counts: true }),
    ).toEqual({
      plan: 'refuse',
      reason: 'not-paid',
    });
  });

  it('releases only a held reservation', () => {
    const o = order({ reservedFee: 700, refundHolds: [h('R1', 300), h('R2', 400)] });
    expect(planLedger(o, { kind: 'release', id: 'R1' })).toEqual({
      plan: 'write',
      refundedFee: 0,
      set: { reservedFee: 400, refundHolds: [h('R2', 400)] },
    });
    expect(planLedger(o, { kind: 'release', id: 'R9' })).toEqual({ plan: 'noop' });
  });

  it('settles once: reserved → refunded, or straight to refunded (商户平台) counting it', () => {
    const o = order({ reservedFee: 700, refundHolds: [h('R1', 700)], refundCount: 1 });
    expect(planLedger(o, { kind: 'settle', id: 'R1', fee: 700, counts: false })).toEqual({
      plan: 'write',
      refundedFee: 700,
      set: { refundedFee: 700, reservedFee: 0, refundHolds: [], refundsSettled: ['R1'] },
    });
    expect(planLedger(o, { kind: 'settle', id: 'V1', fee: 300, counts: true })).toEqual({
      plan: 'write',
      refundedFee: 300,
      set: {
        refundedFee: 300,
        reservedFee: 700,
        refundHolds: [h('R1', 700)],
        refundsSettled: ['V1'],
        refundCount: 2,
      },
    });
    expect(
      planLedger(order({ refundsSettled: ['R1'] }), { kind: 'settle', id: 'R1', fee: 700, counts: false }),
    ).toEqual({ plan: 'noop' });
  });
});
