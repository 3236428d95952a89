// What the merchant and the buyer can do to one paid order, as buttons that show their effect: refund part of it
// and ship it (as the shop's merchant, through applyRefund / fulfilOrder with the merchant's OPENID), confirm
// receipt as the buyer (fulfilOrder `confirmReceipt` with the order owner's OPENID) or in WeChat (the
// shipping-info service stand-in; reconcile then reads it from WeChat).

import { callFunction, confirmReceiptInWeChat, type OrderDoc } from '../api';
import { Action } from '../ui';

const SHIPPABLE = ['PAID', 'PARTIALLY_REFUNDED'];
const REFUNDABLE = ['PAID', 'PARTIALLY_REFUNDED'];
/** A small partial refund (integer fen), so that the order stays shippable. */
const DEMO_REFUND_FEE = 100;

/** A function's answer, or its refusal as an error the button shows. */
export async function answerOf(
  name: string,
  data: Record<string, unknown>,
  openid: string,
): Promise<unknown> {
  const r = (await callFunction(name, data, openid)).result as {
    ok?: boolean;
    data?: unknown;
    error?: { code?: string; message?: string };
  };
  if (r.ok === false) throw new Error(`${r.error?.code ?? 'ERROR'}: ${r.error?.message ?? ''}`);
  return r.data ?? r;
}

/** The buyer confirms receipt in the mini-program: fulfilOrder `confirmReceipt` with the order owner's OPENID. */
export const confirmReceiptAsBuyer = (order: Pick<OrderDoc, '_id' | '_openid'>) =>
  answerOf('fulfilOrder', { action: 'confirmReceipt', outTradeNo: order._id }, order._openid);

export function OrderActions({ order, merchant }: { order: OrderDoc; merchant: string }) {
  const fulfilment = order.fulfilment?.status as string | undefined;
  const canShip =
    SHIPPABLE.includes(order.status) && (fulfilment === undefined || fulfilment === 'UNSHIPPED');
  const shipped = fulfilment === 'SHIPPED';
  const canRefund = REFUNDABLE.includes(order.status);
  if (!canShip && !shipped && !canRefund) return null;
  return (
    <div data-section="order-actions">
      {(canRefund || canShip) && (
        <p class="buttons">
          <span class="muted small">作为商家 as the merchant ({merchant}):</span>
          {canRefund && (
            <Action
              label="退款 ¥1.00 Refund"
              testid="merchant-refund"
              run={() =>
                answerOf(
                  'applyRefund',
                  {
                    action: 'start',
                    outTradeNo: order._id,
                    refundFee: DEMO_REFUND_FEE,
                    reason: '控制台退款',
                  },
                  merchant,
                )
              }
            />
          )}
          {canShip && (
            <Action
              label="发货（到店自提）Ship (pickup)"
              testid="merchant-ship"
              run={() =>
                answerOf('fulfilOrder', { action: 'ship', outTradeNo: order._id, logisticsType: 4 }, merchant)
              }
            />
          )}
        </p>
      )}
      {shipped && (
        <p class="buttons">
          <span class="muted small">作为买家 as the buyer ({order._openid}):</span>
          <Action
            label="确认收货 Confirm receipt"
            kind="primary"
            testid="buyer-confirm-receipt"
            run={() =>
              answerOf('fulfilOrder', { action: 'confirmReceipt', outTradeNo: order._id }, order._openid)
            }
          />
          <Action
            label="在微信中确认收货 Confirm in WeChat"
            testid="wechat-confirm-receipt"
            run={() => confirmReceiptInWeChat(order._id)}
          />
        </p>
      )}
    </div>
  );
}
