// @vitest-environment jsdom
/**
 * Not part of `npm test`: `npm run shots` runs this to write each page, rendered by miniprogram-simulate
 * from its real WXML with its controller's state (fake wx, demo data), as HTML into SHOTS_HTML_DIR; the
 * script then shoots them in headless Chromium into docs/miniprogram/*.png.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';
import {
  checkoutState,
  merchantState,
  meState,
  orderState,
  ordersState,
  type PageState,
  shopState,
} from '../support/page-states';
import { type PageName, pageHtml, renderPage } from '../support/render-page';

const dir = process.env.SHOTS_HTML_DIR ?? '';

async function shot(file: string, page: PageName, s: PageState, before?: () => Promise<unknown> | unknown) {
  await s.load();
  await before?.();
  const html = pageHtml(page, renderPage(page, s.view(), s.methods));
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, `${file}.html`), html);
}

it('writes every page as HTML', async () => {
  expect(dir).not.toBe('');
  await shot('shop', 'shop', shopState());
  const paid = checkoutState();
  await shot('checkout-paid', 'checkout', paid, () => paid.checkout.pay());
  const cancelled = checkoutState();
  cancelled.wx.requestPayment.mockRejectedValueOnce({ errMsg: 'requestPayment:fail cancel' });
  await shot('checkout-cancelled', 'checkout', cancelled, () => cancelled.checkout.pay());
  await shot('orders', 'orders', ordersState());
  const order = orderState();
  await shot('order', 'order', order, () => {
    order.detail.openRefundForm();
    order.detail.editRefundForm('amountText', '50');
    return order.detail.submitRefund();
  });
  await shot('merchant', 'merchant', merchantState());
  await shot('merchant-alert', 'merchant', merchantState(undefined, true, 'SY20261205100000A1'));
  await shot('merchant-denied', 'merchant', merchantState(undefined, false));
  await shot('me', 'me', meState());
});
