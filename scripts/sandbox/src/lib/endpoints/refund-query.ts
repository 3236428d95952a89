/**
 * POST /pay/refundquery (spec §3.5). Lookup priority refund_id > out_refund_no > transaction_id >
 * out_trade_no. A refund-number query answers that refund; an order query answers its refunds, 10 at a
 * time from `offset` with total_refund_count when an offset is given or there are more than 10
 * (offset beyond the count → PARAM_ERROR). Per-refund fields carry the `_$n` suffix, 0-based per page.
 */
import type { WxInput } from '@shouyin/shared';
import { beijingDateTime } from '../ids';
import { fail, ok } from '../outcome';
import { findOrder } from '../refunds';
import type { RefundRecord } from '../types';
import type { Endpoint } from './endpoint';

const PAGE = 10;

export const refundQuery: Endpoint = {
  name: 'refundquery',
  path: '/pay/refundquery',
  needsCert: false,
  required: [],
  oneOf: ['refund_id', 'out_refund_no', 'transaction_id', 'out_trade_no'],
  rules: {
    refund_id: { max: 32 },
    out_refund_no: { max: 64 },
    transaction_id: { max: 32 },
    out_trade_no: { max: 32 },
    offset: { nonNegativeInt: true },
  },
  handle({ core, merchant, fields }) {
    let refunds: RefundRecord[];
    const byRefund = Boolean(fields.refund_id || fields.out_refund_no);
    if (fields.refund_id) {
      const r = core.store.refundById(merchant.mchId, fields.refund_id);
      refunds = r ? [r] : [];
    } else if (fields.out_refund_no) {
      const r = core.store.refund(merchant.mchId, fields.out_refund_no);
      refunds = r ? [r] : [];
    } else {
      const o = findOrder(core, merchant, {
        transactionId: fields.transaction_id,
        outTradeNo: fields.out_trade_no,
      });
      refunds = o ? core.store.refundsOf(merchant.mchId, o.outTradeNo) : [];
    }
    if (refunds.length === 0) return fail('REFUNDNOTEXIST', 'not exist');
    const first = refunds[0]!;
    const order = core.store.order(merchant.mchId, first.outTradeNo)!;
    let page = refunds;
    let total: number | undefined;
    if (!byRefund && (fields.offset || refunds.length > PAGE)) {
      const offset = Number(fields.offset || 0);
      if (offset >= refunds.length) return fail('PARAM_ERROR', 'offset参数错误，超过退款笔数');
      page = refunds.slice(offset, offset + PAGE);
      total = refunds.length;
    }
    const out: WxInput = {
      total_refund_count: total,
      transaction_id: order.transactionId,
      out_trade_no: order.outTradeNo,
      total_fee: order.totalFee,
      cash_fee: order.totalFee,
      fee_type: 'CNY',
      refund_fee: page.reduce((s, r) => s + r.refundFee, 0),
      refund_count: page.length,
    };
    page.forEach((r, n) => {
      out[`out_refund_no_${n}`] = r.outRefundNo;
      out[`refund_id_${n}`] = r.refundId;
      out[`refund_channel_${n}`] = 'ORIGINAL';
      out[`refund_fee_${n}`] = r.refundFee;
      out[`settlement_refund_fee_${n}`] = r.refundFee;
      out[`refund_status_${n}`] = r.status;
      out[`refund_account_${n}`] = r.refundAccount;
      out[`refund_recv_accout_${n}`] = r.recvAccount;
      if (r.status === 'SUCCESS' && r.finishedAt !== undefined)
        out[`refund_success_time_${n}`] = beijingDateTime(r.finishedAt);
    });
    return ok(out);
  },
};
