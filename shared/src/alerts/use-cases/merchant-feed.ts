/**
 * `feed {cursor?, limit?}` (merchant only): recent paid orders, refund requests and anomalies (the kinds
 * table.ts marks `feed`), newest first — the merchant console's new-order list. The cursor is the last
 * item's `feedAt` (epoch ms); the next page holds strictly older events.
 */
import { InputError } from '../../errors';
import type { DbDoc } from '../../orders/db-port';
import { requireMerchant } from '../../orders/merchants';
import { COLLECTIONS, type OutboxKind } from '../../orders/records';
import type { AlertDeps } from '../deps';
import type { AlertEvent } from '../records';
import { alertRule } from '../table';

export interface FeedInput {
  cursor?: number;
  limit: number;
}

export interface FeedItem {
  id: string;
  kind: OutboxKind;
  title: string;
  status: string;
  outTradeNo: string;
  /** The amount the alert is about, in fen (the refund's for refund events). */
  amountFee: number | null;
  at: number;
  detail?: string;
}

export interface FeedPage {
  items: FeedItem[];
  nextCursor: number | null;
}

export function parseFeed(event: Record<string, unknown>): FeedInput {
  const { cursor, limit } = event;
  if (cursor !== undefined && cursor !== null && (!Number.isSafeInteger(cursor) || (cursor as number) <= 0))
    throw new InputError('cursor must be the nextCursor of the previous page');
  if (limit !== undefined && (!Number.isInteger(limit) || (limit as number) < 1 || (limit as number) > 50))
    throw new InputError('limit must be 1–50');
  return {
    ...(typeof cursor === 'number' ? { cursor } : {}),
    limit: typeof limit === 'number' ? limit : 20,
  };
}

export async function merchantFeed(deps: AlertDeps, openid: string, input: FeedInput): Promise<FeedPage> {
  await requireMerchant(deps.db, openid);
  const _ = deps.db.command;
  const where: DbDoc = { feedAt: input.cursor === undefined ? _.gt(0) : _.lt(input.cursor) };
  const { data } = await deps.db
    .collection(COLLECTIONS.alerts)
    .where(where)
    .orderBy('feedAt', 'desc')
    .limit(input.limit + 1)
    .get();
  const events = data as unknown as AlertEvent[];
  const page = events.slice(0, input.limit);
  return {
    items: page.map((e) => {
      const rule = alertRule(e.kind);
      return {
        id: e._id,
        kind: e.kind,
        title: rule.title,
        status: rule.status,
        outTradeNo: e.outTradeNo,
        amountFee: (rule.amount === 'refund' ? e.refundFee : e.totalFee) ?? null,
        at: e.at,
        ...(e.detail ? { detail: e.detail } : {}),
      };
    }),
    nextCursor: events.length > input.limit ? (page.at(-1)?.feedAt ?? null) : null,
  };
}
