/** Fulfilment refusals, each with its code from api.ts ERROR_CODES. */
import type { ErrorCode } from '../api';
import { ShouyinError } from '../errors';

const refusal = (code: ErrorCode, message: string) => new ShouyinError(code, message);

export const orderNotShippable = (outTradeNo: string, status: string) =>
  refusal('ORDER_NOT_SHIPPABLE', `order ${outTradeNo} is ${status}: only a paid order can be shipped`);
export const orderNotShipped = (outTradeNo: string) =>
  refusal(
    'ORDER_NOT_SHIPPED',
    `order ${outTradeNo} is not awaiting receipt (not shipped, or already received)`,
  );
export const amendmentUsed = (outTradeNo: string) =>
  refusal('AMENDMENT_USED', `the shipment of order ${outTradeNo} was already amended once`);
