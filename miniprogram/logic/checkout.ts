/**
 * Checkout: one `requestId` per checkout, minted once and kept (with the order number once known) in local
 * storage, so a double tap, a retried call or a reopened page never makes a second order:
 *  - a tap while a payment is running joins it (one call chain, one order);
 *  - the first attempt `create`s with the requestId; once the order number is known, later attempts
 *    `resume` it (after a cancel or a failure the order stays payable);
 *  - a failed `create` is retried with the same requestId (the server answers the same order).
 */
import type { CartItemInput, PaymentStart } from '../services/api-types';
import { type Api, ApiError, userMessage } from '../services/client';
import { yuan } from '../services/money';
import type { WxPort } from '../services/wx-port';
import type { CartLine, Storage } from './cart';
import { payOnce } from './pay-flow';
import { viewState } from './view-state';

export type CheckoutPhase = 'ready' | 'working' | 'paid' | 'pending' | 'cancelled' | 'failed' | 'ended';

export interface CheckoutView {
  phase: CheckoutPhase;
  busy: boolean;
  lines: { name: string; quantity: number; lineText: string }[];
  totalText: string;
  /** What the page says under the button (Chinese). */
  message: string;
  outTradeNo: string;
  /** The pay button is offered. */
  canPay: boolean;
  payLabel: string;
}

export interface CheckoutDeps {
  api: Api;
  wx: Pick<WxPort, 'requestPayment' | 'requestSubscribeMessage'>;
  storage: Storage;
  lines: readonly CartLine[];
  remark?: string;
  templates: readonly string[];
  newRequestId(): string;
  /** The order is paid: clear the cart. */
  onPaid(): void;
  render(patch: Partial<CheckoutView>): void;
}

/** What survives a reopened page: this checkout's cart, requestId and order. */
interface Session {
  cartKey: string;
  requestId: string;
  outTradeNo?: string;
}

const SESSION_KEY = 'shouyin.checkout';

const cartKey = (items: readonly CartItemInput[]) =>
  items.map((i) => `${i.productId}*${i.quantity}`).join(',');

/** A requestId (8–64 of [A-Za-z0-9_-]) from 128 random bits. */
export function randomRequestId(random: () => number = Math.random): string {
  let s = '';
  for (let i = 0; i < 32; i++) s += Math.floor(random() * 16).toString(16);
  return `co_${s}`;
}

export function createCheckout(deps: CheckoutDeps) {
  const items = deps.lines.map((l) => ({ productId: l.productId, quantity: l.quantity }));
  const key = cartKey(items);
  const saved = deps.storage.getStorageSync(SESSION_KEY) as Session | undefined;
  let session: Session =
    saved && typeof saved === 'object' && saved.cartKey === key && typeof saved.requestId === 'string'
      ? saved
      : { cartKey: key, requestId: deps.newRequestId() };
  deps.storage.setStorageSync(SESSION_KEY, session);

  const state = viewState<CheckoutView>(
    {
      phase: 'ready',
      busy: false,
      lines: deps.lines.map((l) => ({ name: l.name, quantity: l.quantity, lineText: yuan(l.lineFee) })),
      totalText: yuan(deps.lines.reduce((s, l) => s + l.lineFee, 0)),
      message: session.outTradeNo ? '订单已创建，尚未支付' : '',
      outTradeNo: session.outTradeNo ?? '',
      canPay: items.length > 0,
      payLabel: session.outTradeNo ? '继续支付' : '微信支付',
    },
    deps.render,
  );

  const remember = (outTradeNo: string) => {
    session = { ...session, outTradeNo };
    deps.storage.setStorageSync(SESSION_KEY, session);
  };
  /** The checkout is over (paid, or its order can no longer be paid): the next one gets a new requestId. */
  const forget = () => deps.storage.setStorageSync(SESSION_KEY, null);

  const start = (): Promise<PaymentStart> =>
    session.outTradeNo
      ? deps.api.call('createPayment', 'resume', { outTradeNo: session.outTradeNo })
      : deps.api.call('createPayment', 'create', {
          items,
          requestId: session.requestId,
          ...(deps.remark ? { remark: deps.remark } : {}),
        });

  async function run(): Promise<void> {
    state.set({ busy: true, phase: 'working', message: session.outTradeNo ? '正在继续支付…' : '正在下单…' });
    try {
      const s = await start();
      remember(s.outTradeNo);
      state.set({ outTradeNo: s.outTradeNo, totalText: yuan(s.totalFee), message: '请在微信支付中完成付款' });
      const outcome = await payOnce(deps, s);
      switch (outcome.kind) {
        case 'paid':
          forget();
          deps.onPaid();
          state.set({ phase: 'paid', canPay: false, message: '已支付' });
          return;
        case 'pending':
          forget();
          deps.onPaid();
          state.set({ phase: 'pending', canPay: false, message: '支付结果确认中，请稍后在“我的订单”查看' });
          return;
        case 'cancelled':
          state.set({
            phase: 'cancelled',
            payLabel: '继续支付',
            message: '已取消支付。订单已保留，支付期限内可继续支付',
          });
          return;
        case 'failed':
          state.set({ phase: 'failed', payLabel: '继续支付', message: `支付失败：${outcome.reason}` });
          return;
      }
    } catch (e) {
      if (e instanceof ApiError && e.code === 'ORDER_ALREADY_PAID') {
        forget();
        deps.onPaid();
        state.set({ phase: 'paid', canPay: false, message: '已支付' });
      } else if (
        e instanceof ApiError &&
        ['ORDER_CLOSED', 'ORDER_EXPIRED', 'PAYMENT_REFUSED'].includes(e.code)
      ) {
        forget();
        state.set({ phase: 'ended', canPay: false, message: userMessage(e) });
      } else {
        state.set({ phase: 'failed', message: userMessage(e), payLabel: '重试' });
      }
    } finally {
      state.set({ busy: false });
    }
  }

  let running: Promise<void> | undefined;
  return {
    state,
    /** The pay button. A tap while a payment is running joins it. Never rejects. */
    pay(): Promise<void> {
      if (!running) {
        running = run().finally(() => {
          running = undefined;
        });
      }
      return running;
    },
  };
}
