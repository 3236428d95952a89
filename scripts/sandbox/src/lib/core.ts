/** What the endpoints, the control API and the background jobs share. */
import type { VirtualClock } from './clock';
import type { Faults } from './faults';
import type { Notifier } from './notifier';
import type { Store } from './store';
import type { Balances, Merchant } from './types';

export interface Core {
  readonly merchants: ReadonlyMap<string, Merchant>;
  readonly store: Store;
  readonly clock: VirtualClock;
  readonly faults: Faults;
  readonly notifier: Notifier;
  readonly allowLoopbackNotify: boolean;
  readonly refundSettleDelayMs: number | null;
  readonly includeSignType: 'md5' | 'never' | 'always';
  /** Refund settlement timers by `${mchId}/${outRefundNo}`. */
  readonly settleTimers: Map<string, number>;
  log(line: string): void;
}

export function balancesOf(core: Core, m: Merchant): Balances {
  return core.store.balance(m.mchId, m.initialBalances);
}

/** Protocol constants (spec §3.1, §3.3, §3.4, §7). */
export const PREPAY_TTL_MS = 2 * 3600_000;
export const CLOSE_MIN_AGE_MS = 5 * 60_000;
export const TIME_EXPIRE_MIN_MS = 5 * 60_000;
export const REFUND_MIN_INTERVAL_MS = 60_000;
export const REFUND_MAX_COUNT = 50;
export const REFUND_WINDOW_MS = 365 * 24 * 3600_000;
