/** The checkout offers the customer templates orderAlert sends with (the local stack's demo ids). */
import { describe, expect, it } from 'vitest';
import { CUSTOMER_TEMPLATE_IDS } from '../../miniprogram/config';
import { DEMO_CUSTOMER_TEMPLATES } from '../../scripts/emulator/src/lib/local-stack';

describe('miniprogram/config.ts customer templates', () => {
  it('are the local stack demo ids, in the order payment result, shipped, refund result (at most 3)', () => {
    expect(CUSTOMER_TEMPLATE_IDS).toEqual([
      DEMO_CUSTOMER_TEMPLATES.customerOrder.id,
      DEMO_CUSTOMER_TEMPLATES.customerShipped.id,
      DEMO_CUSTOMER_TEMPLATES.customerRefund.id,
    ]);
    expect(CUSTOMER_TEMPLATE_IDS.length).toBeLessThanOrEqual(3);
  });
});
