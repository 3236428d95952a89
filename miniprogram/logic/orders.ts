/** "My orders": the customer's own orders through createPayment.list (never the client database), and pay again. */

import type { OrderView } from '../services/api-types';
import type { Api } from '../services/client';
import { userMessage } from '../services/client';
import { yuan } from '../services/money';
import { runAction } from './action';
import { type PayDeps, type PayOutcome, payOnce } from './pay-flow';
import { viewState } from './view-state';
import { beijingTime, isPayable, linesSummary, orderWord } from './words';

export interface OrderRow {
  outTradeNo: string;
  word: string;
  totalText: string;
  summary: string;
  timeText: string;
  canPay: boolean;
}

export interface OrdersView {
  loading: boolean;
  error: string;
  orders: OrderRow[];
  hasMore: boolean;
  busy: boolean;
  message: string;
}

export interface OrdersDeps extends PayDeps {
  now(): number;
  render(patch: Partial<OrdersView>): void;
}

export function orderRow(o: OrderView, now: number): OrderRow {
  return {
    outTradeNo: o.outTradeNo,
    word: orderWord(o),
    totalText: yuan(o.totalFee),
    summary: linesSummary(o.lines),
    timeText: beijingTime(o.createdAt),
    canPay: isPayable(o, now),
  };
}

/** The sentence for a payment's outcome (shared by the list and the detail page). */
export function outcomeMessage(o: PayOutcome): string {
  switch (o.kind) {
    case 'paid':
      return '已支付';
    case 'pending':
      return '支付结果确认中，请稍后刷新';
    case 'cancelled':
      return '已取消支付，订单已保留，支付期限内可继续支付';
    case 'failed':
      return `支付失败：${o.reason}`;
  }
}

/** Resume an unpaid order and pay it; never rejects. */
export async function payAgain(deps: PayDeps, outTradeNo: string): Promise<string> {
  try {
    const start = await deps.api.call('createPayment', 'resume', { outTradeNo });
    return outcomeMessage(await payOnce(deps, start));
  } catch (e) {
    return userMessage(e);
  }
}

export function createOrders(deps: OrdersDeps) {
  const state = viewState<OrdersView>(
    { loading: true, error: '', orders: [], hasMore: false, busy: false, message: '' },
    deps.render,
  );
  let cursor: string | null = null;
  let loaded: OrderView[] = [];

  const fetch = async (api: Api, more: boolean) => {
    const page = await api.call('createPayment', 'list', more && cursor ? { cursor } : {});
    loaded = more ? [...loaded, ...page.orders] : page.orders;
    cursor = page.nextCursor;
    state.set({ orders: loaded.map((o) => orderRow(o, deps.now())), hasMore: cursor !== null });
  };

  return {
    state,
    async load(): Promise<void> {
      state.set({ loading: true, error: '' });
      try {
        await fetch(deps.api, false);
      } catch (e) {
        state.set({ error: userMessage(e) });
      } finally {
        state.set({ loading: false });
      }
    },
    async loadMore(): Promise<void> {
      if (!cursor || state.view.busy) return;
      state.set({ busy: true });
      try {
        await fetch(deps.api, true);
      } catch (e) {
        state.set({ message: userMessage(e) });
      } finally {
        state.set({ busy: false });
      }
    },
    async pay(outTradeNo: string): Promise<void> {
      if (await runAction(state, () => payAgain(deps, outTradeNo))) await this.load();
    },
  };
}
