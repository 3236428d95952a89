/**
 * The applyRefund inputs, checked before anything is read: ids by their patterns, amounts integer fen > 0,
 * reasons within refund_desc's 80 characters and without 4-byte characters (WeChat Pay v2 notes §1.1, §3.4),
 * which WeChat would refuse — so they are refused here, before WeChat is called.
 */
import { InputError } from '../errors';
import { isPayableFen } from '../orders/money';
import { OUT_REFUND_NO, OUT_TRADE_NO } from '../wxpay/ids';
import { isRefundState, type RefundState } from './state';

type Event = Record<string, unknown>;

/** refund_desc is String(80) (spec §3.4). */
export const REASON_MAX = 80;
export const QUEUE_LIMITS = { default: 20, max: 50 } as const;

export function parseRefundId(e: Event): string {
  const { refundId } = e;
  if (typeof refundId !== 'string' || !OUT_REFUND_NO.test(refundId))
    throw new InputError('refundId is not a refund number');
  return refundId;
}

export function parseOutTradeNo(e: Event): string {
  const { outTradeNo } = e;
  if (typeof outTradeNo !== 'string' || !OUT_TRADE_NO.test(outTradeNo))
    throw new InputError('outTradeNo is not an order number');
  return outTradeNo;
}

export function parseReason(v: unknown, name = 'reason'): string {
  if (typeof v !== 'string' || v.trim() === '') throw new InputError(`${name} is required`);
  const s = v.trim();
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused
  if (/[\uD800-\uDFFF]|[\u0000-\u0008\u000B\u000C\u000E-\u001F]/.test(s))
    throw new InputError(
      `${name} must not contain emoji or other 4-byte characters (WeChat Pay refuses them)`,
    );
  if ([...s].length > REASON_MAX) throw new InputError(`${name} must be at most ${REASON_MAX} characters`);
  return s;
}

export function parseFee(v: unknown, name = 'refundFee'): number {
  if (!isPayableFen(v)) throw new InputError(`${name} must be an integer number of fen > 0`);
  return v;
}

export interface RequestRefundCmd {
  outTradeNo: string;
  reason: string;
  refundFee?: number;
}

export function parseRequestRefund(e: Event): RequestRefundCmd {
  const cmd: RequestRefundCmd = { outTradeNo: parseOutTradeNo(e), reason: parseReason(e.reason) };
  if (e.refundFee !== undefined && e.refundFee !== null) cmd.refundFee = parseFee(e.refundFee);
  return cmd;
}

export interface StartRefundCmd {
  outTradeNo: string;
  refundFee: number;
  reason: string;
}

export function parseStartRefund(e: Event): StartRefundCmd {
  return { outTradeNo: parseOutTradeNo(e), refundFee: parseFee(e.refundFee), reason: parseReason(e.reason) };
}

export function parseRejectRefund(e: Event): { refundId: string; reason: string } {
  return { refundId: parseRefundId(e), reason: parseReason(e.reason) };
}

export type FundSource = 'unsettled' | 'available';

export function parseRetryRefund(e: Event): { refundId: string; fundSource?: FundSource } {
  const { fundSource } = e;
  if (
    fundSource !== undefined &&
    fundSource !== null &&
    fundSource !== 'unsettled' &&
    fundSource !== 'available'
  )
    throw new InputError("fundSource must be 'unsettled' or 'available'");
  return { refundId: parseRefundId(e), ...(fundSource ? { fundSource: fundSource as FundSource } : {}) };
}

export interface QueueQuery {
  status?: RefundState;
  cursor?: string;
  limit: number;
}

export function parseQueue(e: Event): QueueQuery {
  const { status, cursor, limit } = e;
  const q: QueueQuery = { limit: QUEUE_LIMITS.default };
  if (status !== undefined && status !== null) {
    if (!isRefundState(status)) throw new InputError('status is not a refund status');
    q.status = status;
  }
  if (cursor !== undefined && cursor !== null) {
    if (typeof cursor !== 'string' || !OUT_REFUND_NO.test(cursor))
      throw new InputError('cursor is not a cursor from a previous page');
    q.cursor = cursor;
  }
  if (limit !== undefined && limit !== null) {
    if (!Number.isInteger(limit) || (limit as number) < 1 || (limit as number) > QUEUE_LIMITS.max)
      throw new InputError(`limit must be an integer from 1 to ${QUEUE_LIMITS.max}`);
    q.limit = limit as number;
  }
  return q;
}
