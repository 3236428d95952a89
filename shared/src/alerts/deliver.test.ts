/**
 * The delivery use cases on the emulator's database and subscribeMessage.send stand-in (in process), with
 * a manual clock: the drain's outboxSeq guard, claim-before-send under concurrency, the subscribe timeout
 * retried after its delay (and the retry recorded), a lapsed claim decided by its channel's rule, the
 * printer never reprinting a job whose outcome is unknown.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FeiePrinterStandIn } from '../../../scripts/emulator/src/lib/alerts/feie-printer';
import { type InProcessCloud, inProcessCloud } from '../../../scripts/emulator/src/testing/in-process';
import { silentLogger } from '../log';
import type { Db } from '../orders/db-port';
import { COLLECTIONS, type OutboxEntry } from '../orders/records';
import { outboxData } from '../orders/store';
import type { AlertDeps } from './deps';
import { feiePrinter } from './feie';
import { BACKOFF_MS } from './policy';
import type { AlertDelivery } from './records';
import { clearCarrier, findPendingCarriers } from './store';
import { type SubscribeSend, subscribeSender } from './subscribe-sender';
import { AlertTransportError } from './transport';
import { deliverAlerts } from './use-cases/deliver-alerts';

const T0 = Date.UTC(2026, 11, 5, 2, 0, 0);
const OWNER = 'o-owner';
const TEMPLATE = {
  id: 'tmpl-order',
  fields: { thing1: 'title', amount2: 'amount', character_string3: 'orderNo' },
} as const;

let env: InProcessCloud;
let db: Db;
let now: number;
const clock = { now: () => now };

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

function deps(parts: Partial<AlertDeps> = {}): AlertDeps {
  return {
    db,
    settings: { templates: { order: TEMPLATE }, page: 'pages/m', miniprogramState: 'formal' },
    clock,
    log: silentLogger,
    ...parts,
  };
}

async function paidOrder(id: string): Promise<void> {
  const entry: OutboxEntry = {
    id: `ORDER_PAID:${id}`,
    kind: 'ORDER_PAID',
    at: now,
    outTradeNo: id,
    totalFee: 4800,
  };
  await db.collection(COLLECTIONS.orders).add({
    data: { _id: id, status: 'PAID', totalFee: 4800, lines: [], outbox: [], history: [] },
  });
  await db
    .collection(COLLECTIONS.orders)
    .where({ _id: id })
    .update({ data: outboxData(db, [entry]) });
}

const deliveries = async () =>
  (
    await db
      .collection(COLLECTIONS.alerts)
      .where({ kind: 'ORDER_PAID', channel: db.command.in(['subscribe', 'printer', 'wecom']) })
      .limit(100)
      .get()
  ).data as unknown as AlertDelivery[];

describe('delivery', () => {
  it('a timed-out subscribe send is retried after its delay, and the retry is recorded', async () => {
    let calls = 0;
    const send: SubscribeSend = (data) => {
      calls++;
      if (calls === 1) return new Promise(() => {}); // never answers
      return env.cloud.openapi.subscribeMessage.send(data);
    };
    env.messages.grant(OWNER, TEMPLATE.id, 1);
    const d = deps({ subscribe: subscribeSender(send, 50) });
    await paidOrder('SY1');
    await deliverAlerts(d);
    let [sub] = await deliveries();
    expect(sub).toMatchObject({ status: 'PENDING', sends: 1, nextAttemptAt: T0 + BACKOFF_MS[0] });
    expect(sub!.attempts.map((a) => a.result)).toEqual(['timeout']);
    await deliverAlerts(d); // not due yet: nothing sent
    expect(calls).toBe(1);
    now += BACKOFF_MS[0];
    await deliverAlerts(d);
    [sub] = await deliveries();
    expect(sub).toMatchObject({ status: 'SENT', sends: 2, deliveredAt: now });
    expect(sub!.attempts.map((a) => a.result)).toEqual(['timeout', 'sent']);
    expect(env.messages.messages()).toHaveLength(1);
  });

  it('concurrent runs send each delivery once (claim before send)', async () => {
    env.messages.grant(OWNER, TEMPLATE.id, 10);
    let sends = 0;
    const send: SubscribeSend = async (data) => {
      sends++;
      await new Promise((r) => setTimeout(r, 20));
      return env.cloud.openapi.subscribeMessage.send(data);
    };
    const d = deps({ subscribe: subscribeSender(send, 1000) });
    await paidOrder('SY2');
    const runs = await Promise.all(Array.from({ length: 5 }, () => deliverAlerts(d)));
    expect(sends).toBe(1);
    expect(runs.reduce((n, r) => n + r.delivered, 0)).toBe(1);
    const [sub] = await deliveries();
    expect(sub).toMatchObject({ status: 'SENT', sends: 1 });
  });

  it('the drain keeps alertsPending when an entry was pushed after its read (outboxSeq)', async () => {
    await paidOrder('SY3');
    const [read] = await findPendingCarriers(db, COLLECTIONS.orders, 10);
    const late: OutboxEntry = {
      id: 'REFUND_REQUESTED:RF3',
      kind: 'REFUND_REQUESTED',
      at: now,
      outTradeNo: 'SY3',
    };
    await db
      .collection(COLLECTIONS.orders)
      .where({ _id: 'SY3' })
      .update({ data: outboxData(db, [late]) });
    expect(await clearCarrier(db, COLLECTIONS.orders, read!)).toBe(false);
    expect(await findPendingCarriers(db, COLLECTIONS.orders, 10)).toHaveLength(1);
    await deliverAlerts(deps({ subscribe: subscribeSender(env.cloud.openapi.subscribeMessage.send, 1000) }));
    expect(await findPendingCarriers(db, COLLECTIONS.orders, 10)).toHaveLength(0);
    const all = (await db.collection(COLLECTIONS.alerts).limit(100).get()).data;
    // Both entries were queued: the late one's event (its refund template is not configured here: no message).
    expect(all.map((x) => x._id).sort()).toEqual([
      'ORDER_PAID:SY3',
      'ORDER_PAID:SY3|subscribe|o-owner',
      'REFUND_REQUESTED:RF3',
    ]);
  });

  it('a claim whose holder died: a subscribe message is retried, a print is not resent (outcome unknown)', async () => {
    const standIn = new FeiePrinterStandIn({ user: 'u@x', ukey: 'UKEY00000000', sn: '9600001' }, () => now);
    const printer = feiePrinter(
      { url: 'x', user: 'u@x', ukey: 'UKEY00000000', sn: '9600001', copies: 1, timeoutMs: 100 },
      {
        now: () => now,
        post: async (req) => {
          const r = standIn.handle(new URLSearchParams(req.body));
          if (r.delayMs) throw new AlertTransportError('timeout', 'no answer');
          return { status: r.status, text: JSON.stringify(r.body) };
        },
      },
    );
    const d = deps({ subscribe: subscribeSender(env.cloud.openapi.subscribeMessage.send, 1000), printer });
    await paidOrder('SY4');
    // Drain only (a run that then died holding its claims): set both deliveries SENDING with a lapsed lease.
    await deliverAlerts(d, {}, 0);
    for (const x of await deliveries())
      await db
        .collection(COLLECTIONS.alerts)
        .where({ _id: x._id })
        .update({
          data: { status: 'SENDING', claimToken: 'dead', claimUntil: now - 1, sends: 1 },
        });
    now += 1000;
    env.messages.grant(OWNER, TEMPLATE.id, 1);
    await deliverAlerts(d);
    const byChannel = Object.fromEntries((await deliveries()).map((x) => [x.channel, x]));
    expect(byChannel.subscribe!.attempts.map((a) => a.result)).toEqual(['timeout']);
    expect(byChannel.subscribe!.status).toBe('PENDING');
    expect(byChannel.printer).toMatchObject({
      status: 'FAILED',
      failReason: expect.stringMatching(/outcome unknown/),
    });
    expect(standIn.listJobs()).toHaveLength(0); // nothing was resent
  });
});
