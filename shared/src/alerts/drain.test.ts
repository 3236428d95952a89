import { describe, expect, it } from 'vitest';
import { OUTBOX_KINDS, type OutboxEntry } from '../orders/records';
import type { PrinterPort } from './printer-port';
import type { SubscribeSender } from './subscribe-sender';
import { ALERT_TABLE, TEMPLATE_SLOTS } from './table';
import { plannedDeliveries } from './use-cases/drain-outbox';
import type { RobotPort } from './wecom';

const templates = Object.fromEntries(
  TEMPLATE_SLOTS.map((slot) => [slot, { id: `tmpl-${slot}`, fields: { thing1: 'title' as const } }]),
);
const channels = {
  settings: { templates, page: 'p', miniprogramState: 'formal' as const },
  subscribe: (async () => ({ kind: 'delivered' })) as SubscribeSender,
  printer: { id: 'SN1' } as PrinterPort,
  robot: {} as RobotPort,
};
const merchants = [
  { _id: 'shop', alertOpenids: ['o-owner', 'o-manager'] },
  { _id: 'shop-2', alertOpenids: ['o-manager', 'o-cashier'] },
];

describe('the drain plan', () => {
  it('gives every kind one delivery per recipient and channel of its rule, with deterministic ids', () => {
    for (const kind of OUTBOX_KINDS) {
      const entry: OutboxEntry = { id: `${kind}:X1`, kind, at: 1, outTradeNo: 'SY1', totalFee: 100 };
      const plan = plannedDeliveries(channels, merchants, entry, 5);
      const rule = ALERT_TABLE[kind];
      const want = [
        ...(rule.channels.includes('subscribe')
          ? ['o-owner', 'o-manager', 'o-cashier'].map((o) => `${kind}:X1|subscribe|${o}`)
          : []),
        ...(rule.channels.includes('printer') ? [`${kind}:X1|printer|SN1`] : []),
        ...(rule.channels.includes('wecom') ? [`${kind}:X1|wecom|robot`] : []),
      ];
      expect(
        plan.map((d) => d._id),
        kind,
      ).toEqual(want);
      for (const d of plan) {
        expect(d).toMatchObject({ status: 'PENDING', nextAttemptAt: 5, sends: 0, attempts: [], kind });
        if (d.channel === 'subscribe') expect(d.templateId).toBe(`tmpl-${rule.template}`);
      }
      expect(plannedDeliveries(channels, merchants, entry, 9).map((d) => d._id)).toEqual(want);
    }
  });

  it('plans nothing on a channel that is not configured', () => {
    const entry: OutboxEntry = { id: 'ORDER_PAID:X2', kind: 'ORDER_PAID', at: 1, outTradeNo: 'SY2' };
    const bare = { settings: { templates: {}, page: 'p', miniprogramState: 'formal' as const } };
    expect(plannedDeliveries(bare, merchants, entry, 1)).toEqual([]);
    const onlyPrinter = { ...bare, printer: channels.printer };
    expect(plannedDeliveries(onlyPrinter, merchants, entry, 1).map((d) => d.channel)).toEqual(['printer']);
  });
});
