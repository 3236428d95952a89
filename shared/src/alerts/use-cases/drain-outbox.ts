/**
 * The drain: outbox entries (on orders and refunds marked `alertsPending`) and recorded payment anomalies
 * become deliveries in the `alerts` log — one per event × recipient × channel, with deterministic `_id`s
 * (records.ts deliveryId), plus one event document per entry for the merchant feed. Adds are skipped for
 * ids already there, and a concurrent drain adding the same id loses harmlessly (addOnce). The mark is
 * cleared with `where({_id, outboxSeq: <seen>})`, so an entry pushed meanwhile keeps it set for the next run.
 *
 * Kinds the table also gives the buyer get one more delivery, channel `customer`, to the order's payer:
 * an order's `_openid`, a refund's `openid` (the order's payer, stored on the refund), else its order's.
 */
import { COLLECTIONS, type Merchant, type OutboxEntry } from '../../orders/records';
import { findOrder } from '../../orders/store';
import type { AlertDeps } from '../deps';
import type { AlertDelivery, AlertEvent, AlertFacts } from '../records';
import { deliveryId } from '../records';
import {
  addDelivery,
  addEvent,
  anomalyEntry,
  clearAnomaly,
  clearCarrier,
  existingIds,
  findMerchants,
  findPendingAnomalies,
  findPendingCarriers,
  type PendingCarrier,
} from '../store';
import { alertRule } from '../table';

export interface DrainSummary {
  documents: number;
  deliveries: number;
}

const BATCH = 20;

export function factsOf(entry: OutboxEntry): AlertFacts {
  const f: AlertFacts = { kind: entry.kind, eventId: entry.id, at: entry.at, outTradeNo: entry.outTradeNo };
  if (entry.totalFee !== undefined) f.totalFee = entry.totalFee;
  if (entry.refundFee !== undefined) f.refundFee = entry.refundFee;
  if (entry.refundId !== undefined) f.refundId = entry.refundId;
  if (entry.transactionId !== undefined) f.transactionId = entry.transactionId;
  if (entry.detail !== undefined) f.detail = entry.detail;
  return f;
}

/**
 * The deliveries one entry gets with the channels configured now (pure); `buyer` is the order's payer
 * (kinds with a customer message only; none known = no customer delivery).
 */
export function plannedDeliveries(
  deps: Pick<AlertDeps, 'settings' | 'subscribe' | 'printer' | 'robot'>,
  merchants: readonly Pick<Merchant, '_id' | 'alertOpenids'>[],
  entry: OutboxEntry,
  now: number,
  buyer?: string,
): AlertDelivery[] {
  const rule = alertRule(entry.kind);
  const facts = factsOf(entry);
  const shop = merchants[0]?._id ?? 'shop';
  const base = { eventId: entry.id, kind: entry.kind, facts, status: 'PENDING' as const, nextAttemptAt: now };
  const make = (channel: AlertDelivery['channel'], recipient: string, merchantId: string): AlertDelivery => ({
    _id: deliveryId(entry.id, channel, recipient),
    ...base,
    channel,
    recipient,
    merchantId,
    sends: 0,
    attempts: [],
    createdAt: now,
  });
  const out: AlertDelivery[] = [];
  const template = deps.settings.templates[rule.template];
  if (rule.channels.includes('subscribe') && deps.subscribe && template) {
    const seen = new Set<string>();
    for (const m of merchants)
      for (const openid of m.alertOpenids ?? []) {
        if (seen.has(openid)) continue;
        seen.add(openid);
        out.push({ ...make('subscribe', openid, m._id), templateId: template.id });
      }
  }
  if (rule.channels.includes('printer') && deps.printer) out.push(make('printer', deps.printer.id, shop));
  if (rule.channels.includes('wecom') && deps.robot) out.push(make('wecom', 'robot', shop));
  const customerTemplate = rule.customer ? deps.settings.templates[rule.customer.template] : undefined;
  if (customerTemplate && deps.subscribe && buyer)
    out.push({ ...make('customer', buyer, shop), templateId: customerTemplate.id });
  return out;
}

/** The buyer of a carrier's order, read only when one of its entries has a customer message. */
async function buyerOf(
  deps: AlertDeps,
  collection: string,
  doc: PendingCarrier,
): Promise<string | undefined> {
  if (!(doc.outbox ?? []).some((e) => alertRule(e.kind).customer)) return undefined;
  const own = collection === COLLECTIONS.orders ? doc._openid : doc.openid;
  if (typeof own === 'string' && own !== '') return own;
  const outTradeNo = collection === COLLECTIONS.orders ? doc._id : doc.outTradeNo;
  if (typeof outTradeNo !== 'string') return undefined;
  return (await findOrder(deps.db, outTradeNo))?._openid || undefined;
}

/** Drains every pending outbox, or with `outTradeNo` only that order's and its refunds' (no anomalies). */
export async function drainOutbox(deps: AlertDeps, outTradeNo?: string): Promise<DrainSummary> {
  const { db } = deps;
  const merchants = await findMerchants(db);
  const summary: DrainSummary = { documents: 0, deliveries: 0 };
  const queue = async (entries: readonly OutboxEntry[], withEvents: boolean, buyer?: string) => {
    const now = deps.clock.now();
    const deliveries = entries.flatMap((e) => plannedDeliveries(deps, merchants, e, now, buyer));
    const events: AlertEvent[] = withEvents
      ? entries.map((e) => ({
          _id: e.id,
          ...factsOf(e),
          ...(alertRule(e.kind).feed ? { feedAt: e.at } : {}),
        }))
      : [];
    const have = await existingIds(db, [...events.map((e) => e._id), ...deliveries.map((d) => d._id)]);
    for (const e of events) if (!have.has(e._id)) await addEvent(db, e);
    for (const d of deliveries) if (!have.has(d._id) && (await addDelivery(db, d))) summary.deliveries++;
  };
  for (const collection of [COLLECTIONS.orders, COLLECTIONS.refunds]) {
    for (const doc of await findPendingCarriers(db, collection, BATCH, outTradeNo)) {
      await queue(doc.outbox ?? [], true, await buyerOf(deps, collection, doc));
      await clearCarrier(db, collection, doc);
      summary.documents++;
    }
  }
  const anomalies = outTradeNo === undefined ? await findPendingAnomalies(db, BATCH) : [];
  for (const anomaly of anomalies) {
    await queue([anomalyEntry(anomaly)], false);
    await clearAnomaly(db, anomaly._id, anomaly.at);
    summary.documents++;
  }
  if (summary.deliveries > 0) deps.log.info('alerts_drained', { ...summary });
  return summary;
}
