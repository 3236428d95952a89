/** What customers and merchants see of a refund (api.ts RefundView): no outbox, no stored request. */
import type { RefundDetail, RefundView } from '../api';
import type { Refund } from './records';
import { REFUND_LABELS } from './state';

export function refundView(r: Refund): RefundView {
  const v: RefundView = {
    refundId: r._id,
    outTradeNo: r.outTradeNo,
    refundFee: r.refundFee,
    totalFee: r.totalFee,
    status: r.status,
    label: REFUND_LABELS[r.status],
    reason: r.reason,
    requestedBy: r.requestedBy,
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
  };
  if (r.rejectReason !== undefined) v.rejectReason = r.rejectReason;
  if (r.status === 'FAILED' && r.failure) {
    v.failure = { code: r.failure.code, message: r.failure.message };
    if (r.failure.hint) v.failure.hint = r.failure.hint;
  }
  if (r.status === 'PROCESSING' && r.sendAfter) v.deferredUntil = r.sendAfter;
  if (r.refundAccount !== undefined) v.refundAccount = r.refundAccount;
  if (r.refundId !== undefined) v.wechatRefundId = r.refundId;
  if (r.recvAccount !== undefined) v.recvAccount = r.recvAccount;
  return v;
}

export function refundDetail(r: Refund): RefundDetail {
  return {
    ...refundView(r),
    history: r.history.map((h) => ({ from: h.from, to: h.to, by: h.by, at: h.at, why: h.why })),
  };
}
