import { describe, expect, it } from 'vitest';
import { TransitionError } from '../errors';
import {
  applyRefundEvent,
  eventForRefundStatus,
  isOpen,
  nextRefundState,
  orderRefundLabel,
  REFUND_EVENTS,
  REFUND_LABELS,
  REFUND_STATUSES,
  type RefundEvent,
  type RefundState,
  refundAllows,
} from './state';

/** The expected table, written out independently of state.ts: `to` or null for refused. */
const NONE: Record<RefundEvent, RefundState | null> = {
  APPROVE: null,
  REJECT: null,
  CANCEL: null,
  SUCCEED: null,
  FAIL: null,
  ABNORMAL: null,
  CLOSE: null,
  RETRY: null,
};
const EXPECTED: Record<RefundState, Record<RefundEvent, RefundState | null>> = {
  REQUESTED: { ...NONE, APPROVE: 'PROCESSING', REJECT: 'REJECTED', CANCEL: 'CANCELLED' },
  PROCESSING: { ...NONE, SUCCEED: 'SUCCESS', FAIL: 'FAILED', ABNORMAL: 'CHANGE', CLOSE: 'CLOSED' },
  FAILED: { ...NONE, RETRY: 'PROCESSING' },
  CANCELLED: NONE,
  REJECTED: NONE,
  SUCCESS: NONE,
  CHANGE: NONE,
  CLOSED: NONE,
};

describe('refund state machine', () => {
  const pairs = REFUND_STATUSES.flatMap((s) => REFUND_EVENTS.map((e) => [s, e] as const));

  it('covers 8 states × 8 events', () => {
    expect(pairs).toHaveLength(64);
  });

  it.each(pairs)('%s × %s', (from, event) => {
    const expected = EXPECTED[from][event];
    const t = nextRefundState(from, event);
    if (expected === null) {
      expect(t).toBeInstanceOf(TransitionError);
      expect((t as TransitionError).from).toBe(from);
      expect(() => applyRefundEvent(from, event)).toThrow(TransitionError);
      expect(refundAllows(from, event)).toBe(false);
    } else {
      expect(t).toEqual({ from, event, to: expected });
      expect(refundAllows(from, event)).toBe(true);
    }
  });

  it('refuses unknown states and events without throwing from nextRefundState', () => {
    expect(nextRefundState('toString' as RefundState, 'APPROVE')).toBeInstanceOf(TransitionError);
    expect(nextRefundState('REQUESTED', 'constructor' as RefundEvent)).toBeInstanceOf(TransitionError);
  });

  it("maps WeChat's refund_status to events; PROCESSING causes none", () => {
    expect(eventForRefundStatus('SUCCESS')).toBe('SUCCEED');
    expect(eventForRefundStatus('CHANGE')).toBe('ABNORMAL');
    expect(eventForRefundStatus('REFUNDCLOSE')).toBe('CLOSE');
    expect(eventForRefundStatus('PROCESSING')).toBeUndefined();
    expect(eventForRefundStatus('garbage')).toBeUndefined();
  });

  it('labels every state and derives the order label, most urgent first', () => {
    for (const s of REFUND_STATUSES) expect(REFUND_LABELS[s]).toMatch(/\p{Script=Han}/u);
    expect(orderRefundLabel(['SUCCESS', 'REQUESTED'])).toBe('待审核');
    expect(orderRefundLabel(['SUCCESS', 'PROCESSING'])).toBe('退款中');
    expect(orderRefundLabel(['SUCCESS'])).toBe('退款完成');
    expect(orderRefundLabel(['SUCCESS', 'FAILED'])).toBe('退款失败');
    expect(orderRefundLabel(['CHANGE', 'PROCESSING'])).toBe('退款异常');
    expect(orderRefundLabel(['REJECTED', 'CANCELLED'])).toBeUndefined();
    expect(REFUND_STATUSES.filter(isOpen)).toEqual(['REQUESTED', 'PROCESSING', 'FAILED']);
  });
});
