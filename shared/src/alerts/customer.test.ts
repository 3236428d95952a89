/**
 * The buyer's subscribe messages (channel `customer`): the table's customer rules, the customer template
 * slots of ALERT_TEMPLATES, the message per key type, the 43101 rule (FAILED "no grant", never the
 * merchant's ledger), and the drain's buyer (order `_openid`, refund `openid`, else the refund's order) on
 * the emulator's database and subscribeMessage.send stand-in, in process.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checkDataValue } from '../../../scripts/emulator/src/lib/openapi/subscribe-message';
import { type InProcessCloud, inProcessCloud } from '../../../scripts/emulator/src/testing/in-process';
import { ConfigError } from '../errors';
import { silentLogger } from '../log';
import type { Db } from '../orders/db-port';
import { COLLECTIONS, OUTBOX_KINDS, type OutboxEntry, type OutboxKind } from '../orders/records';
import { outboxData } from '../orders/store';
import { loadAlertConfig, type TemplateConfig } from './config';
import type { AlertDeps } from './deps';
import { customerMessage } from './messages';
import { BACKOFF_MS, decideSend } from './policy';
import type { AlertDelivery, MerchantAlertFields } from './records';
import { subscribeSender } from './subscribe-sender';
import { ALERT_TABLE, CUSTOMER_TEMPLATE_SLOTS } from './table';
import { deliverAlerts } from './use-cases/deliver-alerts';
import { plannedDeliveries } from './use-cases/drain-outbox';
import { recordSubscription } from './use-cases/record-subscription';

const CUSTOMER_KINDS: readonly OutboxKind[] = [
  'ORDER_PAID',
  'REFUND_SUCCEEDED',
  'REFUND_FAILED',
  'REFUND_ABNORMAL',
  'REFUND_CLOSED',
  'ORDER_SHIPPED',
];

const PAID: TemplateConfig = {
  id: 'tmpl-c-paid',
  fields: {
    character_string1: 'orderNo',
    amount2: 'amount',
    phrase3: 'status',
    time4: 'time',
    thing5: 'title',
  },
};
const SHIPPED: TemplateConfig = {
  id: 'tmpl-c-shipped',
  fields: {
    character_string1: 'orderNo',
    thing2: 'detail',
    phrase3: 'status',
    time4: 'time',
    thing5: 'title',
  },
};
const REFUND: TemplateConfig = {
  id: 'tmpl-c-refund',
  fields: { number1: 'orderNo', amount2: 'amount', phrase3: 'status', date4: 'time', thing5: 'title' },
};
const MERCHANT_ORDER: TemplateConfig = {
  id: 'tmpl-order',
  fields: { thing1: 'title', amount2: 'amount', character_string3: 'orderNo' },
};
const TEMPLATES = {
  order: MERCHANT_ORDER,
  refund: { ...MERCHANT_ORDER, id: 'tmpl-refund' },
  customerOrder: PAID,
  customerShipped: SHIPPED,
  customerRefund: REFUND,
};

describe('the table: customer messages', () => {
  it('every kind has one rule; exactly the buyer-facing kinds go to both, each with customer words', () => {
    expect(Object.keys(ALERT_TABLE).sort()).toEqual([...OUTBOX_KINDS].sort());
    for (const kind of OUTBOX_KINDS) {
      const rule = ALERT_TABLE[kind];
      expect(rule.to, kind).toBe(CUSTOMER_KINDS.includes(kind) ? 'both' : 'merchants');
      expect(rule.customer !== undefined, kind).toBe(rule.to === 'both');
      if (!rule.customer) continue;
      expect(CUSTOMER_TEMPLATE_SLOTS).toContain(rule.customer.template);
      expect([...rule.customer.title].length, kind).toBeLessThanOrEqual(20);
      expect(rule.customer.status, kind).toMatch(/^[\u3400-\u9fff]{1,5}$/);
    }
    expect(ALERT_TABLE.ORDER_PAID.customer?.template).toBe('customerOrder');
    expect(ALERT_TABLE.ORDER_SHIPPED.customer?.template).toBe('customerShipped');
    for (const k of ['REFUND_SUCCEEDED', 'REFUND_FAILED', 'REFUND_ABNORMAL', 'REFUND_CLOSED'] as const)
      expect(ALERT_TABLE[k].customer?.template, k).toBe('customerRefund');
  });

  it('the buyer needs at most 3 templates: the checkout offers them in one popup', () => {
    const slots = new Set(OUTBOX_KINDS.flatMap((k) => ALERT_TABLE[k].customer?.template ?? []));
    expect(slots.size).toBeLessThanOrEqual(3);
  });
});

describe('customer template configuration', () => {
  it('ALERT_TEMPLATES takes the customer slots like the merchant ones; the page defaults to the order detail', () => {
    const c = loadAlertConfig({ ALERT_TEMPLATES: JSON.stringify(TEMPLATES) });
    expect(c.templates.customerOrder).toEqual(PAID);
    expect(c.templates.customerRefund).toEqual(REFUND);
    expect(c.customerPage).toBe('pages/order/order');
    expect(loadAlertConfig({ ALERT_CUSTOMER_PAGE: 'pages/x/x' }).customerPage).toBe('pages/x/x');
  });

  it('refuses a bad customer template or page at cold start, naming it', () => {
    const bad = (env: Record<string, string>) => {
      try {
        loadAlertConfig(env);
        return 'loaded';
      } catch (e) {
        expect(e).toBeInstanceOf(ConfigError);
        return (e as Error).message;
      }
    };
    expect(
      bad({
        ALERT_TEMPLATES: JSON.stringify({ customerShipped: { id: 'x', fields: { amount1: 'title' } } }),
      }),
    ).toMatch(/customerShipped\.fields\.amount1/);
    expect(bad({ ALERT_TEMPLATES: JSON.stringify({ customerPaid: PAID }) })).toMatch(/unknown slot/);
    expect(bad({ ALERT_CUSTOMER_PAGE: 'https://evil.example/x' })).toMatch(/ALERT_CUSTOMER_PAGE/);
  });
});

describe('the customer message', () => {
  const LONG = '顺丰速运 SF1234567890123456789012345678901234567890（很长很长的说明）';
  it('per key type, for every customer kind: values WeChat accepts, the buyer page, customer words', () => {
    for (const kind of CUSTOMER_KINDS) {
      const rule = ALERT_TABLE[kind];
      const template = TEMPLATES[rule.customer!.template];
      const facts = {
        kind,
        eventId: `${kind}:X`,
        at: Date.UTC(2026, 11, 5, 2, 7),
        outTradeNo: 'SY20261205000000ABCD',
        totalFee: 4800,
        refundFee: 1200,
        detail: LONG,
      };
      const m = customerMessage(facts, 'o-buyer', template, {
        customerPage: 'pages/order/order',
        miniprogramState: 'formal',
      });
      expect(m).toMatchObject({
        touser: 'o-buyer',
        templateId: template.id,
        page: 'pages/order/order?outTradeNo=SY20261205000000ABCD',
      });
      expect(Object.keys(m.data).sort()).toEqual(Object.keys(template.fields).sort());
      for (const [k, v] of Object.entries(m.data))
        expect(checkDataValue(k, v), `${kind} ${k}`).toBeUndefined();
      expect(m.data.thing5?.value).toBe(rule.customer!.title);
      expect(m.data.phrase3?.value).toBe(rule.customer!.status);
      if (template.fields.amount2)
        expect(m.data.amount2?.value).toBe(rule.amount === 'refund' ? '¥12.00' : '¥48.00');
    }
    const refund = customerMessage(
      { kind: 'REFUND_SUCCEEDED', eventId: 'e', at: 0, outTradeNo: 'SY20261205000000ABCD', refundFee: 1200 },
      'o-buyer',
      REFUND,
      { miniprogramState: 'formal' },
    );
    expect(refund.data).toMatchObject({
      number1: { value: '20261205000000' },
      date4: { value: '1970-01-01 08:00' },
      phrase3: { value: '退款成功' },
    });
    expect(refund.page).toBe('pages/order/order?outTradeNo=SY20261205000000ABCD');
    const shipped = customerMessage(
      { kind: 'ORDER_SHIPPED', eventId: 'e', at: 0, outTradeNo: 'SY1', detail: LONG },
      'o-buyer',
      SHIPPED,
      { miniprogramState: 'formal' },
    );
    expect([...shipped.data.thing2!.value]).toHaveLength(20);
    expect(() =>
      customerMessage({ kind: 'REFUND_STUCK', eventId: 'e', at: 0, outTradeNo: 'SY1' }, 'o', REFUND, {
        miniprogramState: 'formal',
      }),
    ).toThrow(/no customer message/);
  });
});

describe('customer delivery rules', () => {
  it('43101 → FAILED "no grant" (nothing waits); timeouts and busy retried as for merchants', () => {
    const noGrant = decideSend('customer', { kind: 'no-grant', errCode: 43101, message: 'refuse' }, 1);
    expect(noGrant).toMatchObject({ event: 'FAIL', attempt: { result: 'no-grant', errCode: 43101 } });
    expect(noGrant.failReason).toMatch(/no grant/);
    expect(noGrant.waitingForGrant).toBeUndefined();
    expect(decideSend('subscribe', { kind: 'no-grant', errCode: 43101, message: 'r' }, 1)).toMatchObject({
      event: 'RETRY',
      waitingForGrant: true,
    });
    expect(decideSend('customer', { kind: 'timeout', message: 'no answer' }, 1)).toMatchObject({
      event: 'RETRY',
      delayMs: BACKOFF_MS[0],
    });
    expect(
      decideSend('customer', { kind: 'refused', retryable: true, errCode: -1, message: 'busy' }, 2),
    ).toMatchObject({ event: 'RETRY', delayMs: BACKOFF_MS[1] });
    expect(
      decideSend('customer', { kind: 'refused', retryable: false, errCode: 40003, message: 'openid' }, 1),
    ).toMatchObject({ event: 'FAIL' });
  });

  it('the drain plans one customer delivery per event and buyer, apart from a merchant with the same openid', () => {
    const d = {
      settings: { templates: TEMPLATES, page: 'p', miniprogramState: 'formal' as const },
      subscribe: (async () => ({ kind: 'delivered' })) as never,
    };
    const merchants = [{ _id: 'shop', alertOpenids: ['o-owner'] }];
    const entry: OutboxEntry = { id: 'ORDER_PAID:SY1', kind: 'ORDER_PAID', at: 1, outTradeNo: 'SY1' };
    expect(plannedDeliveries(d, merchants, entry, 5, 'o-buyer').map((x) => [x._id, x.templateId])).toEqual([
      ['ORDER_PAID:SY1|subscribe|o-owner', 'tmpl-order'],
      ['ORDER_PAID:SY1|customer|o-buyer', 'tmpl-c-paid'],
    ]);
    // The owner buying in their own shop gets both: the merchant alert and the buyer's message.
    expect(plannedDeliveries(d, merchants, entry, 5, 'o-owner').map((x) => x._id)).toEqual([
      'ORDER_PAID:SY1|subscribe|o-owner',
      'ORDER_PAID:SY1|customer|o-owner',
    ]);
    expect(plannedDeliveries(d, merchants, entry, 5).map((x) => x.channel)).toEqual(['subscribe']);
    const stuck: OutboxEntry = { id: 'REFUND_STUCK:RF1', kind: 'REFUND_STUCK', at: 1, outTradeNo: 'SY1' };
    expect(plannedDeliveries(d, merchants, stuck, 5, 'o-buyer').map((x) => x.channel)).toEqual([]);
    const noCustomerTemplate = { ...d, settings: { ...d.settings, templates: { order: MERCHANT_ORDER } } };
    expect(
      plannedDeliveries(noCustomerTemplate, merchants, entry, 5, 'o-buyer').map((x) => x.channel),
    ).toEqual(['subscribe']);
  });
});

describe('customer deliveries on the emulator (in process)', () => {
  const T0 = Date.UTC(2026, 11, 5, 2, 0, 0);
  const OWNER = 'o-owner';
  let env: InProcessCloud;
  let db: Db;
  let now: number;

  beforeEach(async () => {
    now = T0;
    env = inProcessCloud({ now: () => now });
    env.cloud.init();
    for (const c of Object.values(COLLECTIONS)) env.engine.createCollection(c);
    db = env.cloud.database() as unknown as Db;
    await db.collection(COLLECTIONS.merchants).add({
      data: { _id: 'shop', name: '店', reviewerOpenids: [OWNER], alertOpenids: [OWNER] },
    });
  });
  afterEach(() => env.close());

  const deps = (): AlertDeps => ({
    db,
    settings: { templates: TEMPLATES, page: 'pages/m', miniprogramState: 'formal' },
    subscribe: subscribeSender(env.cloud.openapi.subscribeMessage.send, 1000),
    clock: { now: () => now },
    log: silentLogger,
  });

  async function order(id: string, buyer: string, entries: OutboxEntry[]): Promise<void> {
    await db.collection(COLLECTIONS.orders).add({
      data: { _id: id, _openid: buyer, status: 'PAID', totalFee: 4800, lines: [], outbox: [], history: [] },
    });
    await db
      .collection(COLLECTIONS.orders)
      .where({ _id: id })
      .update({ data: outboxData(db, entries) });
  }
  const paid = (id: string): OutboxEntry => ({
    id: `ORDER_PAID:${id}`,
    kind: 'ORDER_PAID',
    at: now,
    outTradeNo: id,
    totalFee: 4800,
  });
  const all = async () =>
    (await db.collection(COLLECTIONS.alerts).limit(100).get()).data as unknown as AlertDelivery[];
  const ledger = async () =>
    ((await db.collection(COLLECTIONS.merchants).where({ _id: 'shop' }).get()).data[0] as MerchantAlertFields)
      .alertLedger;

  it('no grant (43101) → FAILED "no grant" at once; the merchant is delivered and the ledger untouched', async () => {
    env.messages.grant(OWNER, MERCHANT_ORDER.id, 1);
    await order('SY1', 'o-buyer', [paid('SY1')]);
    const r = await deliverAlerts(deps());
    expect(r).toMatchObject({ delivered: 1, failed: 1, retry: 0 });
    const byId = Object.fromEntries((await all()).map((d) => [d._id, d]));
    expect(byId['ORDER_PAID:SY1|customer|o-buyer']).toMatchObject({
      status: 'FAILED',
      channel: 'customer',
      recipient: 'o-buyer',
      templateId: PAID.id,
      failReason: expect.stringMatching(/no grant/),
    });
    expect(byId['ORDER_PAID:SY1|customer|o-buyer']!.attempts.map((a) => [a.result, a.errCode])).toEqual([
      ['no-grant', 43101],
    ]);
    expect(byId['ORDER_PAID:SY1|subscribe|o-owner']).toMatchObject({ status: 'SENT' });
    expect(await ledger()).toEqual({
      [OWNER]: { templates: { [MERCHANT_ORDER.id]: { grants: -1 } }, lastDeliveryAt: T0 },
    });
    now += 7 * 3600_000; // nothing is left to retry
    expect(await deliverAlerts(deps())).toMatchObject({ due: 0 });
  });

  it('a merchant buying in their own shop: the buyer message’s 43101 never marks them to re-subscribe', async () => {
    env.messages.grant(OWNER, MERCHANT_ORDER.id, 1);
    await order('SY2', OWNER, [paid('SY2')]);
    await deliverAlerts(deps());
    const byId = Object.fromEntries((await all()).map((d) => [d._id, d.status]));
    expect(byId).toMatchObject({
      'ORDER_PAID:SY2|subscribe|o-owner': 'SENT',
      'ORDER_PAID:SY2|customer|o-owner': 'FAILED',
    });
    const mine = (await ledger())?.[OWNER]?.templates ?? {};
    expect(Object.keys(mine)).toEqual([MERCHANT_ORDER.id]);
    expect(mine[MERCHANT_ORDER.id]?.exhausted).toBeUndefined();
  });

  it('with a grant the buyer gets one message; a refund finds its buyer on the refund or its order', async () => {
    env.messages.grant('o-buyer', PAID.id, 1);
    env.messages.grant('o-buyer', REFUND.id, 2);
    await order('SY3', 'o-buyer', [paid('SY3')]);
    const refund = (id: string, openid?: string) =>
      db.collection(COLLECTIONS.refunds).add({
        data: {
          _id: id,
          outTradeNo: 'SY3',
          ...(openid ? { openid } : {}),
          outbox: [
            {
              id: `REFUND_SUCCEEDED:${id}`,
              kind: 'REFUND_SUCCEEDED',
              at: now,
              outTradeNo: 'SY3',
              refundId: id,
              refundFee: 1200,
            },
          ],
          alertsPending: true,
          outboxSeq: 1,
        },
      });
    await refund('RF1', 'o-buyer');
    await refund('RF2'); // no openid stored: the order's payer
    await deliverAlerts(deps());
    await deliverAlerts(deps()); // again: nothing more
    const customer = (await all()).filter((d) => d.channel === 'customer');
    expect(customer.map((d) => [d._id, d.status]).sort()).toEqual([
      ['ORDER_PAID:SY3|customer|o-buyer', 'SENT'],
      ['REFUND_SUCCEEDED:RF1|customer|o-buyer', 'SENT'],
      ['REFUND_SUCCEEDED:RF2|customer|o-buyer', 'SENT'],
    ]);
    const sent = env.messages.messages().filter((m) => m.touser === 'o-buyer');
    expect(sent.map((m) => m.templateId).sort()).toEqual([PAID.id, REFUND.id, REFUND.id]);
    expect(sent.every((m) => m.page === 'pages/order/order?outTradeNo=SY3')).toBe(true);
    expect((await ledger())?.['o-buyer']).toBeUndefined();
  });

  it('a merchant accepting a buyer template records no grant: only merchant templates have a ledger', async () => {
    const r = await recordSubscription(deps(), OWNER, {
      results: { [PAID.id]: 'accept', [MERCHANT_ORDER.id]: 'accept' },
    });
    expect(r).toMatchObject({ accepted: [MERCHANT_ORDER.id], ignored: [PAID.id] });
    expect(Object.keys((await ledger())?.[OWNER]?.templates ?? {})).toEqual([MERCHANT_ORDER.id]);
  });
});
