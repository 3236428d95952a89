/**
 * The customer's refund request form, checked before anything is sent: full (amount left empty) or partial
 * in yuan, never more than what is left to refund; a reason WeChat accepts as refund_desc (≤ 80
 * characters, no 4-byte characters such as emoji); one refund on its way per order at a time.
 */

import type { OrderView } from '../services/api-types';
import { parseYuan, yuan } from '../services/money';
import { isRefundable, openRefundOf } from './words';

export const REFUND_REASON_MAX = 80;
const FOUR_BYTE = /[\u{10000}-\u{10FFFF}]/u;

export interface RefundForm {
  /** Yuan as typed; empty = everything left. */
  amountText: string;
  reason: string;
}

export type RefundFormResult =
  | { ok: true; input: { outTradeNo: string; reason: string; refundFee?: number }; refundFee: number }
  | { ok: false; errors: { form?: string; amount?: string; reason?: string } };

/** What is left to refund on an order (what succeeded and what is on its way both count). */
export function refundableFee(o: OrderView): number {
  const onItsWay = (o.refunds ?? [])
    .filter((r) => r.status === 'REQUESTED' || r.status === 'PROCESSING')
    .reduce((s, r) => s + r.refundFee, 0);
  return Math.max(0, o.totalFee - o.refundedFee - onItsWay);
}

/** The refund reason rule shared by the customer's request and the merchant's start/reject. */
export function reasonError(reason: string): string | undefined {
  const r = reason.trim();
  if (r === '') return '请填写退款原因';
  if ([...r].length > REFUND_REASON_MAX) return `退款原因不能超过 ${REFUND_REASON_MAX} 个字`;
  if (FOUR_BYTE.test(r)) return '退款原因不能包含表情符号';
  return undefined;
}

/** A refund amount typed in yuan, within 0 < fen ≤ max. */
export function amountError(fee: number | undefined, max: number): string | undefined {
  if (fee === undefined) return '请输入正确的金额（最多两位小数）';
  if (fee <= 0) return '退款金额必须大于 0';
  if (fee > max) return `最多可退 ${yuan(max)}`;
  return undefined;
}

export function checkRefundRequest(order: OrderView, form: RefundForm): RefundFormResult {
  if (openRefundOf(order)) return { ok: false, errors: { form: '这笔订单已有进行中的退款' } };
  if (!isRefundable(order)) return { ok: false, errors: { form: '这笔订单当前不能申请退款' } };
  const max = refundableFee(order);
  const full = form.amountText.trim() === '';
  const fee = full ? max : parseYuan(form.amountText);
  const errors = { amount: full ? undefined : amountError(fee, max), reason: reasonError(form.reason) };
  if (errors.amount || errors.reason) {
    return {
      ok: false,
      errors: {
        ...(errors.amount ? { amount: errors.amount } : {}),
        ...(errors.reason ? { reason: errors.reason } : {}),
      },
    };
  }
  const refundFee = fee!;
  const reason = form.reason.trim();
  return {
    ok: true,
    refundFee,
    // A full refund leaves refundFee out: the server refunds what is left.
    input: full
      ? { outTradeNo: order.outTradeNo, reason }
      : { outTradeNo: order.outTradeNo, reason, refundFee },
  };
}
