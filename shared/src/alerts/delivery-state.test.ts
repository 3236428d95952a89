import { describe, expect, it } from 'vitest';
import { TransitionError } from '../errors';
import { DELIVERY_EVENTS, DELIVERY_STATUSES, nextDeliveryStatus } from './delivery-state';

const EXPECTED: Record<string, string> = {
  'PENDING+CLAIM': 'SENDING',
  'SENDING+DELIVERED': 'SENT',
  'SENDING+ACCEPTED': 'CONFIRMING',
  'SENDING+RETRY': 'PENDING',
  'SENDING+FAIL': 'FAILED',
  'CONFIRMING+CLAIM': 'CHECKING',
  'CHECKING+DELIVERED': 'SENT',
  'CHECKING+RETRY': 'CONFIRMING',
  'CHECKING+FAIL': 'FAILED',
};

describe('the delivery state machine', () => {
  for (const from of DELIVERY_STATUSES)
    for (const event of DELIVERY_EVENTS) {
      const want = EXPECTED[`${from}+${event}`];
      it(`${from} + ${event} → ${want ?? 'refused'}`, () => {
        if (want) expect(nextDeliveryStatus(from, event)).toBe(want);
        else expect(() => nextDeliveryStatus(from, event)).toThrow(TransitionError);
      });
    }

  it('never leaves SENT or FAILED: a confirmed delivery is never sent again', () => {
    for (const event of DELIVERY_EVENTS) {
      expect(() => nextDeliveryStatus('SENT', event)).toThrow(TransitionError);
      expect(() => nextDeliveryStatus('FAILED', event)).toThrow(TransitionError);
    }
  });
});
