/** `resume {outTradeNo}`: pay one of the caller's own unpaid orders (live prepay_id, or an identical re-entry). */
import type { PaymentStart } from '../../api';
import type { PaymentDeps } from '../deps';
import { findOwnOrder, type OrderRef } from './own-order';
import { startPayment } from './start-payment';

export { parseOrderRef as parseResumePayment } from './own-order';

export async function resumePayment(deps: PaymentDeps, openid: string, ref: OrderRef): Promise<PaymentStart> {
  return startPayment(deps, await findOwnOrder(deps.db, openid, ref.outTradeNo), 'customer');
}
