/**
 * The merchant console. It first asks `whoami`: a customer gets the "merchants only" screen and no
 * merchant action is ever called for them. For a merchant, four sections load side by side, each with
 * its own error (one function failing never blanks the others): the new-order feed (orderAlert.feed),
 * orders awaiting shipment oldest first with their age (fulfilOrder.status), the refund queue
 * (applyRefund.queue), and alert delivery (orderAlert.status). Every action runs one at a time (a double
 * tap is ignored), tells what happened, and reloads. Opened from a merchant alert (the subscribe message's
 * page, `?outTradeNo=`), it also shows what each section holds of that order at the top.
 */

import type {
  AlertStatus,
  FulfilmentStatusView,
  LogisticsType,
  RefundFundSource,
  RefundView,
  TemplateSlot,
} from '../services/api-types';
import { type Api, ApiError, userMessage } from '../services/client';
import { parseYuan, yuan } from '../services/money';
import { errMsgOf, type WxPort } from '../services/wx-port';
import { runAction } from './action';
import { whoAmI } from './me';
import { amountError, reasonError } from './refund-form';
import { checkShipment, normalizeTrackingNo, type ShipForm } from './ship-form';
import { viewState } from './view-state';
import {
  ageText,
  beijingTime,
  EXPRESS_COMPANIES,
  LOGISTICS_WORDS,
  REFUND_WORDS,
  UPLOAD_WORDS,
} from './words';

/** At or below this many grants a template needs topping up. */
export const LOW_GRANTS = 3;
/** wx.requestSubscribeMessage takes at most 3 templates per call in the older docs: design for 3. */
export const TEMPLATES_PER_REQUEST = 3;

const FEED_WORDS: Record<string, string> = {
  ORDER_PAID: '新订单',
  ORDER_PAID_AFTER_CLOSE: '关单后到账',
  PAYMENT_MISMATCH: '支付异常',
  REFUND_REQUESTED: '退款申请',
  REFUND_SUCCEEDED: '退款完成',
  REFUND_FAILED: '退款失败',
  REFUND_ABNORMAL: '退款异常',
  REFUND_CLOSED: '退款关闭',
  REFUND_STUCK: '退款超时',
  ORDER_SHIPPED: '已发货',
  SHIPPING_UPLOAD_FAILING: '发货同步失败',
  ORDER_UNSHIPPED_LATE: '超时未发货',
};

/** What each template slot announces (shared/src/alerts/table.ts: order, refund, anomaly). */
const SLOT_WORDS: { readonly [S in TemplateSlot]: string } = {
  order: '新订单提醒',
  refund: '退款提醒',
  anomaly: '异常提醒',
};

/** The last receipt print job, by its delivery status. */
const PRINT_WORDS: Record<string, string> = {
  PENDING: '待打印',
  SENDING: '发送中',
  CONFIRMING: '确认中',
  CHECKING: '确认中',
  SENT: '已打印',
  FAILED: '打印失败',
};

const CHANNEL_WORDS: Record<string, string> = { subscribe: '订阅消息', printer: '打印机', wecom: '企业微信' };

/** One template of the alert status: the grants the server estimates are left. */
export interface TemplateGrants {
  templateId: string;
  title: string;
  grants: number;
  /** WeChat answered 43101: no grant left whatever the estimate says. */
  exhausted: boolean;
}

type Access = 'checking' | 'merchant' | 'denied';
type Section<T> = { error: string; items: T[] };

export interface MerchantView {
  access: Access;
  accessError: string;
  shopName: string;
  busy: boolean;
  message: string;
  feed: Section<{
    id: string;
    word: string;
    outTradeNo: string;
    amountText: string;
    timeText: string;
    detail: string;
    focus: boolean;
    /** A paid order's receipt can be printed again (when a printer is configured). */
    canReprint: boolean;
  }>;
  shipping: Section<{
    outTradeNo: string;
    totalText: string;
    ageText: string;
    late: boolean;
    focus: boolean;
  }> & {
    managedText: string;
    uploadsText: string;
  };
  refunds: Section<{
    refundId: string;
    outTradeNo: string;
    word: string;
    amountText: string;
    reason: string;
    timeText: string;
    canReview: boolean;
    canRetry: boolean;
    note: string;
    focus: boolean;
  }>;
  alerts: {
    error: string;
    templates: (TemplateGrants & { low: boolean })[];
    lowGrants: boolean;
    needsResubscribe: boolean;
    /** The caller is a merchant but not among the openids that receive alerts. */
    notReceiving: boolean;
    pendingText: string;
    failures: string[];
    printerText: string;
    printerConfigured: boolean;
  };
  /** The order a merchant alert opened the console on (`?outTradeNo=`): what each section holds of it. */
  focus: { outTradeNo: string; lines: string[] };
  companies: { code: string; name: string }[];
  ship: ShipForm & { open: boolean; companyIndex: number; errors: Record<string, string> };
  start: {
    open: boolean;
    outTradeNo: string;
    amountText: string;
    reason: string;
    errors: Record<string, string>;
  };
}

export interface MerchantDeps {
  api: Api;
  wx: Pick<WxPort, 'requestSubscribeMessage' | 'scanCode'>;
  now(): number;
  /** A fresh requestId (8–64 of [A-Za-z0-9_-]) for a reprint. */
  newRequestId(): string;
  /** The order number a merchant alert opened the page with, if any. */
  focus?: string;
  render(patch: Partial<MerchantView>): void;
}

const EMPTY_SHIP = {
  open: false,
  outTradeNo: '',
  logisticsType: 1 as LogisticsType,
  expressCompany: '',
  companyIndex: -1,
  trackingNo: '',
  receiverContact: '',
  itemDesc: '',
  errors: {},
};
const EMPTY_START = { open: false, outTradeNo: '', amountText: '', reason: '', errors: {} };

function refundRow(r: RefundView, focus: string) {
  return {
    refundId: r.refundId,
    outTradeNo: r.outTradeNo,
    word: REFUND_WORDS[r.status],
    amountText: yuan(r.refundFee),
    reason: r.reason,
    timeText: beijingTime(r.createdAt),
    canReview: r.status === 'REQUESTED',
    canRetry: r.status === 'FAILED',
    note: r.failure ? `${r.failure.message}${r.failure.hint ? `（${r.failure.hint}）` : ''}` : '',
    focus: r.outTradeNo === focus,
  };
}

function templatesOf(s: AlertStatus): TemplateGrants[] {
  return s.templates.map((t) => ({
    templateId: t.templateId,
    title: SLOT_WORDS[t.slot] ?? t.slot,
    grants: t.exhausted ? 0 : t.estimatedGrants,
    exhausted: t.exhausted,
  }));
}

function printerText(p: AlertStatus['printer']): string {
  if (!p.configured) return '打印机：未配置';
  const job = p.lastJob;
  return `打印机 ${p.id ?? ''}：${job ? `最近一张小票${PRINT_WORDS[job.status] ?? job.status}（${beijingTime(job.at)}）` : '暂无打印记录'}`;
}

function alertsView(s: AlertStatus): MerchantView['alerts'] {
  const templates = templatesOf(s).map((t) => ({ ...t, low: t.grants <= LOW_GRANTS }));
  return {
    error: '',
    templates,
    lowGrants: templates.some((t) => t.low) || s.resubscribe,
    needsResubscribe: s.resubscribe,
    notReceiving: !s.receivesAlerts,
    pendingText: `待发送 ${s.pending} 条，发送失败 ${s.failed} 条${s.lastDeliveryAt ? `，最近送达 ${beijingTime(s.lastDeliveryAt)}` : ''}`,
    failures: s.recentFailures.map(
      (f) =>
        `${beijingTime(f.at)} ${FEED_WORDS[f.kind] ?? f.kind} · ${CHANNEL_WORDS[f.channel] ?? f.channel}：${f.reason}`,
    ),
    printerText: printerText(s.printer),
    printerConfigured: s.printer.configured,
  };
}

/** What the sections hold of the focused order, one sentence each. */
function focusLines(v: MerchantView): string[] {
  return [
    ...v.feed.items.filter((i) => i.focus).map((i) => `${i.word} ${i.amountText} · ${i.timeText}`),
    ...v.shipping.items
      .filter((i) => i.focus)
      .map((i) => `待发货 ${i.totalText} · 已等待 ${i.ageText}${i.late ? '（已超时）' : ''}`),
    ...v.refunds.items.filter((i) => i.focus).map((i) => `退款${i.word} ${i.amountText} · ${i.reason}`),
  ];
}

/** The templates to offer in one popup: the emptiest first, at most 3. */
export function templatesToOffer(templates: readonly TemplateGrants[]): string[] {
  return [...templates]
    .sort((a, b) => a.grants - b.grants)
    .slice(0, TEMPLATES_PER_REQUEST)
    .map((t) => t.templateId);
}

const DECISIONS = new Set<string>(['accept', 'reject', 'ban', 'filter']);

const OUT_TRADE_NO = /^[A-Za-z0-9_\-|*@]{1,32}$/;

/**
 * The order a merchant alert opened the console on: the subscribe message's page is
 * `ALERT_PAGE?outTradeNo=<no>` (orderAlert, URI-encoded). Anything that is not an order number is ignored.
 */
export function alertFocus(query: Record<string, string | undefined> | undefined): string | undefined {
  const raw = query?.outTradeNo;
  if (!raw) return undefined;
  let no: string;
  try {
    no = decodeURIComponent(raw);
  } catch {
    return undefined;
  }
  return OUT_TRADE_NO.test(no) ? no : undefined;
}

export function createMerchantConsole(deps: MerchantDeps) {
  const { api } = deps;
  const focus = deps.focus ?? '';
  const state = viewState<MerchantView>(
    {
      access: 'checking',
      accessError: '',
      shopName: '',
      busy: false,
      message: '',
      feed: { error: '', items: [] },
      shipping: { error: '', items: [], managedText: '', uploadsText: '' },
      refunds: { error: '', items: [] },
      alerts: {
        error: '',
        templates: [],
        lowGrants: false,
        needsResubscribe: false,
        notReceiving: false,
        pendingText: '',
        failures: [],
        printerText: '',
        printerConfigured: false,
      },
      focus: { outTradeNo: focus, lines: [] },
      companies: [...EXPRESS_COMPANIES],
      ship: EMPTY_SHIP,
      start: EMPTY_START,
    },
    deps.render,
  );
  let templates: TemplateGrants[] = [];
  /** Reprint requestIds per order, kept until the call answers: a retried tap prints once. */
  const reprintIds = new Map<string, string>();

  const sectionError = (e: unknown) => {
    if (e instanceof ApiError && e.code === 'NOT_MERCHANT') state.set({ access: 'denied' });
    return userMessage(e);
  };

  const loadFeed = async () => {
    try {
      const page = await api.call('orderAlert', 'feed', {});
      state.set({
        feed: {
          error: '',
          items: page.items.map((i) => ({
            id: i.id,
            word: FEED_WORDS[i.kind] ?? i.title,
            outTradeNo: i.outTradeNo,
            amountText: i.amountFee === null ? '' : yuan(i.amountFee),
            timeText: beijingTime(i.at),
            detail: i.detail ?? '',
            focus: i.outTradeNo === focus,
            canReprint: i.kind === 'ORDER_PAID' || i.kind === 'ORDER_PAID_AFTER_CLOSE',
          })),
        },
      });
    } catch (e) {
      state.set({ feed: { error: sectionError(e), items: [] } });
    }
  };

  const loadShipping = async () => {
    try {
      const s: FulfilmentStatusView = await api.call('fulfilOrder', 'status', {});
      const now = deps.now();
      const pending = s.uploadsPending.length;
      const failed = s.uploadsFailed.length;
      state.set({
        shipping: {
          error: '',
          items: [...s.awaitingShipment]
            .sort((a, b) => a.paidAt - b.paidAt)
            .map((a) => ({
              outTradeNo: a.outTradeNo,
              totalText: yuan(a.totalFee),
              ageText: ageText(now - a.paidAt),
              late: a.late,
              focus: a.outTradeNo === focus,
            })),
          managedText:
            s.tradeManaged === null
              ? ''
              : s.tradeManaged
                ? '已开通微信发货信息管理'
                : '未开通微信发货信息管理',
          uploadsText: pending + failed > 0 ? `发货信息待同步 ${pending} 笔，失败 ${failed} 笔` : '',
        },
      });
    } catch (e) {
      state.set({ shipping: { error: sectionError(e), items: [], managedText: '', uploadsText: '' } });
    }
  };

  const loadRefunds = async () => {
    try {
      const [requested, failed] = await Promise.all([
        api.call('applyRefund', 'queue', { status: 'REQUESTED' }),
        api.call('applyRefund', 'queue', { status: 'FAILED' }),
      ]);
      state.set({
        refunds: {
          error: '',
          items: [...requested.refunds, ...failed.refunds].map((r) => refundRow(r, focus)),
        },
      });
    } catch (e) {
      state.set({ refunds: { error: sectionError(e), items: [] } });
    }
  };

  const loadAlerts = async () => {
    try {
      const s = await api.call('orderAlert', 'status', {});
      templates = templatesOf(s);
      state.set({ alerts: alertsView(s) });
    } catch (e) {
      state.set({ alerts: { ...state.view.alerts, error: sectionError(e) } });
    }
  };

  const showFocus = () => {
    if (focus) state.set({ focus: { outTradeNo: focus, lines: focusLines(state.view) } });
  };

  const loadAll = async () => {
    await Promise.all([loadFeed(), loadShipping(), loadRefunds(), loadAlerts()]);
    showFocus();
  };

  /** One action at a time; `then` reloads what it changed. */
  const act = async (work: () => Promise<string>, then: () => Promise<unknown>) => {
    if (state.view.access !== 'merchant' || !(await runAction(state, work))) return;
    await then();
    showFocus();
  };

  return {
    state,
    /** Opening the console (and pull to refresh). Never rejects. */
    async load(): Promise<void> {
      if (state.view.access !== 'merchant') {
        try {
          const me = await whoAmI(api);
          if (!me.merchant) {
            state.set({ access: 'denied' });
            return;
          }
          state.set({ access: 'merchant', shopName: me.merchant.name });
        } catch (e) {
          state.set({ accessError: userMessage(e) });
          return;
        }
      }
      await loadAll();
    },
    approve: (refundId: string) =>
      act(async () => {
        const { changed, refund: r } = await api.call('applyRefund', 'approve', { refundId });
        if (!changed) return `这笔退款已被处理（${REFUND_WORDS[r.status]}）`;
        return r.status === 'FAILED' ? `退款失败：${r.failure?.message ?? ''}` : '已同意退款，微信处理中';
      }, loadRefunds),
    reject: (refundId: string, reason: string) => {
      const err = reasonError(reason);
      if (err) {
        state.set({ message: err.replace('退款原因', '拒绝原因') });
        return Promise.resolve();
      }
      return act(async () => {
        const { changed, refund: r } = await api.call('applyRefund', 'reject', {
          refundId,
          reason: reason.trim(),
        });
        return changed ? '已拒绝退款申请' : `这笔退款已被处理（${REFUND_WORDS[r.status]}）`;
      }, loadRefunds);
    },
    /** Resend the same refund (same number and amount), optionally from the available balance. */
    retry: (refundId: string, fundSource: RefundFundSource) =>
      act(async () => {
        const { refund: r } = await api.call('applyRefund', 'retry', { refundId, fundSource });
        return r.status === 'FAILED' ? `仍然失败：${r.failure?.message ?? ''}` : '已重新提交退款';
      }, loadRefunds),
    openStart(outTradeNo: string): void {
      state.set({ start: { ...EMPTY_START, open: true, outTradeNo } });
    },
    editStart(field: 'outTradeNo' | 'amountText' | 'reason', value: string): void {
      state.set({ start: { ...state.view.start, [field]: value } });
    },
    closeStart: () => state.set({ start: EMPTY_START }),
    /** A merchant-started refund (no customer request): amount and reason checked first. */
    async submitStart(): Promise<void> {
      const f = state.view.start;
      const fee = parseYuan(f.amountText);
      const errors: Record<string, string> = {};
      if (!OUT_TRADE_NO.test(f.outTradeNo.trim())) errors.outTradeNo = '请填写订单号';
      const a = amountError(fee, Number.MAX_SAFE_INTEGER);
      if (a) errors.amount = a;
      const r = reasonError(f.reason);
      if (r) errors.reason = r;
      if (Object.keys(errors).length > 0) {
        state.set({ start: { ...f, errors } });
        return;
      }
      state.set({ start: EMPTY_START });
      await act(async () => {
        const { refund: started } = await api.call('applyRefund', 'start', {
          outTradeNo: f.outTradeNo.trim(),
          refundFee: fee!,
          reason: f.reason.trim(),
        });
        return `已发起退款 ${yuan(started.refundFee)}`;
      }, loadRefunds);
    },
    /** The item description may stay empty: the server then describes the order's lines. */
    openShip(outTradeNo: string): void {
      state.set({ ship: { ...EMPTY_SHIP, open: true, outTradeNo } });
    },
    closeShip: () => state.set({ ship: EMPTY_SHIP }),
    editShip(field: 'trackingNo' | 'receiverContact' | 'itemDesc', value: string): void {
      state.set({ ship: { ...state.view.ship, [field]: value } });
    },
    pickLogistics(index: number): void {
      const type = ([1, 2, 3, 4] as const)[index];
      if (type) state.set({ ship: { ...state.view.ship, logisticsType: type } });
    },
    pickCompany(index: number): void {
      const c = state.view.companies[index];
      if (c) state.set({ ship: { ...state.view.ship, companyIndex: index, expressCompany: c.code } });
    },
    /** The tracking number from the waybill's barcode. */
    async scanTrackingNo(): Promise<void> {
      try {
        const { result } = await deps.wx.scanCode({ onlyFromCamera: false, scanType: ['barCode'] });
        state.set({ ship: { ...state.view.ship, trackingNo: normalizeTrackingNo(result) } });
      } catch (e) {
        if (!/cancel/.test(errMsgOf(e))) state.set({ message: '扫码失败，请手动填写快递单号' });
      }
    },
    async submitShip(): Promise<void> {
      const checked = checkShipment(state.view.ship, state.view.companies);
      if (!checked.ok) {
        state.set({ ship: { ...state.view.ship, errors: checked.errors as Record<string, string> } });
        return;
      }
      state.set({ ship: EMPTY_SHIP });
      await act(async () => {
        const { changed, shipment } = await api.call('fulfilOrder', 'ship', checked.input);
        if (!changed) return '这笔订单已发货';
        const how = LOGISTICS_WORDS[shipment.logisticsType] ?? '';
        return `已发货（${how}），${UPLOAD_WORDS[shipment.upload.status] ?? shipment.upload.status}`;
      }, loadShipping);
    },
    /** Top up alert grants: one popup of at most 3 templates, each accept = one more message. */
    subscribeAlerts: () =>
      act(async () => {
        const tmplIds = templatesToOffer(templates);
        if (tmplIds.length === 0) return '没有可订阅的提醒模板';
        const answer = await deps.wx.requestSubscribeMessage({ tmplIds });
        const results: Record<string, string> = {};
        for (const id of tmplIds) {
          const d = answer[id];
          if (d !== undefined && DECISIONS.has(d)) results[id] = d;
        }
        if (Object.keys(results).length === 0) return '未接受任何提醒';
        const r = await api.call('orderAlert', 'subscribe', { results });
        const sent = r.released > 0 ? `，${r.released} 条待发提醒已发出` : '';
        return r.accepted.length > 0 ? `已增加 ${r.accepted.length} 条提醒额度${sent}` : '未接受任何提醒';
      }, loadAlerts),
    reprint: (outTradeNo: string) =>
      act(async () => {
        const requestId = reprintIds.get(outTradeNo) ?? deps.newRequestId();
        reprintIds.set(outTradeNo, requestId);
        const r = await api.call('orderAlert', 'reprint', { outTradeNo, requestId });
        reprintIds.delete(outTradeNo);
        return r.status === 'SENT'
          ? '小票已打印'
          : r.status === 'FAILED'
            ? '补打失败，请检查打印机'
            : '已发送补打，等待打印机确认';
      }, loadAlerts),
  };
}
