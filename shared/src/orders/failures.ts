/**
 * The domain's refusals, each with its stable code from api.ts ERROR_CODES (the one table), so a use case
 * says `throw orderNotFound()` and the code cannot drift from the documentation.
 */
import type { ErrorCode } from '../api';
import { ForbiddenError, InputError, NotFoundError, ShouyinError } from '../errors';

function refusal(code: ErrorCode, message: string, retryable = false): ShouyinError {
  return new ShouyinError(code, message, { retryable });
}

export const notMiniProgramCall = () =>
  new ForbiddenError(
    'this action must be called from the mini-program (no OPENID in the context)',
    'UNAUTHENTICATED',
  );
export const userCallRefused = () =>
  new ForbiddenError('internal action: calls from mini-program users are refused');
export const notMerchant = () =>
  new ForbiddenError("this action is for the shop's merchants only", 'NOT_MERCHANT');
/** Also for another customer's order: its existence is not revealed. */
export const orderNotFound = () => new NotFoundError('no such order');
export const unknownAction = (action: string) =>
  new InputError(`unknown action ${JSON.stringify(action.slice(0, 40))}`);
export const tooManyUnpaid = (max: number) =>
  refusal('TOO_MANY_UNPAID_ORDERS', `at most ${max} unpaid orders: pay or let one expire first`);
export const requestIdReused = () =>
  refusal('REQUEST_ID_REUSED', 'this requestId was used for a different cart');
export const requestInProgress = () =>
  refusal(
    'REQUEST_IN_PROGRESS',
    'an earlier call with this requestId is still creating the order; retry shortly',
    true,
  );
export const orderAlreadyPaid = (outTradeNo: string) =>
  refusal('ORDER_ALREADY_PAID', `order ${outTradeNo} is paid`);
export const orderClosed = (outTradeNo: string) => refusal('ORDER_CLOSED', `order ${outTradeNo} is closed`);
export const orderExpired = (outTradeNo: string) =>
  refusal('ORDER_EXPIRED', `order ${outTradeNo} can no longer be paid; create a new one`);
export const paymentRefused = (outTradeNo: string, reason: string) =>
  refusal('PAYMENT_REFUSED', `WeChat Pay refused order ${outTradeNo} (${reason}); it was closed`);
export const paymentPending = (outTradeNo: string) =>
  refusal(
    'PAYMENT_PENDING',
    `WeChat Pay's answer for order ${outTradeNo} is not known yet; retry shortly`,
    true,
  );
