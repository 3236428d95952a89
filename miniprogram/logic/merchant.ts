/**
 * The merchant console. It first asks `whoami`: a customer gets the "merchants only" screen and no
 * merchant action is ever called for them. For a merchant, four sections load side by side, each with
 * its own error (one function failing never blanks the others): the new-order feed (orderAlert.feed),
 * orders awaiting shipment oldest first with their age (fulfilOrder.status), the refund queue
 * (applyRefund.queue), and alert delivery (orderAlert.status). Every action runs one at a time (a double
 * tap is ignored), tells what happened, and reloads.
 */
import { type Api, ApiError, userMessage } from '../services/client';
import { parseYuan, yuan } from '../services/money';
import type {
  AlertStatus,
  FulfilmentStatus,
  LogisticsType,
  RefundFundSource,
  RefundView,
  SubscribeDecision,
  TemplateGrants,
} from '../services/pending-api';
import { errMsgOf, type WxPort } from '../services/wx-port';
import { whoAmI } from './me';
import { amountError, reasonError } from './refund-form';
import { checkShipment, normalizeTrackingNo, type ShipForm } from './ship-form';
import { viewState } from './view-state';
import { ageText, beijingTime, LOGISTICS_WORDS, REFUND_WORDS } from './words';

/** Orders unshipped longer than this are late (WeChat expects shipment within 48 h). */
export const LATE_MS = 48 * 3600_000;
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

const PRINTER_WORDS: Record<string, string> = {
  ONLINE: '在线',
  OFFLINE: '离线',
  UNKNOWN: '状态未知',
  NONE: '未配置',
};

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
  }>;
  shipping: Section<{
    outTradeNo: string;
    summary: string;
    totalText: string;
    ageText: string;
    late: boolean;
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
  }>;
  alerts: {
    error: string;
    templates: { templateId: string; title: string; grants: number; low: boolean }[];
    lowGrants: boolean;
    needsResubscribe: boolean;
    pendingText: string;
    printerText: string;
  };
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

function refundRow(r: RefundView) {
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
  };
}

function alertsView(s: AlertStatus): MerchantView['alerts'] {
  const templates = s.templates.map((t) => ({ ...t, low: t.grants <= LOW_GRANTS }));
  return {
    error: '',
    templates,
    lowGrants: templates.some((t) => t.low) || s.needsResubscribe,
    needsResubscribe: s.needsResubscribe,
    pendingText: `待发送 ${s.pending} 条，发送失败 ${s.failed} 条${s.lastDeliveredAt ? `，最近送达 ${beijingTime(s.lastDeliveredAt)}` : ''}`,
    printerText: `打印机：${PRINTER_WORDS[s.printer.configured ? s.printer.state : 'NONE'] ?? s.printer.state}${s.printer.lastError ? `（${s.printer.lastError}）` : ''}`,
  };
}

/** The templates to offer in one popup: the emptiest first, at most 3. */
export function templatesToOffer(templates: readonly TemplateGrants[]): string[] {
  return [...templates]
    .sort((a, b) => a.grants - b.grants)
    .slice(0, TEMPLATES_PER_REQUEST)
    .map((t) => t.templateId);
}

const DECISIONS = new Set<string>(['accept', 'reject', 'ban', 'filter']);

export function createMerchantConsole(deps: MerchantDeps) {
  const { api } = deps;
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
        pendingText: '',
        printerText: '',
      },
      companies: [],
      ship: EMPTY_SHIP,
      start: EMPTY_START,
    },
    deps.render,
  );
  let templates: TemplateGrants[] = [];

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
            word: FEED_WORDS[i.kind] ?? i.kind,
            outTradeNo: i.outTradeNo,
            amountText: yuan(i.refundFee ?? i.totalFee ?? 0),
            timeText: beijingTime(i.at),
            detail: i.detail ?? '',
          })),
        },
      });
    } catch (e) {
      state.set({ feed: { error: sectionError(e), items: [] } });
    }
  };

  const loadShipping = async () => {
    try {
      const s: FulfilmentStatus = await api.call('fulfilOrder', 'status', {});
      const now = deps.now();
      state.set({
        companies: s.expressCompanies,
        shipping: {
          error: '',
          items: [...s.awaiting]
            .sort((a, b) => a.paidAt - b.paidAt)
            .map((a) => ({
              outTradeNo: a.outTradeNo,
              summary: a.summary,
              totalText: yuan(a.totalFee),
              ageText: ageText(now - a.paidAt),
              late: now - a.paidAt > LATE_MS,
            })),
          managedText:
            s.managed === null ? '' : s.managed ? '已开通微信发货信息管理' : '未开通微信发货信息管理',
          uploadsText:
            s.uploadsPending + s.uploadsFailed > 0
              ? `发货信息待同步 ${s.uploadsPending} 笔，失败 ${s.uploadsFailed} 笔`
              : '',
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
      state.set({ refunds: { error: '', items: [...requested.items, ...failed.items].map(refundRow) } });
    } catch (e) {
      state.set({ refunds: { error: sectionError(e), items: [] } });
    }
  };

  const loadAlerts = async () => {
    try {
      const s = await api.call('orderAlert', 'status', {});
      templates = s.templates;
      state.set({ alerts: alertsView(s) });
    } catch (e) {
      state.set({ alerts: { ...state.view.alerts, error: sectionError(e) } });
    }
  };

  const loadAll = () => Promise.all([loadFeed(), loadShipping(), loadRefunds(), loadAlerts()]);

  /** One action at a time; `then` reloads what it changed. */
  const act = async (work: () => Promise<string>, then: () => Promise<unknown>) => {
    if (state.view.busy || state.view.access !== 'merchant') return;
    state.set({ busy: true, message: '' });
    let message: string;
    try {
      message = await work();
    } catch (e) {
      message = userMessage(e);
    }
    state.set({ busy: false, message });
    await then();
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
        const r = await api.call('applyRefund', 'approve', { refundId });
        return r.status === 'FAILED' ? `退款失败：${r.failure?.message ?? ''}` : '已同意退款，微信处理中';
      }, loadRefunds),
    reject: (refundId: string, reason: string) => {
      const err = reasonError(reason);
      if (err) {
        state.set({ message: err.replace('退款原因', '拒绝原因') });
        return Promise.resolve();
      }
      return act(async () => {
        await api.call('applyRefund', 'reject', { refundId, reason: reason.trim() });
        return '已拒绝退款申请';
      }, loadRefunds);
    },
    /** Resend the same refund (same number and amount), optionally from the available balance. */
    retry: (refundId: string, fundSource: RefundFundSource) =>
      act(async () => {
        const r = await api.call('applyRefund', 'retry', { refundId, fundSource });
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
      if (!/^[A-Za-z0-9_\-|*@]{1,32}$/.test(f.outTradeNo.trim())) errors.outTradeNo = '请填写订单号';
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
        const started = await api.call('applyRefund', 'start', {
          outTradeNo: f.outTradeNo.trim(),
          refundFee: fee!,
          reason: f.reason.trim(),
        });
        return `已发起退款 ${yuan(started.refundFee)}`;
      }, loadRefunds);
    },
    openShip(outTradeNo: string, summary: string): void {
      state.set({ ship: { ...EMPTY_SHIP, open: true, outTradeNo, itemDesc: summary } });
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
        const f = await api.call('fulfilOrder', 'ship', checked.input);
        const how = LOGISTICS_WORDS[checked.input.logisticsType] ?? '';
        return f.upload?.status === 'UPLOADED' ? `已发货（${how}），已同步微信` : `已发货（${how}）`;
      }, loadShipping);
    },
    /** Top up alert grants: one popup of at most 3 templates, each accept = one more message. */
    subscribeAlerts: () =>
      act(async () => {
        const tmplIds = templatesToOffer(templates);
        if (tmplIds.length === 0) return '没有可订阅的提醒模板';
        const answer = await deps.wx.requestSubscribeMessage({ tmplIds });
        const results: Record<string, SubscribeDecision> = {};
        for (const id of tmplIds) {
          const d = answer[id];
          if (d !== undefined && DECISIONS.has(d)) results[id] = d as SubscribeDecision;
        }
        const accepted = Object.values(results).filter((d) => d === 'accept').length;
        await api.call('orderAlert', 'subscribe', { results });
        return accepted > 0 ? `已增加 ${accepted} 条提醒额度` : '未接受任何提醒';
      }, loadAlerts),
    reprint: (outTradeNo: string) =>
      act(async () => {
        const r = await api.call('orderAlert', 'reprint', { outTradeNo });
        return r.queued ? '已发送打印' : '打印未能发送';
      }, loadAlerts),
  };
}
