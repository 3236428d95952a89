/**
 * POST /secapi/pay/refund (spec §3.4, §6), mutual TLS. The rules live in ../refunds.ts (shared with the
 * 商户平台 refunds of the control API); this file maps the request and the answer. `refund_channel` is
 * sent empty, as WeChat does, so clients must drop empty values when verifying (spec §2.1.2).
 */
import { OUT_REFUND_NO } from '@shouyin/shared';
import { fail, ok } from '../outcome';
import { requestRefund } from '../refunds';
import type { RefundAccount } from '../types';
import type { Endpoint } from './endpoint';

export const refund: Endpoint = {
  name: 'refund',
  path: '/secapi/pay/refund',
  needsCert: true,
  required: ['out_refund_no', 'total_fee', 'refund_fee'],
  oneOf: ['transaction_id', 'out_trade_no'],
  rules: {
    transaction_id: { max: 32 },
    out_trade_no: { max: 32 },
    out_refund_no: { max: 64, pattern: OUT_REFUND_NO },
    total_fee: { positiveInt: true },
    refund_fee: { positiveInt: true },
    refund_fee_type: { oneOf: ['CNY'] },
    refund_desc: { max: 80 },
    refund_account: { oneOf: ['REFUND_SOURCE_UNSETTLED_FUNDS', 'REFUND_SOURCE_RECHARGE_FUNDS'] },
    notify_url: { notifyUrl: true },
    op_user_id: { max: 32 },
  },
  handle({ core, merchant, fields }) {
    const r = requestRefund(core, merchant, {
      transactionId: fields.transaction_id || undefined,
      outTradeNo: fields.out_trade_no || undefined,
      outRefundNo: fields.out_refund_no!,
      totalFee: Number(fields.total_fee),
      refundFee: Number(fields.refund_fee),
      refundAccount: (fields.refund_account || undefined) as RefundAccount | undefined,
      notifyUrl: fields.notify_url || undefined,
      refundDesc: fields.refund_desc || undefined,
      source: 'API',
    });
    if (!r.ok) return fail(r.code, r.des);
    const v = r.value;
    return ok({
      transaction_id: v.transactionId,
      out_trade_no: v.outTradeNo,
      out_refund_no: v.outRefundNo,
      refund_id: v.refundId,
      refund_channel: '',
      refund_fee: v.refundFee,
      coupon_refund_fee: 0,
      total_fee: v.totalFee,
      cash_fee: v.totalFee,
      coupon_refund_count: 0,
      cash_refund_fee: v.refundFee,
    });
  },
};
