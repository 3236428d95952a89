import { describe, expect, it } from 'vitest';
import { TransitionError } from '../errors';
import {
  allows,
  applyEvent,
  eventForTradeState,
  isAwaitingPayment,
  isClosed,
  isOrderStatus,
  isPaid,
  nextState,
  ORDER_EVENTS,
  ORDER_STATUSES,
  type OrderEvent,
  type OrderStatus,
  refundEvent,
} from './state';

/** The expected table, written out independently of state.ts: `to` or null for refused. */
const EXPECTED: Record<OrderStatus, Record<OrderEvent, OrderStatus | null>> = {
  NOTPAY: { PAY: 'PAID', CLOSE: 'CLOSED', REFUND_PARTIAL: null, REFUND_FULL: null },
  PAID: { PAY: null, CLOSE: null, REFUND_PARTIAL: 'PARTIALLY_REFUNDED', REFUND_FULL: 'REFUNDED' },
  CLOSED: { PAY: 'PAID', CLOSE: null, REFUND_PARTIAL: null, REFUND_FULL: null },
  PARTIALLY_REFUNDED: {
    PAY: null,
    CLOSE: null,
    REFUND_PARTIAL: 'PARTIALLY_REFUNDED',
    REFUND_FULL: 'REFUNDED',
  },
  REFUNDED: { PAY: null, CLOSE: null, REFUND_PARTIAL: null, REFUND_FULL: null },
};

describe('order state machine', () => {
  const pairs = ORDER_STATUSES.flatMap((s) => ORDER_EVENTS.map((e) => [s, e] as const));

  it('covers 5 states × 4 events', () => {
    expect(pairs).toHaveLength(20);
  });

  it.each(pairs)('%s × %s', (from, event) => {
    const expected = EXPECTED[from][event];
    const t = nextState(from, event);
    if (expected === null) {
      expect(t).toBeInstanceOf(TransitionError);
      expect((t as TransitionError).code).toBe('INVALID_TRANSITION');
      expect((t as TransitionError).from).toBe(from);
      expect((t as TransitionError).event).toBe(event);
      expect(() => applyEvent(from, event)).toThrow(TransitionError);
      expect(allows(from, event)).toBe(false);
    } else {
      expect(t).toMatchObject({ from, event, to: expected });
      expect(applyEvent(from, event).to).toBe(expected);
      expect(allows(from, event)).toBe(true);
    }
  });

  it('flags only CLOSED → PAID as paid after close', () => {
    const flagged = pairs.filter(([s, e]) => {
      const t = nextState(s, e);
      return !(t instanceof TransitionError) && t.flag !== undefined;
    });
    expect(flagged).toEqual([['CLOSED', 'PAY']]);
    expect(applyEvent('CLOSED', 'PAY').flag).toBe('PAID_AFTER_CLOSE');
    expect(applyEvent('NOTPAY', 'PAY').flag).toBeUndefined();
  });

  it('refuses unknown states and events instead of reading the prototype', () => {
    expect(nextState('__proto__' as OrderStatus, 'PAY')).toBeInstanceOf(TransitionError);
    expect(nextState('NOTPAY', 'toString' as OrderEvent)).toBeInstanceOf(TransitionError);
  });

  it('answers status questions', () => {
    expect(ORDER_STATUSES.filter(isAwaitingPayment)).toEqual(['NOTPAY']);
    expect(ORDER_STATUSES.filter(isPaid)).toEqual(['PAID', 'PARTIALLY_REFUNDED', 'REFUNDED']);
    expect(ORDER_STATUSES.filter(isClosed)).toEqual(['CLOSED']);
    expect(isOrderStatus('PAID')).toBe(true);
    expect(isOrderStatus('paid')).toBe(false);
    expect(isOrderStatus(undefined)).toBe(false);
  });

  it('maps orderquery trade_state to events', () => {
    expect(eventForTradeState('SUCCESS')).toBe('PAY');
    expect(eventForTradeState('REFUND')).toBe('PAY');
    expect(eventForTradeState('CLOSED')).toBe('CLOSE');
    expect(eventForTradeState('REVOKED')).toBe('CLOSE');
    for (const s of ['NOTPAY', 'USERPAYING', 'PAYERROR', 'ACCEPT', 'SOMETHING_NEW'])
      expect(eventForTradeState(s)).toBeUndefined();
  });

  it('derives the refund event from the sums', () => {
    expect(refundEvent(1, 100)).toBe('REFUND_PARTIAL');
    expect(refundEvent(99, 100)).toBe('REFUND_PARTIAL');
    expect(refundEvent(100, 100)).toBe('REFUND_FULL');
  });
});
