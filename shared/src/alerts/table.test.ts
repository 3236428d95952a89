import { describe, expect, it } from 'vitest';
import { OUTBOX_KINDS } from '../orders/records';
import { ALERT_TABLE, TEMPLATE_SLOTS } from './table';

describe('the alert table', () => {
  it('has exactly one rule for every outbox kind, each with a channel and a template slot', () => {
    expect(Object.keys(ALERT_TABLE).sort()).toEqual([...OUTBOX_KINDS].sort());
    for (const kind of OUTBOX_KINDS) {
      const rule = ALERT_TABLE[kind];
      expect(rule.channels.length, kind).toBeGreaterThan(0);
      expect(TEMPLATE_SLOTS).toContain(rule.template);
      expect([...rule.title].length, kind).toBeLessThanOrEqual(20);
      expect(rule.status, kind).toMatch(/^[\u3400-\u9fff]{1,5}$/);
      expect(rule.channels.includes('printer'), kind).toBe(rule.receipt !== undefined);
    }
  });

  it('needs at most 3 templates (one wx.requestSubscribeMessage tap in the older docs)', () => {
    expect(new Set(Object.values(ALERT_TABLE).map((r) => r.template)).size).toBeLessThanOrEqual(3);
  });

  it('prints paid orders and refund receipts, and lists paid orders, refund requests and anomalies', () => {
    const printed = OUTBOX_KINDS.filter((k) => ALERT_TABLE[k].channels.includes('printer'));
    expect(printed).toEqual(['ORDER_PAID', 'ORDER_PAID_AFTER_CLOSE', 'REFUND_REQUESTED', 'REFUND_SUCCEEDED']);
    for (const k of [
      'ORDER_PAID',
      'REFUND_REQUESTED',
      'PAYMENT_MISMATCH',
      'REFUND_ABNORMAL',
      'REFUND_STUCK',
    ] as const)
      expect(ALERT_TABLE[k].feed, k).toBe(true);
  });
});
