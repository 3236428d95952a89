/**
 * The control API, in process: act as the payer, settle refunds, make 商户平台 refunds, set balances,
 * move the virtual clock, list what happened, inject faults, reset. control-http.ts serves the same
 * methods as JSON under /sandbox/. Every method returns a Promise and copies of the records.
 * Errors: InputError (bad arguments, HTTP 400), NotFoundError (404), other ShouyinError (409, with
 * WeChat's err_code as `code` where there is one).
 */
import { InputError, NotFoundError, OUT_REFUND_NO, ShouyinError } from '@shouyin/shared';
import { balancesOf, type Core } from './core';
import type { Fault, FaultSpec } from './faults';
import { type PayOutcome, payOrder } from './payer';
import { findOrder, finishRefund, refundedFee, requestRefund } from './refunds';
import type {
  Balances,
  DeliveryRecord,
  Merchant,
  NotificationKind,
  NotificationRecord,
  OrderRecord,
  RefundAccount,
  RefundRecord,
} from './types';

export interface PayArgs {
  /** Which order: by prepay_id (what the mini-program holds) or by out_trade_no. */
  prepayId?: string;
  outTradeNo?: string;
  transactionId?: string;
  mchId?: string;
  /** Default 'success'. */
  outcome?: PayOutcome;
  /** Default OTHERS. */
  bankType?: string;
}

export interface SettleRefundArgs {
  outRefundNo?: string;
  refundId?: string;
  mchId?: string;
  /** Default SUCCESS. */
  status?: 'SUCCESS' | 'CHANGE' | 'REFUNDCLOSE';
}

export interface VendorRefundArgs {
  outTradeNo?: string;
  transactionId?: string;
  mchId?: string;
  refundFee: number;
  /** Default: the refund_id WeChat mints. */
  outRefundNo?: string;
  /** Default: the merchant's refundNotifyUrl (none → no notification). */
  notifyUrl?: string;
  refundAccount?: RefundAccount;
}

export interface SetBalanceArgs {
  mchId?: string;
  unsettled?: number;
  available?: number;
}

export interface ListFilter {
  mchId?: string;
  outTradeNo?: string;
  outRefundNo?: string;
  kind?: NotificationKind;
  notificationId?: string;
}

export type OrderView = OrderRecord & { refundedFee: number };
export type NotificationView = Omit<NotificationRecord, 'body'>;

export interface SandboxControl {
  pay(args: PayArgs): Promise<OrderView>;
  settleRefund(args: SettleRefundArgs): Promise<RefundRecord>;
  vendorRefund(args: VendorRefundArgs): Promise<RefundRecord>;
  setBalance(args: SetBalanceArgs): Promise<Balances & { mchId: string }>;
  balances(): Promise<Array<Balances & { mchId: string }>>;
  advanceClock(ms: number): Promise<{ now: number; time: string }>;
  clock(): Promise<{ mode: string; now: number; time: string }>;
  listOrders(filter?: ListFilter): Promise<OrderView[]>;
  listRefunds(filter?: ListFilter): Promise<RefundRecord[]>;
  listNotifications(filter?: ListFilter): Promise<NotificationView[]>;
  listDeliveries(filter?: ListFilter): Promise<DeliveryRecord[]>;
  reset(): Promise<void>;
  injectFault(spec: FaultSpec): Promise<Fault>;
  clearFaults(): Promise<void>;
  listFaults(): Promise<Fault[]>;
  /** Resolves when no notification attempt is in flight and nothing is due at the current virtual time. */
  idle(): Promise<void>;
}

const copy = <T>(v: T): T => structuredClone(v);

export function createControl(core: Core): SandboxControl {
  const merchantFor = (mchId?: string): Merchant => {
    if (mchId !== undefined) {
      const m = core.merchants.get(mchId);
      if (!m) throw new NotFoundError(`no merchant ${mchId}`, 'MCHID_NOT_EXIST');
      return m;
    }
    if (core.merchants.size !== 1)
      throw new InputError('mchId is required when several merchants are configured');
    return [...core.merchants.values()][0]!;
  };

  const orderView = (o: OrderRecord): OrderView => copy({ ...o, refundedFee: refundedFee(core, o) });

  const findOrderFor = (a: {
    prepayId?: string;
    outTradeNo?: string;
    transactionId?: string;
    mchId?: string;
  }): OrderRecord => {
    let o: OrderRecord | undefined;
    if (a.prepayId) {
      o = core.store.orderByPrepayId(a.prepayId);
      if (o && a.mchId && o.mchId !== a.mchId) o = undefined;
    } else if (a.outTradeNo || a.transactionId) {
      const ms = a.mchId || core.merchants.size === 1 ? [merchantFor(a.mchId)] : [...core.merchants.values()];
      const found = ms.map((m) => findOrder(core, m, a)).filter((x): x is OrderRecord => x !== undefined);
      if (found.length > 1) throw new InputError('several merchants have this order; give mchId');
      o = found[0];
    } else {
      throw new InputError('give prepayId, outTradeNo or transactionId');
    }
    if (!o) throw new NotFoundError('no such order', 'ORDERNOTEXIST');
    return o;
  };

  const matches = (r: { mchId: string; outTradeNo?: string; outRefundNo?: string }, f: ListFilter = {}) =>
    (!f.mchId || r.mchId === f.mchId) &&
    (!f.outTradeNo || r.outTradeNo === f.outTradeNo) &&
    (!f.outRefundNo || r.outRefundNo === f.outRefundNo);

  const fen = (v: unknown, name: string): number => {
    if (!(typeof v === 'number' && Number.isSafeInteger(v) && v >= 0))
      throw new InputError(`${name} must be integer fen ≥ 0`);
    return v;
  };

  return {
    async pay(a) {
      const outcome = a.outcome ?? 'success';
      if (!['success', 'fail', 'abandon'].includes(outcome))
        throw new InputError('outcome must be success, fail or abandon');
      const o = findOrderFor(a);
      const r = payOrder(core, o, outcome, a.prepayId, a.bankType);
      if (!r.ok) throw new ShouyinError(r.code, r.des);
      return orderView(r.value);
    },

    async settleRefund(a) {
      const status = a.status ?? 'SUCCESS';
      if (!['SUCCESS', 'CHANGE', 'REFUNDCLOSE'].includes(status))
        throw new InputError('status must be SUCCESS, CHANGE or REFUNDCLOSE');
      if (!a.refundId && !a.outRefundNo) throw new InputError('give outRefundNo or refundId');
      const m = merchantFor(a.mchId);
      const r = a.refundId
        ? core.store.refundById(m.mchId, a.refundId)
        : a.outRefundNo
          ? core.store.refund(m.mchId, a.outRefundNo)
          : undefined;
      if (!r) throw new NotFoundError('no such refund', 'REFUNDNOTEXIST');
      if (r.status !== 'PROCESSING')
        throw new ShouyinError('REFUND_FINISHED', `the refund is already ${r.status}`);
      finishRefund(core, r, status);
      return copy(r);
    },

    async vendorRefund(a) {
      const o = findOrderFor(a);
      const m = merchantFor(o.mchId);
      if (!(Number.isSafeInteger(a.refundFee) && a.refundFee > 0))
        throw new InputError('refundFee must be integer fen > 0');
      if (a.outRefundNo !== undefined && !OUT_REFUND_NO.test(a.outRefundNo)) {
        throw new InputError('outRefundNo must be 1–64 of [0-9A-Za-z_-|*@]');
      }
      const r = requestRefund(core, m, {
        outTradeNo: o.outTradeNo,
        outRefundNo: a.outRefundNo ?? '',
        totalFee: o.totalFee,
        refundFee: a.refundFee,
        refundAccount: a.refundAccount,
        notifyUrl: a.notifyUrl,
        source: 'VENDOR_PLATFORM',
      });
      if (!r.ok) throw new ShouyinError(r.code, r.des);
      return copy(r.value);
    },

    async setBalance(a) {
      const m = merchantFor(a.mchId);
      const b = balancesOf(core, m);
      if (a.unsettled !== undefined) b.unsettled = fen(a.unsettled, 'unsettled');
      if (a.available !== undefined) b.available = fen(a.available, 'available');
      core.store.touch();
      return { mchId: m.mchId, ...b };
    },

    async balances() {
      return [...core.merchants.values()].map((m) => ({ mchId: m.mchId, ...balancesOf(core, m) }));
    },

    async advanceClock(ms) {
      if (!(typeof ms === 'number' && Number.isFinite(ms) && ms >= 0))
        throw new InputError('ms must be a non-negative number');
      const now = await core.clock.advance(ms);
      core.store.touch();
      return { now, time: new Date(now).toISOString() };
    },

    async clock() {
      const now = core.clock.now();
      return { mode: core.clock.mode, now, time: new Date(now).toISOString() };
    },

    async listOrders(f) {
      return [...core.store.orders.values()].filter((o) => matches(o, f)).map(orderView);
    },

    async listRefunds(f) {
      return copy([...core.store.refunds.values()].filter((r) => matches(r, f)));
    },

    async listNotifications(f) {
      return [...core.store.notifications.values()]
        .filter(
          (n) =>
            matches(n, f) &&
            (!f?.kind || n.kind === f.kind) &&
            (!f?.notificationId || n.id === f.notificationId),
        )
        .map(({ body: _body, ...rest }) => copy(rest));
    },

    async listDeliveries(f) {
      return copy(
        core.store.deliveries.filter(
          (d) =>
            matches(d, f) &&
            (!f?.kind || d.kind === f.kind) &&
            (!f?.notificationId || d.notificationId === f.notificationId),
        ),
      );
    },

    async reset() {
      core.notifier.cancelAll();
      for (const t of core.settleTimers.values()) core.clock.clearTimer(t);
      core.settleTimers.clear();
      core.faults.clear();
      const balances: Record<string, Balances> = {};
      for (const m of core.merchants.values()) balances[m.mchId] = { ...m.initialBalances };
      core.store.reset(balances);
      core.log('state reset');
    },

    async injectFault(spec) {
      return core.faults.inject(spec);
    },

    async clearFaults() {
      core.faults.clear();
    },

    async listFaults() {
      return core.faults.all();
    },

    async idle() {
      await core.clock.quiesce();
    },
  };
}
