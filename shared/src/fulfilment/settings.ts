/**
 * Fulfilment settings from environment variables, validated at cold start (ConfigError naming the variable,
 * never echoing a value). None is a secret.
 *
 *   WXPAY_APPID                    the mini-program (isTradeManaged asks about it)
 *   SHIPPING_EXPRESS_COMPANIES     extra express companies, "CODE:名称,CODE:名称"
 *   SHIPPING_UPLOAD_BUDGET_MS      time budget of one WeChat call from `ship`/`amend` (default 3000, 500–10000)
 *   SHIPPING_NOT_INDEXED_RETRY_MS  wait after 10060001 (default 60000, 1000–600000)
 *   SHIPPING_RECEIPT_CHECK_MS      how often reconcile asks WeChat about a shipped order (default 1800000, ≥ 1000)
 *   SHIPPING_LATE_AFTER_HOURS      unshipped paid orders older than this raise ORDER_UNSHIPPED_LATE (default 48)
 */
import type { Env } from '../config';
import { ConfigError } from '../errors';
import { expressCompanies } from './express';
import type { RetryPolicy } from './retry';

export interface FulfilmentSettings extends RetryPolicy {
  appid: string;
  expressCompanies: Readonly<Record<string, string>>;
  uploadBudgetMs: number;
  receiptCheckMs: number;
  lateAfterMs: number;
  /** Attempts of one upload before SHIPPING_UPLOAD_FAILING is raised (it keeps being retried). */
  failingAfterAttempts: number;
  /** How long an attempt in flight holds its claim before another may start. */
  attemptLeaseMs: number;
  /** isTradeManaged answers are kept this long per instance. */
  tradeManagedCacheMs: number;
}

function int(env: Env, name: string, dflt: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return dflt;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max)
    throw new ConfigError(name, `must be an integer ${min}–${max}`);
  return n;
}

export function fulfilmentSettings(env: Env): FulfilmentSettings {
  const appid = env.WXPAY_APPID;
  if (!appid || !/^wx[0-9a-zA-Z]{16}$/.test(appid))
    throw new ConfigError('WXPAY_APPID', 'must be wx + 16 letters or digits');
  return {
    appid,
    expressCompanies: expressCompanies(env.SHIPPING_EXPRESS_COMPANIES),
    uploadBudgetMs: int(env, 'SHIPPING_UPLOAD_BUDGET_MS', 3000, 500, 10_000),
    notIndexedRetryMs: int(env, 'SHIPPING_NOT_INDEXED_RETRY_MS', 60_000, 1000, 600_000),
    retryBaseMs: 30_000,
    retryMaxMs: 30 * 60_000,
    receiptCheckMs: int(env, 'SHIPPING_RECEIPT_CHECK_MS', 30 * 60_000, 1000, 7 * 24 * 3600_000),
    lateAfterMs: int(env, 'SHIPPING_LATE_AFTER_HOURS', 48, 1, 24 * 30) * 3600_000,
    failingAfterAttempts: 5,
    attemptLeaseMs: 60_000,
    tradeManagedCacheMs: 10 * 60_000,
  };
}
