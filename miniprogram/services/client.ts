/**
 * The client layer: the only module that calls `wx.cloud.callFunction`. One generic `call(fn, action,
 * input)` typed by the action map below, so a wrong action, input or use of the output is a type error.
 * Both kinds of failure become one `ApiError` with a Chinese message for people:
 *  - an answer `{ok: false, error: {code, message}}` (shared/src/api.ts; the code is stable),
 *  - a failed call: `{errCode, errMsg}` from callFunction (a thrown function gives -404011, spec §6.2),
 *    and anything that is not an answer envelope.
 */
import type {
  ApiAnswer,
  ApplyRefundActions,
  CreatePaymentActions,
  ErrorCode,
  FulfilOrderActions,
  OrderAlertActions,
  WhoAmIActions,
} from './api-types';
import type { CallFunctionPort, WxFailure } from './wx-port';

/** Every callable function and its actions (`{input, output}` per action). */
export interface FunctionActions {
  createPayment: CreatePaymentActions;
  applyRefund: ApplyRefundActions;
  orderAlert: OrderAlertActions;
  fulfilOrder: FulfilOrderActions;
  whoami: WhoAmIActions;
}

export type FunctionName = keyof FunctionActions;
export type ActionName<F extends FunctionName> = keyof FunctionActions[F] & string;
export type ActionInput<F extends FunctionName, A extends ActionName<F>> = FunctionActions[F][A] extends {
  input: infer I;
}
  ? I
  : never;
export type ActionOutput<F extends FunctionName, A extends ActionName<F>> = FunctionActions[F][A] extends {
  output: infer O;
}
  ? O
  : never;

export interface Api {
  call<F extends FunctionName, A extends ActionName<F>>(
    fn: F,
    action: A,
    input: ActionInput<F, A>,
  ): Promise<ActionOutput<F, A>>;
}

/** Codes the client adds to the server's table: the call itself failed, or the answer was not one. */
export type ClientErrorCode = 'CALL_FAILED' | 'BAD_ANSWER';

export class ApiError extends Error {
  override readonly name = 'ApiError';
  /** The server's stable code (shared/src/api.ts ERROR_CODES, or a newer one), or a ClientErrorCode. */
  readonly code: ErrorCode | ClientErrorCode | (string & {});
  /** The same call may succeed later unchanged (for `create`: with the same requestId). */
  readonly retryable: boolean;
  /** The server's message or callFunction's errMsg (for logs, not for people). */
  readonly detail: string;
  /** callFunction's errCode, for CALL_FAILED. */
  readonly errCode?: number;

  constructor(o: { code: string; message: string; retryable: boolean; detail: string; errCode?: number }) {
    super(o.message);
    this.code = o.code;
    this.retryable = o.retryable;
    this.detail = o.detail;
    if (o.errCode !== undefined) this.errCode = o.errCode;
  }
}

/** What a person reads for each code (a code newer than this build falls back to the server's message). */
const MESSAGES: Partial<Record<ErrorCode | ClientErrorCode, string>> = {
  INVALID_INPUT: '提交的信息有误，请检查后重试',
  UNAUTHENTICATED: '请在微信小程序中打开',
  FORBIDDEN: '没有权限执行此操作',
  NOT_MERCHANT: '仅商家可以执行此操作',
  NOT_FOUND: '没有找到这笔订单',
  PRODUCT_UNAVAILABLE: '有商品已下架或不存在，请刷新商品列表',
  ORDER_TOO_LARGE: '订单金额过大，请分开下单',
  TOO_MANY_UNPAID_ORDERS: '您有多笔未支付订单，请先支付或等待其过期',
  REQUEST_ID_REUSED: '购物车已变化，请重新结算',
  REQUEST_IN_PROGRESS: '订单正在创建，请稍候再试',
  ORDER_ALREADY_PAID: '订单已支付',
  ORDER_CLOSED: '订单已关闭，请重新下单',
  ORDER_EXPIRED: '订单已超过支付时间，请重新下单',
  PAYMENT_REFUSED: '微信支付拒绝了这笔订单',
  PAYMENT_PENDING: '支付结果暂未确定，请稍后重试',
  INTERNAL: '服务暂时不可用，请稍后重试',
  ORDER_NOT_SHIPPABLE: '只有已支付的订单可以发货',
  ORDER_NOT_SHIPPED: '订单不在已发货状态',
  AMENDMENT_USED: '发货信息只能修改一次',
  REFUND_NOT_FOUND: '没有找到这笔退款',
  REFUND_NOT_ALLOWED: '这笔订单不能退款（未支付或已超过一年）',
  REFUND_EXCEEDS_PAID: '退款金额超过可退金额',
  REFUND_LIMIT_REACHED: '这笔订单的退款次数已达上限',
  REFUND_IN_PROGRESS: '这笔订单已有进行中的退款',
  REFUND_STATE: '退款状态已变化，请刷新后重试',
  CALL_FAILED: '网络或服务异常，请稍后重试',
  BAD_ANSWER: '服务返回异常，请稍后重试',
};

const RETRYABLE = new Set<string>(['REQUEST_IN_PROGRESS', 'PAYMENT_PENDING', 'INTERNAL', 'CALL_FAILED']);

const HAS_CHINESE = /[\u4e00-\u9fff]/;

function answerError(error: { code: string; message: string }): ApiError {
  const known = MESSAGES[error.code as ErrorCode];
  // A code this build does not know yet: WeChat's own Chinese words if the server passed them on.
  const message =
    known ?? (HAS_CHINESE.test(error.message) ? error.message : `操作失败（${error.code}），请稍后重试`);
  return new ApiError({
    code: error.code,
    message,
    retryable: RETRYABLE.has(error.code),
    detail: error.message,
  });
}

function callError(e: unknown): ApiError {
  const f = (typeof e === 'object' && e !== null ? e : {}) as Partial<WxFailure>;
  const errMsg = typeof f.errMsg === 'string' ? f.errMsg : e instanceof Error ? e.message : String(e);
  const errCode = typeof f.errCode === 'number' ? f.errCode : undefined;
  return new ApiError({
    code: 'CALL_FAILED',
    message: `${MESSAGES.CALL_FAILED}${errCode === undefined ? '' : `（${errCode}）`}`,
    retryable: true,
    detail: errMsg,
    ...(errCode === undefined ? {} : { errCode }),
  });
}

function isAnswer(v: unknown): v is ApiAnswer<unknown> {
  if (typeof v !== 'object' || v === null) return false;
  const a = v as { ok?: unknown; error?: { code?: unknown; message?: unknown } };
  if (a.ok === true) return 'data' in a;
  return (
    a.ok === false &&
    typeof a.error === 'object' &&
    a.error !== null &&
    typeof a.error.code === 'string' &&
    typeof a.error.message === 'string'
  );
}

export function createApi(cloud: CallFunctionPort): Api {
  return {
    async call(fn, action, input) {
      let reply: { result?: unknown };
      try {
        reply = await cloud.callFunction({ name: fn, data: { ...(input as object), action } });
      } catch (e) {
        throw callError(e);
      }
      const answer = reply?.result;
      if (!isAnswer(answer)) {
        throw new ApiError({
          code: 'BAD_ANSWER',
          message: MESSAGES.BAD_ANSWER!,
          retryable: false,
          detail: `${fn}.${action} answered ${JSON.stringify(answer)?.slice(0, 200)}`,
        });
      }
      if (!answer.ok) throw answerError(answer.error);
      return answer.data as never;
    },
  };
}

/** Any failure as the sentence a page shows. */
export function userMessage(e: unknown): string {
  return e instanceof ApiError ? e.message : '操作失败，请稍后重试';
}
