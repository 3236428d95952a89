/**
 * One order of the customer's: lines, status in words, pay again, refund request (full or partial, with a
 * reason) and its cancellation while pending, refund progress, shipping details, and confirm receipt
 * (WeChat's own confirmation page, then our `fulfilOrder.confirmReceipt`).
 */

import type { OrderView, RefundView } from '../services/api-types';
import { userMessage } from '../services/client';
import { yuan } from '../services/money';
import { errMsgOf, type WxPort } from '../services/wx-port';
import { runAction } from './action';
import { payAgain } from './orders';
import type { PayDeps } from './pay-flow';
import { checkRefundRequest, refundableFee } from './refund-form';
import { viewState } from './view-state';
import {
  beijingTime,
  EXPRESS_NAMES,
  isPayable,
  isRefundable,
  LOGISTICS_WORDS,
  orderWord,
  REFUND_WORDS,
} from './words';

export interface RefundRow {
  refundId: string;
  word: string;
  amountText: string;
  reason: string;
  timeText: string;
  canCancel: boolean;
  note: string;
  /** The tag's colour: '' done, 'warn' on its way, 'bad' needs attention. */
  tone: '' | 'warn' | 'bad';
}

export interface ShippingView {
  method: string;
  company: string;
  trackingNo: string;
  itemDesc: string;
  shippedText: string;
  receivedText: string;
}

export interface OrderDetailView {
  loading: boolean;
  error: string;
  busy: boolean;
  message: string;
  outTradeNo: string;
  word: string;
  totalText: string;
  refundedText: string;
  createdText: string;
  paidText: string;
  remark: string;
  lines: { name: string; quantity: number; unitText: string; lineText: string }[];
  canPay: boolean;
  canRefund: boolean;
  canConfirm: boolean;
  refunds: RefundRow[];
  shipping: ShippingView | null;
  form: {
    open: boolean;
    amountText: string;
    reason: string;
    maxText: string;
    errors: Record<string, string>;
  };
}

export interface OrderDetailDeps extends PayDeps {
  wx: PayDeps['wx'] & Pick<WxPort, 'openBusinessView'>;
  outTradeNo: string;
  now(): number;
  render(patch: Partial<OrderDetailView>): void;
}

/** On its way: warn; needs attention or refused: bad; over: plain. */
const TONES: { readonly [S in RefundView['status']]: RefundRow['tone'] } = {
  REQUESTED: 'warn',
  PROCESSING: 'warn',
  SUCCESS: '',
  CANCELLED: '',
  CLOSED: '',
  REJECTED: 'bad',
  FAILED: 'bad',
  CHANGE: 'bad',
};

function refundRow(r: RefundView): RefundRow {
  const note =
    r.status === 'FAILED' && r.failure
      ? `${r.failure.message}${r.failure.hint ? `（${r.failure.hint}）` : ''}`
      : r.status === 'REJECTED' && r.rejectReason
        ? `商家拒绝：${r.rejectReason}`
        : r.status === 'CHANGE'
          ? '退款到账异常，商家正在处理'
          : '';
  return {
    refundId: r.refundId,
    word: REFUND_WORDS[r.status],
    amountText: yuan(r.refundFee),
    reason: r.reason,
    timeText: beijingTime(r.createdAt),
    canCancel: r.status === 'REQUESTED' && r.requestedBy === 'customer',
    note,
    tone: TONES[r.status],
  };
}

function shippingView(o: OrderView): ShippingView | null {
  const f = o.shipment;
  if (!f) return null;
  return {
    method: LOGISTICS_WORDS[f.logisticsType] ?? '',
    company: f.expressCompany ? (EXPRESS_NAMES[f.expressCompany] ?? f.expressCompany) : '',
    trackingNo: f.trackingNo ?? '',
    itemDesc: f.itemDesc,
    shippedText: beijingTime(f.shippedAt),
    receivedText: f.receivedAt ? beijingTime(f.receivedAt) : '',
  };
}

const CLOSED_FORM = { open: false, amountText: '', reason: '', maxText: '', errors: {} };

export function createOrderDetail(deps: OrderDetailDeps) {
  const state = viewState<OrderDetailView>(
    {
      loading: true,
      error: '',
      busy: false,
      message: '',
      outTradeNo: deps.outTradeNo,
      word: '',
      totalText: '',
      refundedText: '',
      createdText: '',
      paidText: '',
      remark: '',
      lines: [],
      canPay: false,
      canRefund: false,
      canConfirm: false,
      refunds: [],
      shipping: null,
      form: CLOSED_FORM,
    },
    deps.render,
  );
  let order: OrderView | undefined;

  const show = (o: OrderView) => {
    order = o;
    state.set({
      word: orderWord(o),
      totalText: yuan(o.totalFee),
      refundedText: o.refundedFee > 0 ? yuan(o.refundedFee) : '',
      createdText: beijingTime(o.createdAt),
      paidText: o.paidAt ? beijingTime(o.paidAt) : '',
      remark: o.remark ?? '',
      lines: o.lines.map((l) => ({
        name: l.name,
        quantity: l.quantity,
        unitText: yuan(l.unitFee),
        lineText: yuan(l.lineFee),
      })),
      canPay: isPayable(o, deps.now()),
      canRefund: isRefundable(o),
      canConfirm: o.shipment?.status === 'SHIPPED',
      refunds: (o.refunds ?? []).map(refundRow),
      shipping: shippingView(o),
    });
  };

  /** Runs one action at a time (a double tap is ignored), shows its result, reloads the order. */
  const act = async (work: () => Promise<string>) => {
    if (await runAction(state, work)) await load();
  };

  async function load(): Promise<void> {
    try {
      show(await deps.api.call('createPayment', 'get', { outTradeNo: deps.outTradeNo }));
      state.set({ error: '' });
    } catch (e) {
      state.set({ error: userMessage(e) });
    } finally {
      state.set({ loading: false });
    }
  }

  return {
    state,
    load,
    pay: () => act(() => payAgain(deps, deps.outTradeNo)),
    openRefundForm(): void {
      if (!order) return;
      state.set({ form: { ...CLOSED_FORM, open: true, maxText: yuan(refundableFee(order)) } });
    },
    closeRefundForm: () => state.set({ form: CLOSED_FORM }),
    editRefundForm(field: 'amountText' | 'reason', value: string): void {
      state.set({ form: { ...state.view.form, [field]: value } });
    },
    async submitRefund(): Promise<void> {
      if (!order || state.view.busy) return;
      const checked = checkRefundRequest(order, state.view.form);
      if (!checked.ok) {
        state.set({ form: { ...state.view.form, errors: checked.errors as Record<string, string> } });
        return;
      }
      state.set({ form: CLOSED_FORM });
      await act(async () => {
        const { refund } = await deps.api.call('applyRefund', 'request', checked.input);
        return `已提交退款申请 ${yuan(refund.refundFee)}，等待商家审核`;
      });
    },
    cancelRefund: (refundId: string) =>
      act(async () => {
        const { changed } = await deps.api.call('applyRefund', 'cancel', { refundId });
        return changed ? '已撤销退款申请' : '退款申请已处理，无需撤销';
      }),
    /** WeChat's own confirmation first; a cancel there stops, otherwise ours records the receipt. */
    confirmReceipt: () =>
      act(async () => {
        if (!order) return '';
        try {
          await deps.wx.openBusinessView({
            businessType: 'weappOrderConfirm',
            extraData: order.transactionId ? { transaction_id: order.transactionId } : {},
          });
        } catch (e) {
          if (/cancel/.test(errMsgOf(e))) return '已取消确认收货';
          // Not enrolled in WeChat's shipping service, or an old base library: our record still counts.
        }
        await deps.api.call('fulfilOrder', 'confirmReceipt', { outTradeNo: deps.outTradeNo });
        // changed: false = already received (a double tap, or WeChat's own confirmation got there first).
        return '已确认收货';
      }),
  };
}
