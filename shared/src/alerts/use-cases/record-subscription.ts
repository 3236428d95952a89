/**
 * `subscribe {results}`: what the merchant's `wx.requestSubscribeMessage` returned. Each `accept` of a
 * configured template adds one grant to the caller's ledger on their merchant document (grants accumulate:
 * one tap = one send) and makes the caller's deliveries that were waiting for that template due now; they
 * are then delivered within a short budget. The ledger is an estimate: WeChat offers no API to read what
 * is left, and 43101 on a send is the authority.
 */
import { InputError } from '../../errors';
import { requireMerchant } from '../../orders/merchants';
import type { AlertDeps } from '../deps';
import { addGrants, releaseWaitingForGrant } from '../store';
import { TEMPLATE_SLOTS } from '../table';
import { type DeliverSummary, deliverAlerts } from './deliver-alerts';

export interface SubscribeInput {
  /** templateId → 'accept' | 'reject' | 'ban' | 'filter' (the errMsg key is ignored). */
  results: Record<string, string>;
}

export interface SubscribeResult {
  accepted: string[];
  ignored: string[];
  released: number;
  delivery: DeliverSummary;
}

const RESULT_WORDS = new Set(['accept', 'reject', 'ban', 'filter']);

export function parseSubscribe(event: Record<string, unknown>): SubscribeInput {
  const r = event.results;
  if (r === null || typeof r !== 'object' || Array.isArray(r))
    throw new InputError('results must be the object wx.requestSubscribeMessage answered');
  const entries = Object.entries(r as Record<string, unknown>).filter(([k]) => k !== 'errMsg');
  if (entries.length === 0 || entries.length > 10) throw new InputError('results must hold 1–10 templates');
  const results: Record<string, string> = {};
  for (const [k, v] of entries) {
    if (!/^[A-Za-z0-9_-]{1,128}$/.test(k) || typeof v !== 'string' || !RESULT_WORDS.has(v))
      throw new InputError('each result must be templateId: accept | reject | ban | filter');
    results[k] = v;
  }
  return { results };
}

export async function recordSubscription(
  deps: AlertDeps,
  openid: string,
  input: SubscribeInput,
  budgetMs = 2000,
): Promise<SubscribeResult> {
  const merchant = await requireMerchant(deps.db, openid);
  // The merchant templates only: a buyer's template (customer slots) has no ledger.
  const known = new Set(TEMPLATE_SLOTS.flatMap((slot) => deps.settings.templates[slot]?.id ?? []));
  const accepted = Object.entries(input.results)
    .filter(([id, word]) => word === 'accept' && known.has(id))
    .map(([id]) => id);
  const ignored = Object.keys(input.results).filter((id) => !known.has(id));
  const now = deps.clock.now();
  await addGrants(deps.db, merchant._id, openid, accepted, now);
  const released = await releaseWaitingForGrant(deps.db, openid, accepted, now);
  deps.log.info('alert_subscribe', { merchant: merchant._id, accepted: accepted.length, released });
  const delivery = await deliverAlerts(deps, {}, budgetMs);
  return { accepted, ignored, released, delivery };
}
