/**
 * Every database read and write of the alerts module, on the narrow Db port. Deliveries and events have
 * deterministic `_id`s and are added once (a duplicate add is read back, never merged); every status
 * change is a conditional update on the status read and, for a claimed delivery, on the claim token, so
 * `stats.updated === 1` says who won. The grant ledger lives on the merchant document (`alertLedger`).
 */
import type { Db, DbDoc } from '../orders/db-port';
import type { Merchant, OutboxCarrier, OutboxEntry, PaymentAnomaly } from '../orders/records';
import { COLLECTIONS } from '../orders/records';
import { type DeliveryStatus, nextDeliveryStatus } from './delivery-state';
import { CLAIM_MS, type Decision } from './policy';
import type { AlertDelivery, AlertEvent, DeliveryAttempt, MerchantAlertFields } from './records';

const alerts = (db: Db) => db.collection(COLLECTIONS.alerts);

/** Adds a document with our `_id`; false when it was there already (a duplicate add rejects: read back). */
export async function addOnce(db: Db, collection: string, doc: { _id: string }): Promise<boolean> {
  try {
    await db.collection(collection).add({ data: doc });
    return true;
  } catch (err) {
    const { data } = await db.collection(collection).where({ _id: doc._id }).limit(1).get();
    if (data.length > 0) return false;
    throw err;
  }
}

// ------------------------------------------------------------------------------------------ the drain

/** An order (`_openid`: its payer) or a refund (`outTradeNo`, `openid`: the order's payer). */
export type PendingCarrier = OutboxCarrier & {
  _id: string;
  _openid?: unknown;
  openid?: unknown;
  outTradeNo?: unknown;
};

/**
 * Orders or refunds whose outbox has entries not yet copied into the delivery log; with `outTradeNo`, only
 * that order and its refunds (the order's own `_id`, a refund's `outTradeNo` field).
 */
export async function findPendingCarriers(
  db: Db,
  collection: string,
  limit: number,
  outTradeNo?: string,
): Promise<PendingCarrier[]> {
  const where: DbDoc = { alertsPending: true };
  if (outTradeNo !== undefined) where[collection === COLLECTIONS.orders ? '_id' : 'outTradeNo'] = outTradeNo;
  const { data } = await db.collection(collection).where(where).limit(limit).get();
  return data as unknown as PendingCarrier[];
}

/** Clears the mark only if no entry was pushed since the read (`outboxSeq` unchanged). */
export async function clearCarrier(db: Db, collection: string, doc: PendingCarrier): Promise<boolean> {
  const where: DbDoc = { _id: doc._id, alertsPending: true };
  if (doc.outboxSeq !== undefined) where.outboxSeq = doc.outboxSeq;
  const { stats } = await db
    .collection(collection)
    .where(where)
    .update({ data: { alertsPending: false } });
  return stats.updated === 1;
}

export type PendingAnomaly = PaymentAnomaly & { alertsPending?: boolean };

/** Payment anomalies (store.ts recordAnomaly) not yet turned into deliveries. */
export async function findPendingAnomalies(db: Db, limit: number): Promise<PendingAnomaly[]> {
  const { data } = await alerts(db)
    .where({ kind: 'PAYMENT_MISMATCH', alertsPending: true })
    .limit(limit)
    .get();
  return data as unknown as PendingAnomaly[];
}

/** An anomaly record is its own event: once drained it is listed in the feed. */
export async function clearAnomaly(db: Db, id: string, at: number): Promise<boolean> {
  const { stats } = await alerts(db)
    .where({ _id: id, alertsPending: true })
    .update({ data: { alertsPending: false, feedAt: at } });
  return stats.updated === 1;
}

export function anomalyEntry(a: PaymentAnomaly): OutboxEntry {
  const reported = a.reportedFee === null ? '无金额' : `${a.reportedFee}分`;
  return {
    id: a._id,
    kind: 'PAYMENT_MISMATCH',
    at: a.at,
    outTradeNo: a.outTradeNo,
    totalFee: a.expectedFee,
    transactionId: a.transactionId,
    detail: `${a.mismatch.map((m) => (m === 'amount' ? '金额不符' : '付款人不符')).join('、')}：通知${reported}`,
  };
}

/** Ids among `ids` that already have a document in `alerts`. */
export async function existingIds(db: Db, ids: readonly string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const { data } = await alerts(db)
    .where({ _id: db.command.in([...ids]) })
    .limit(Math.min(1000, ids.length))
    .get();
  return new Set(data.map((d) => String(d._id)));
}

export const addDelivery = (db: Db, d: AlertDelivery) => addOnce(db, COLLECTIONS.alerts, d);
export const addEvent = (db: Db, e: AlertEvent) => addOnce(db, COLLECTIONS.alerts, e);

export async function findMerchants(db: Db): Promise<Array<Merchant & MerchantAlertFields>> {
  const { data } = await db.collection(COLLECTIONS.merchants).limit(100).get();
  return data as unknown as Array<Merchant & MerchantAlertFields>;
}

// --------------------------------------------------------------------------------------- deliveries

/** Deliveries a run may take now (PENDING to send, CONFIRMING to query), oldest due first. */
export async function findDue(
  db: Db,
  now: number,
  limit: number,
  outTradeNo?: string,
): Promise<AlertDelivery[]> {
  const _ = db.command;
  const where: DbDoc = { status: _.in(['PENDING', 'CONFIRMING']), nextAttemptAt: _.lte(now) };
  if (outTradeNo !== undefined) where['facts.outTradeNo'] = outTradeNo;
  const { data } = await alerts(db).where(where).orderBy('nextAttemptAt', 'asc').limit(limit).get();
  return data as unknown as AlertDelivery[];
}

/** Claims whose holder died (its lease ran out). */
export async function findLapsed(db: Db, now: number, limit: number): Promise<AlertDelivery[]> {
  const _ = db.command;
  const { data } = await alerts(db)
    .where({ status: _.in(['SENDING', 'CHECKING']), claimUntil: _.lt(now) })
    .limit(limit)
    .get();
  return data as unknown as AlertDelivery[];
}

/** PENDING → SENDING or CONFIRMING → CHECKING; true when this call took it. */
export async function claimDelivery(db: Db, d: AlertDelivery, token: string, now: number): Promise<boolean> {
  const _ = db.command;
  const to = nextDeliveryStatus(d.status, 'CLAIM');
  const data: DbDoc = { status: to, claimToken: token, claimUntil: now + CLAIM_MS };
  if (to === 'SENDING') data.sends = _.inc(1);
  const { stats } = await alerts(db)
    .where({ _id: d._id, status: d.status, nextAttemptAt: _.lte(now) })
    .update({ data });
  return stats.updated === 1;
}

/** Records the outcome of a claimed send or query; only the claim's holder can. */
export async function finishDelivery(
  db: Db,
  d: Pick<AlertDelivery, '_id'>,
  claimed: DeliveryStatus,
  token: string,
  decision: Decision,
  attempt: DeliveryAttempt,
  now: number,
): Promise<boolean> {
  const _ = db.command;
  const to = nextDeliveryStatus(claimed, decision.event);
  const data: DbDoc = {
    status: to,
    attempts: _.push([withoutUndefined(attempt)]),
    claimToken: '',
    claimUntil: 0,
    nextAttemptAt: now + (decision.delayMs ?? 0),
  };
  if (decision.waitingForGrant !== undefined || claimed === 'SENDING')
    data.waitingForGrant = decision.waitingForGrant ?? false;
  if (decision.jobId) data.printJobId = decision.jobId;
  if (decision.failReason) data.failReason = decision.failReason;
  if (to === 'SENT') data.deliveredAt = now;
  const { stats } = await alerts(db)
    .where({ _id: d._id, status: claimed, claimToken: token })
    .update({ data });
  return stats.updated === 1;
}

/** After a grant is recorded: the deliveries waiting for one become due now. */
export async function releaseWaitingForGrant(
  db: Db,
  openid: string,
  templateIds: readonly string[],
  now: number,
): Promise<number> {
  if (templateIds.length === 0) return 0;
  const _ = db.command;
  const { stats } = await alerts(db)
    .where({
      channel: 'subscribe',
      recipient: openid,
      templateId: _.in([...templateIds]),
      status: 'PENDING',
      waitingForGrant: true,
    })
    .update({ data: { waitingForGrant: false, nextAttemptAt: now } });
  return stats.updated;
}

export async function findDeliveries(
  db: Db,
  where: DbDoc,
  limit: number,
  order: 'asc' | 'desc' = 'desc',
): Promise<AlertDelivery[]> {
  const { data } = await alerts(db)
    .where({ channel: db.command.in(['subscribe', 'printer', 'wecom']), ...where })
    .orderBy('createdAt', order)
    .limit(limit)
    .get();
  return data as unknown as AlertDelivery[];
}

export async function countDeliveries(db: Db, where: DbDoc): Promise<number> {
  const { total } = await alerts(db)
    .where({ channel: db.command.in(['subscribe', 'printer', 'wecom']), ...where })
    .count();
  return total;
}

// ------------------------------------------------------------------------------------------- ledger

const ledgerPath = (openid: string, templateId: string) => `alertLedger.${openid}.templates.${templateId}`;

/** Adds accepted grants (one per "accept"), clearing the template's exhausted mark. */
export async function addGrants(
  db: Db,
  merchantId: string,
  openid: string,
  accepted: readonly string[],
  now: number,
): Promise<void> {
  if (accepted.length === 0) return;
  const _ = db.command;
  const data: DbDoc = {};
  for (const t of accepted) {
    data[`${ledgerPath(openid, t)}.grants`] = _.inc(1);
    data[`${ledgerPath(openid, t)}.exhausted`] = false;
    data[`${ledgerPath(openid, t)}.lastAcceptAt`] = now;
  }
  await db.collection(COLLECTIONS.merchants).where({ _id: merchantId }).update({ data });
}

/** A send used one grant (the estimate goes down) or WeChat said none is left (43101: exhausted). */
export async function recordGrantUse(
  db: Db,
  merchantId: string,
  openid: string,
  templateId: string,
  result: 'used' | 'exhausted',
  now: number,
): Promise<void> {
  const _ = db.command;
  const data: DbDoc =
    result === 'used'
      ? {
          [`${ledgerPath(openid, templateId)}.grants`]: _.inc(-1),
          [`alertLedger.${openid}.lastDeliveryAt`]: now,
        }
      : {
          [`${ledgerPath(openid, templateId)}.grants`]: 0,
          [`${ledgerPath(openid, templateId)}.exhausted`]: true,
        };
  await db.collection(COLLECTIONS.merchants).where({ _id: merchantId }).update({ data });
}

function withoutUndefined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}
