/**
 * WeChat's shipping-info service (发货信息管理) as the use cases see it: three calls, nothing about how they
 * travel. `openapiShippingPort` implements it over wx-server-sdk's cloud call (`cloud.openapi`, passed in
 * by the function's index.ts, so no use case imports the SDK), snake_case on the wire (convertCase off), a
 * time budget per call, and every failure turned into a ShippingApiError carrying WeChat's errcode.
 */
import { ShouyinError } from '../errors';
import type { ShippingUploadPayload } from './records';

export interface WeChatShippingOrder {
  /** 1 待发货, 2 已发货, 3 确认收货, 4 交易完成, 5 已退款 (6 资金待结算 is reported too). */
  orderState: number;
  /** The express_company / tracking_no WeChat holds (first shipping_list entry), when shipped. */
  trackingNo?: string;
  expressCompany?: string;
}

export interface ShippingPort {
  /** Resolves when WeChat accepted the shipment; ShippingApiError otherwise. */
  uploadShippingInfo(payload: ShippingUploadPayload): Promise<void>;
  getOrder(transactionId: string): Promise<WeChatShippingOrder>;
  isTradeManaged(appid: string): Promise<boolean>;
}

/** `errcode` is WeChat's (or the cloud call's, e.g. -604101); undefined when the answer was lost (timeout). */
export class ShippingApiError extends ShouyinError {
  constructor(
    readonly errcode: number | undefined,
    message: string,
  ) {
    super('SHIPPING_API', errcode === undefined ? message : `${errcode} ${message}`);
  }
}

export type ShippingApi = 'uploadShippingInfo' | 'getOrder' | 'isTradeManaged';

/**
 * The cloud calls a function makes, each written out in its index.ts as
 * `(d) => cloud.openapi({ convertCase: false }).wxa.sec.order.<api>(d)`: the function names exactly the APIs
 * its config.json permits (package:check compares the two), and a use case reaching for one the function
 * was not given fails like the cloud does without the permission (-604101).
 */
export type ShippingCalls = Partial<Record<ShippingApi, (data: object) => Promise<Record<string, unknown>>>>;

function withinBudget<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new ShippingApiError(undefined, `${what}: no answer within ${ms} ms`)),
      ms,
    );
  });
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}

function asApiError(err: unknown, what: string): ShippingApiError {
  if (err instanceof ShippingApiError) return err;
  const e = err as { errCode?: unknown; errMsg?: unknown; message?: unknown };
  const code = typeof e?.errCode === 'number' ? e.errCode : undefined;
  const raw =
    typeof e?.errMsg === 'string' ? e.errMsg : typeof e?.message === 'string' ? e.message : String(err);
  const msg = raw.replace(/^openapi\.[\w.]+:fail\s*/, '');
  // -1 is WeChat's "system busy" and also what the SDK reports for a failure of its own: both are retried.
  return new ShippingApiError(code, `${what}: ${msg.slice(0, 200)}`);
}

export function openapiShippingPort(calls: ShippingCalls, budgetMs: number): ShippingPort {
  const call = async (name: ShippingApi, data: object) => {
    const api = calls[name];
    if (!api) throw new ShippingApiError(-604101, `${name} is not among this function's cloud calls`);
    try {
      return await withinBudget(api(data), budgetMs, name);
    } catch (err) {
      throw asApiError(err, name);
    }
  };
  return {
    async uploadShippingInfo(payload) {
      await call('uploadShippingInfo', payload);
    },
    async getOrder(transactionId) {
      const answer = await call('getOrder', { transaction_id: transactionId });
      const order = (answer.order ?? {}) as { order_state?: unknown; shipping?: { shipping_list?: unknown } };
      if (typeof order.order_state !== 'number')
        throw new ShippingApiError(undefined, 'getOrder: no order_state in the answer');
      const first = Array.isArray(order.shipping?.shipping_list)
        ? (order.shipping.shipping_list[0] as Record<string, unknown>)
        : undefined;
      const out: WeChatShippingOrder = { orderState: order.order_state };
      if (typeof first?.tracking_no === 'string' && first.tracking_no !== '')
        out.trackingNo = first.tracking_no;
      if (typeof first?.express_company === 'string' && first.express_company !== '')
        out.expressCompany = first.express_company;
      return out;
    },
    async isTradeManaged(appid) {
      const answer = await call('isTradeManaged', { appid });
      return answer.is_trade_managed === true;
    },
  };
}
