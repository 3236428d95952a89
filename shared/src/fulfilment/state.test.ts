import { describe, expect, it } from 'vitest';
import { TransitionError } from '../errors';
import {
  applyFulfilment,
  applyUpload,
  FULFILMENT_EVENTS,
  FULFILMENT_STATUSES,
  type FulfilmentEvent,
  type FulfilmentStatus,
  fulfilmentStatusesAllowing,
  isAwaitingReceipt,
  isUnshipped,
  nextFulfilment,
  nextUpload,
  receivedAtWeChat,
  shippedAtWeChat,
  UPLOAD_EVENTS,
  UPLOAD_STATUSES,
  type UploadEvent,
  type UploadStatus,
  uploadStatusesAllowing,
} from './state';

/** Written out independently of state.ts: the target, or null for refused. */
const FULFILMENT: Record<FulfilmentStatus, Record<FulfilmentEvent, FulfilmentStatus | null>> = {
  UNSHIPPED: { SHIP: 'SHIPPED', AMEND: null, RECEIVE: null },
  SHIPPED: { SHIP: null, AMEND: 'SHIPPED', RECEIVE: 'RECEIVED' },
  RECEIVED: { SHIP: null, AMEND: null, RECEIVE: null },
};

const UPLOAD: Record<UploadStatus, Record<UploadEvent, UploadStatus | null>> = {
  PENDING: { SUCCEED: 'UPLOADED', DEFER: 'PENDING', FAIL: 'FAILED', REQUEUE: 'PENDING' },
  UPLOADED: { SUCCEED: null, DEFER: null, FAIL: null, REQUEUE: 'PENDING' },
  FAILED: { SUCCEED: null, DEFER: null, FAIL: null, REQUEUE: 'PENDING' },
};

describe('fulfilment state machine', () => {
  const pairs = FULFILMENT_STATUSES.flatMap((s) => FULFILMENT_EVENTS.map((e) => [s, e] as const));
  it('covers 3 states × 3 events', () => expect(pairs).toHaveLength(9));
  it.each(pairs)('%s × %s', (from, event) => {
    const expected = FULFILMENT[from][event];
    const to = nextFulfilment(from, event);
    if (expected === null) {
      expect(to).toBeInstanceOf(TransitionError);
      expect(() => applyFulfilment(from, event)).toThrow(TransitionError);
      expect(fulfilmentStatusesAllowing(event)).not.toContain(from);
    } else {
      expect(to).toBe(expected);
      expect(applyFulfilment(from, event)).toBe(expected);
      expect(fulfilmentStatusesAllowing(event)).toContain(from);
    }
  });
  it('refuses unknown states and events', () => {
    expect(nextFulfilment('LOST' as FulfilmentStatus, 'SHIP')).toBeInstanceOf(TransitionError);
    expect(nextFulfilment('UNSHIPPED', 'toString' as FulfilmentEvent)).toBeInstanceOf(TransitionError);
  });
  it('answers questions about a status', () => {
    expect(isUnshipped(undefined)).toBe(true);
    expect(isUnshipped('UNSHIPPED')).toBe(true);
    expect(isUnshipped('SHIPPED')).toBe(false);
    expect(isAwaitingReceipt('SHIPPED')).toBe(true);
    expect(isAwaitingReceipt('RECEIVED')).toBe(false);
  });
});

describe('upload state machine', () => {
  const pairs = UPLOAD_STATUSES.flatMap((s) => UPLOAD_EVENTS.map((e) => [s, e] as const));
  it('covers 3 states × 4 events', () => expect(pairs).toHaveLength(12));
  it.each(pairs)('%s × %s', (from, event) => {
    const expected = UPLOAD[from][event];
    const to = nextUpload(from, event);
    if (expected === null) {
      expect(to).toBeInstanceOf(TransitionError);
      expect(() => applyUpload(from, event)).toThrow(TransitionError);
      expect(uploadStatusesAllowing(event)).not.toContain(from);
    } else {
      expect(to).toBe(expected);
      expect(applyUpload(from, event)).toBe(expected);
      expect(uploadStatusesAllowing(event)).toContain(from);
    }
  });
});

describe("WeChat's order_state", () => {
  it.each([
    [1, false, false],
    [2, true, false],
    [3, true, true],
    [4, true, true],
    [5, true, false],
  ])('%i: shipped %s, received %s', (state, shipped, received) => {
    expect(shippedAtWeChat(state)).toBe(shipped);
    expect(receivedAtWeChat(state)).toBe(received);
  });
});
