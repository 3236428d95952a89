/** The refund refusals, each with its code from api.ts ERROR_CODES (the one table). */
import type { ErrorCode } from '../api';
import { ShouyinError } from '../errors';
import type { LedgerRefusal } from './ledger';

const refusal = (code: ErrorCode, message: string) => new ShouyinError(code, message);

export const refundNotFound = () => refusal('REFUND_NOT_FOUND', 'no such refund');
export const refundNotAllowed = (why: string) => refusal('REFUND_NOT_ALLOWED', why);
export const refundInProgress = (outTradeNo: string) =>
  refusal('REFUND_IN_PROGRESS', `order ${outTradeNo} already has an open refund`);
export const refundState = (status: string, action: string) =>
  refusal('REFUND_STATE', `a ${status} refund cannot be ${action}`);

/** The refusal for a ledger step the order's amounts or limits do not allow. */
export function ledgerRefusal(reason: LedgerRefusal, outTradeNo: string): ShouyinError {
  if (reason === 'exceeds')
    return refusal('REFUND_EXCEEDS_PAID', `the refunds of order ${outTradeNo} would exceed what was paid`);
  if (reason === 'too-many')
    return refusal('REFUND_LIMIT_REACHED', `order ${outTradeNo} already has 50 refunds`);
  if (reason === 'open') return refundInProgress(outTradeNo);
  return refundNotAllowed(`order ${outTradeNo} is not paid`);
}
