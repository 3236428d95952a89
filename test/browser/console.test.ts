/**
 * The emulator console driven in headless Chromium (Debian's chromium, driven by playwright-core): the page is
 * served by the emulator of the end-to-end stack (test/support/stack.ts: emulator + sandbox, manual sandbox
 * clock) and everything is done by clicking, as a developer would. Each step waits for the page to change
 * by itself — the console follows the stack over its event stream (GET /events); a marker set on `window`
 * proves the page was never reloaded.
 *
 * The stack loads orderAlert (`alerts: true`): a paid order reaches the merchant's phone as a subscribe
 * message, a receipt on the Feie printer stand-in and a WeCom robot post.
 *
 * Screenshots of the main screens are taken on the way: into a temporary directory, or into docs/console/
 * with UPDATE_SCREENSHOTS=1 (how the committed ones were made).
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { paperColumns, RECEIPT_COLUMNS } from '../../scripts/console/app/receipt';
import { startEmulator } from '../../scripts/emulator/src/index';
import { REPO_ROOT } from '../support/paths';
import { startTestStack, type TestStack } from '../support/stack';
import { CHROMIUM_ARGS, CHROMIUM_PATH, chromiumInstalled } from './support/chromium';

const MINUTE = 60_000;
const WAIT = { timeout: 15_000 };
const MERCHANT = 'o-demo-merchant-owner';
/** The order created and paid from the console in the second test (its phone, refund and shipment follow it). */
let paidId = '';

let s: TestStack;
let browser: BrowserContext;
let page: Page;
let profile: string;
const shotsDir =
  process.env.UPDATE_SCREENSHOTS === '1'
    ? path.join(REPO_ROOT, 'docs/console')
    : mkdtempSync(path.join(os.tmpdir(), 'shouyin-console-shots-'));

beforeAll(async () => {
  if (!chromiumInstalled())
    throw new Error(
      `Chromium is required here (CI=true) but missing at ${CHROMIUM_PATH}: apt-get install -y chromium`,
    );
  s = await startTestStack({ alerts: true });
  profile = mkdtempSync(path.join(os.tmpdir(), 'shouyin-chromium-'));
  // A fresh profile per run (launchPersistentContext is how playwright takes --user-data-dir).
  browser = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1280, height: 800 },
  });
  page = await browser.newPage();
  page.on('pageerror', (e) => {
    throw e;
  });
  await page.goto(`${s.emulator.baseUrl}/`);
  await page.evaluate('window.notReloaded = true');
});

afterAll(async () => {
  await browser?.close();
  await s?.stop();
  if (profile) rmSync(profile, { recursive: true, force: true });
  if (process.env.UPDATE_SCREENSHOTS !== '1') rmSync(shotsDir, { recursive: true, force: true });
});

async function shot(name: string, p: Page = page, fullPage = false): Promise<void> {
  mkdirSync(shotsDir, { recursive: true });
  await p.waitForTimeout(300); // let the last refetch paint
  await p.screenshot({ path: path.join(shotsDir, `${name}.png`), fullPage });
}

const go = (hash: string) => page.evaluate(`location.hash = ${JSON.stringify(hash)}`);

/** Creates an order from the Act panel as alice and opens its timeline; returns its out_trade_no. */
async function createFromConsole(): Promise<string> {
  await go('#/act');
  await page.getByTestId('qty-latte').fill('2');
  await page.getByTestId('create-order').click();
  const link = page.getByTestId('created-order');
  await link.waitFor(WAIT);
  const id = (await link.textContent())!.trim();
  await link.click();
  await page.getByTestId('order-status').getByText('待支付').waitFor(WAIT);
  return id;
}

const stillSamePage = () => page.evaluate('window.notReloaded === true');

// Each step may wait up to WAIT for the page to catch up (a loaded 2-core CI machine): a test gets several.
describe('the emulator console in Chromium', { timeout: 90_000 }, () => {
  it('serves the page at / (browsers) and still answers emulator.json to API clients', async () => {
    await expect.poll(() => page.getByTestId('live').textContent(), WAIT).toMatch(/实时/);
    await page.locator('[data-function="createPayment"]').waitFor(WAIT);
    const r = await fetch(`${s.emulator.baseUrl}/`);
    expect(((await r.json()) as { name: string }).name).toBe('shouyin-cloudbase-emulator');
  });

  it('creates and pays an order from the console; the timeline turns 已支付 live', async () => {
    // The merchant allows the alert templates first (WeChat's grant + orderAlert `subscribe`, from the phone panel).
    await go('#/phone');
    await page.getByTestId('subscribe-merchant').click();
    await expect
      .poll(() => page.locator('[data-section="messages"] .effect').getAttribute('class'), WAIT)
      .toBe('effect ok');
    await expect
      .poll(() => page.locator('[data-section="messages"] table').textContent(), WAIT)
      .toContain('demo-tmpl-new-order1');
    const id = await createFromConsole();
    paidId = id;
    const order = await s.order(id);
    expect(order).toMatchObject({ status: 'NOTPAY', totalFee: 3600, _openid: 'o-demo-customer-alice' });
    await expect.poll(() => page.locator('[data-section="unifiedorder"]').textContent(), WAIT).toContain(id);

    await page.getByTestId('pay-success').click();
    await page.getByTestId('order-status').getByText('已支付').waitFor(WAIT);
    expect(await stillSamePage()).toBe(true);
    await expect.poll(() => page.locator('[data-testid="history"] li').count(), WAIT).toBe(2);
    await expect
      .poll(() => page.locator('[data-testid="history"] li').nth(1).textContent(), WAIT)
      .toContain('微信通知');
    await expect
      .poll(() => page.locator('[data-section="notifications"]').textContent(), WAIT)
      .toContain('success');
    expect((await s.order(id)).status).toBe('PAID');

    await go('#/orders');
    await page.locator(`[data-order="${id}"]`).waitFor(WAIT);
    await page.getByTestId('filter-status').selectOption('PAID');
    await page.locator(`[data-order="${id}"]`).waitFor(WAIT);
    await page.getByTestId('filter-status').selectOption('NOTPAY');
    await expect.poll(() => page.locator(`[data-order="${id}"]`).count(), WAIT).toBe(0);
    await page.getByTestId('filter-status').selectOption('');
  });

  it("the merchant's phone shows the paid order's service notification, 58 mm receipt and WeCom post", async () => {
    await go('#/phone');
    const card = page.getByTestId('wx-message').filter({ hasText: paidId });
    await card.waitFor(WAIT);
    const text = (await card.textContent()) ?? '';
    for (const part of [
      '服务通知',
      'demo-tmpl-new-order',
      'character_string4',
      paidId,
      '¥36.00',
      '进入小程序查看',
    ])
      expect(text).toContain(part);
    expect(await page.locator('[data-section="messages"] .phone-bar').first().textContent()).toBe(MERCHANT);
    // The grant was used up by this message.
    await expect
      .poll(() => page.locator('[data-section="messages"] table').textContent(), WAIT)
      .toContain('demo-tmpl-new-order0');

    const receipt = page.getByTestId('receipt').filter({ has: page.locator(`[data-qr="${paidId}"]`) });
    await receipt.waitFor(WAIT);
    const lines = await receipt
      .locator('.r-line')
      .evaluateAll((els) =>
        els.map((e) => ({ text: e.textContent ?? '', size: Number(e.getAttribute('data-size')) })),
      );
    expect(lines.map((l) => l.text).join('')).toContain(`订单号：${paidId}`);
    expect(lines).toContainEqual({ text: '合计：¥36.00', size: 2 });
    expect(lines.some((l) => l.text.startsWith('拿铁'))).toBe(true);
    for (const l of lines)
      expect(
        paperColumns({ text: l.text.replace(/\u00a0/g, ''), size: l.size as 1 | 2 }),
        l.text,
      ).toBeLessThanOrEqual(RECEIPT_COLUMNS);

    const post = page.getByTestId('wecom-post').filter({ hasText: paidId });
    await post.waitFor(WAIT);
    expect(await post.textContent()).toContain('36.00');
    // Rendered as WeCom renders its markdown: no markup left as text.
    expect(await post.textContent()).not.toMatch(/<font|\*\*/);
    expect(await post.locator('.wc-warning').textContent()).toBe('已支付');
    expect(await stillSamePage()).toBe(true);
    await shot('phone', page, true);
  });

  it("the order's timeline shows its refund (settled SUCCESS from the Act panel) and its shipment, received by the buyer", async () => {
    await go(`#/orders/${paidId}`);
    await page.getByTestId('order-status').getByText('已支付').waitFor(WAIT);
    // The merchant refunds ¥1.00 (applyRefund `start` as the merchant): PROCESSING at WeChat.
    await page.getByTestId('merchant-refund').click();
    const refund = page.locator('[data-section="refunds"] [data-refund]');
    await expect.poll(() => refund.getAttribute('data-status'), WAIT).toBe('PROCESSING');
    const refundNo = (await refund.getAttribute('data-refund'))!;
    expect(await refund.textContent()).toContain('退款中');

    // WeChat settles it (the sandbox, from the Act panel); refundNotify records it.
    await go('#/act');
    const pending = page.locator(`[data-section="refund-settle"] [data-refund="${refundNo}"]`);
    await pending.waitFor(WAIT);
    await pending.getByRole('button', { name: 'SUCCESS', exact: true }).click();
    await go(`#/orders/${paidId}`);
    await expect.poll(() => refund.getAttribute('data-status'), WAIT).toBe('SUCCESS');
    expect(await refund.textContent()).toContain('退款完成');
    expect(await refund.textContent()).toContain('¥1.00');
    await page.getByTestId('order-status').getByText('部分退款').waitFor(WAIT);
    expect(await s.order(paidId)).toMatchObject({ status: 'PARTIALLY_REFUNDED' });

    // The merchant ships (fulfilOrder `ship` as o-demo-merchant-owner), the buyer confirms receipt.
    await page.getByTestId('merchant-ship').click();
    const shipment = page.getByTestId('shipment');
    await expect.poll(() => shipment.getAttribute('data-status'), WAIT).toBe('SHIPPED');
    expect(await shipment.textContent()).toContain('已发货');
    expect(await shipment.textContent()).toContain(MERCHANT);
    // The buyer confirms receipt (fulfilOrder `confirmReceipt` as the order's owner) from the Act panel.
    await go('#/act');
    await page
      .locator(`[data-section="receipt"] [data-order="${paidId}"]`)
      .getByRole('button', { name: '确认收货', exact: true })
      .click();
    await expect
      .poll(
        () => page.locator(`[data-section="receipt"] [data-order="${paidId}"] .effect`).getAttribute('class'),
        WAIT,
      )
      .toBe('effect ok');
    await go(`#/orders/${paidId}`);
    await expect.poll(() => shipment.getAttribute('data-status'), WAIT).toBe('RECEIVED');
    expect(await shipment.textContent()).toContain('已收货');
    expect(await shipment.textContent()).toContain('买家确认');
    expect((await s.order(paidId)).fulfilment).toMatchObject({ status: 'RECEIVED', receivedBy: 'customer' });
    await expect
      .poll(() => page.locator('[data-section="order-head"]').textContent(), WAIT)
      .toMatch(/部分退款.*退款完成.*已收货/);
    expect(await stillSamePage()).toBe(true);
    await shot('timeline', page, true);
  });

  it('confirm receipt in WeChat: reconcile (run from the console) reads it and the timeline shows 已收货', async () => {
    const id = await createFromConsole();
    await page.getByTestId('pay-success').click();
    await page.getByTestId('order-status').getByText('已支付').waitFor(WAIT);
    await page.getByTestId('merchant-ship').click();
    const shipment = page.getByTestId('shipment');
    await expect.poll(() => shipment.getAttribute('data-status'), WAIT).toBe('SHIPPED');
    // WeChat has the shipment once it is uploaded (the stand-in indexes payments after a delay: reconcile retries).
    await expect
      .poll(
        async () => {
          if ((await s.order(id)).fulfilment?.upload?.status !== 'UPLOADED')
            await s.emulator.fireTrigger('reconcile', 'reconcileTimer');
          return (await s.order(id)).fulfilment?.upload?.status;
        },
        { timeout: 20_000, interval: 1000 },
      )
      .toBe('UPLOADED');
    await page.getByTestId('wechat-confirm-receipt').click();
    await expect
      .poll(() => page.locator('[data-section="order-actions"] .effect').first().getAttribute('class'), WAIT)
      .toBe('effect ok');
    expect((await s.order(id)).fulfilment?.status).toBe('SHIPPED');
    await page.waitForTimeout(1100); // SHIPPING_RECEIPT_CHECK_MS in the test stack: 1 s
    await go('#/act');
    await page.getByTestId('reconcile').click();
    await go(`#/orders/${id}`);
    await expect.poll(() => shipment.getAttribute('data-status'), WAIT).toBe('RECEIVED');
    expect(await shipment.textContent()).toContain('微信确认');
    expect((await s.order(id)).fulfilment).toMatchObject({ status: 'RECEIVED', receivedBy: 'wechat' });
  });

  it('lists orders as they are created elsewhere and filters them by customer', async () => {
    await go('#/orders');
    await page.locator('[data-order]').first().waitFor(WAIT);
    const before = await page.locator('[data-order]').count();
    const bob = await s.create('o-demo-customer-bob', [{ productId: 'croissant', quantity: 3 }]);
    await page.locator(`[data-order="${bob.outTradeNo}"]`).waitFor(WAIT);
    expect(await page.locator('[data-order]').count()).toBe(before + 1);
    await page.getByTestId('filter-customer').selectOption('o-demo-customer-bob');
    await expect.poll(() => page.locator('[data-order]').count(), WAIT).toBe(1);
    await page.getByTestId('filter-customer').selectOption('');
    await expect.poll(() => page.locator('[data-order]').count(), WAIT).toBe(before + 1);
  });

  it('a delayed notification arrives when the sandbox clock is advanced from the console', async () => {
    const id = await createFromConsole();
    await go('#/act');
    await page.getByRole('button', { name: /Delay next by 10 min/ }).click();
    await expect.poll(() => page.locator('[data-section="faults"] .effect.ok').count(), WAIT).toBe(1);
    await page.locator(`[data-section="payer"] [data-order="${id}"] button`, { hasText: '支付' }).click();
    await go(`#/orders/${id}`);
    await expect
      .poll(
        () => page.locator('[data-section="notifications"] [data-state]').getAttribute('data-state'),
        WAIT,
      )
      .toBe('pending');
    expect((await s.order(id)).status).toBe('NOTPAY');

    await go('#/act');
    await shot('act');
    await page.getByTestId('advance-15m').click();
    await go(`#/orders/${id}`);
    await page.getByTestId('order-status').getByText('已支付').waitFor(WAIT);
    expect((await s.order(id)).status).toBe('PAID');
  });

  it('a lost notification is settled by reconcile run from the console', async () => {
    const id = await createFromConsole();
    await go('#/act');
    await page.getByTestId('drop-notify').click();
    await expect.poll(() => page.locator('[data-section="faults"] .effect.ok').count(), WAIT).toBe(1);
    await page.locator(`[data-section="payer"] [data-order="${id}"] button`, { hasText: '支付' }).click();
    await page.getByTestId('advance-15m').click();
    await go(`#/orders/${id}`);
    await expect
      .poll(
        () => page.locator('[data-section="notifications"] [data-state]').getAttribute('data-state'),
        WAIT,
      )
      .toBe('dropped');
    await expect.poll(() => page.getByTestId('order-status').textContent(), WAIT).toMatch('待支付');

    // Functions run on real time (only the sandbox's clock is virtual) and reconcile leaves orders younger than
    // 2 minutes to their notification: make the order 3 minutes old (test set-up, as test/reconcile.test.ts does).
    await s.patchOrder(id, { createdAt: Date.now() - 3 * MINUTE, nextCheckAt: Date.now() - MINUTE });
    await go('#/act');
    await page.getByTestId('reconcile').click();
    await go(`#/orders/${id}`);
    await page.getByTestId('order-status').getByText('已支付').waitFor(WAIT);
    await expect
      .poll(() => page.locator('[data-testid="history"] li').nth(1).textContent(), WAIT)
      .toContain('对账');
    expect(await s.order(id)).toMatchObject({ status: 'PAID' });
    expect(await stillSamePage()).toBe(true);
  });

  it('a refund WeChat closes (REFUNDCLOSE, from the Act panel) shows 退款关闭 on the timeline', async () => {
    const paid = (await s.orders()).find((o) => o.status === 'PAID' && o._id !== paidId)!;
    await go(`#/orders/${paid._id}`);
    await page.getByTestId('merchant-refund').click();
    const refund = page.locator('[data-section="refunds"] [data-refund]');
    await expect.poll(() => refund.getAttribute('data-status'), WAIT).toBe('PROCESSING');
    const refundNo = (await refund.getAttribute('data-refund'))!;
    await go('#/act');
    const section = page.locator('[data-section="refund-settle"]');
    await section.locator(`[data-refund="${refundNo}"]`).getByRole('button', { name: 'REFUNDCLOSE' }).click();
    await expect.poll(() => section.textContent(), WAIT).toContain('没有处理中的退款');
    expect(await s.sandbox.control.listRefunds({ outRefundNo: refundNo })).toMatchObject([
      { status: 'REFUNDCLOSE', refundFee: 100 },
    ]);
    await go(`#/orders/${paid._id}`);
    await expect.poll(() => refund.getAttribute('data-status'), WAIT).toBe('CLOSED');
    expect(await refund.textContent()).toContain('退款关闭');
    // Nothing was refunded: the order is paid in full again.
    await page.getByTestId('order-status').getByText('已支付').waitFor(WAIT);
    expect(await s.order(paid._id)).toMatchObject({ status: 'PAID' });
  });

  it('edits a product price (integer fen only); orders stay read-only', async () => {
    await go('#/db/products');
    await page.locator('details.doc summary', { hasText: 'americano' }).click();
    const editor = page.getByTestId('edit-americano');
    const doc = JSON.parse(await editor.inputValue()) as Record<string, unknown>;
    await editor.fill(JSON.stringify({ ...doc, priceFee: 15.5 }));
    await page.getByTestId('save-americano').click();
    await expect
      .poll(() => page.locator('[data-section="documents"] .effect.fail').textContent(), WAIT)
      .toContain('integer');
    expect(await s.emulator.db.collection('products').get('americano')).toMatchObject({ priceFee: 1500 });

    await editor.fill(JSON.stringify({ ...doc, priceFee: 1600 }));
    await page.getByTestId('save-americano').click();
    await expect.poll(() => page.locator('[data-section="documents"] .effect.ok').count(), WAIT).toBe(1);
    expect(await s.emulator.db.collection('products').get('americano')).toMatchObject({ priceFee: 1600 });
    await shot('database');

    await go('#/db/orders');
    await page.locator('details.doc').first().waitFor(WAIT);
    await expect.poll(() => page.locator('[data-section="documents"] textarea').count(), WAIT).toBe(0);
    const put = await fetch(`${s.emulator.baseUrl}/db/orders/x`, { method: 'PUT', body: '{}' });
    expect(put.status).toBe(403);
  });

  it('shows invocations with their answers, never the API key; grants appear live on the phone', async () => {
    await go('#/invocations/createPayment');
    const first = page.locator('details.inv').first();
    await first.waitFor(WAIT);
    await first.locator('summary').click();
    await expect.poll(() => first.textContent(), WAIT).toContain('"outTradeNo"');
    await expect.poll(() => first.textContent(), WAIT).toContain('DB');
    await shot('invocations');
    for (const hash of ['#/overview', '#/invocations', '#/act', '#/phone']) {
      await go(hash);
      await page.waitForTimeout(300);
      expect(await page.content()).not.toContain(s.merchant.apiKey);
    }
    // The user accepting subscriptions (the emulator's control call) shows up live as grants left.
    await fetch(`${s.emulator.baseUrl}/control/subscriptions`, {
      method: 'POST',
      body: JSON.stringify({ openid: 'o-demo-merchant-owner', templateId: 'TPL-ORDER-PAID', count: 2 }),
    });
    await expect
      .poll(() => page.locator('[data-section="messages"] table').textContent(), WAIT)
      .toContain('o-demo-merchant-ownerTPL-ORDER-PAID2');
    await go('#/orders');
    await page.locator('[data-order]').first().waitFor(WAIT);
    await shot('orders');
    await go('#/overview');
    await expect.poll(() => page.getByTestId('calls-createPayment').textContent(), WAIT).not.toBe('0');
    await shot('overview');
  });

  it('is usable on a phone-sized window', async () => {
    const phone = await browser.newPage();
    await phone.setViewportSize({ width: 390, height: 844 });
    try {
      const overflow = () => phone.evaluate('document.documentElement.scrollWidth - window.innerWidth');
      // The order with a refund and a shipment, then the merchant phone with its message, receipt and post.
      await phone.goto(`${s.emulator.baseUrl}/#/orders/${paidId}`);
      await phone.getByTestId('shipment').waitFor(WAIT);
      expect(await overflow()).toBeLessThanOrEqual(0);
      await shot('phone-timeline', phone);
      await phone.evaluate('location.hash = "#/phone"');
      await phone.getByTestId('receipt').first().waitFor(WAIT);
      await phone.getByTestId('wx-message').first().waitFor(WAIT);
      expect(await overflow()).toBeLessThanOrEqual(0);
    } finally {
      await phone.close();
    }
  });
});

describe('the merchant phone', { timeout: 90_000 }, () => {
  it('renders a subscribe message a function sent, like a WeChat service notification, as it arrives', async () => {
    // The emulator's fixture repository: its `sample` function sends subscribe messages through the SDK stand-in.
    const emu = await startEmulator({
      repoRoot: path.join(REPO_ROOT, 'scripts/emulator/test-fixtures'),
      runTimers: false,
      consoleDir: path.join(REPO_ROOT, 'scripts/console/dist'),
    });
    const phone = await browser.newPage();
    try {
      await phone.goto(`${emu.baseUrl}/#/phone`);
      await phone.getByTestId('no-messages').waitFor(WAIT);
      const tpl = 'tplOrderPaid0000000001';
      emu.grantSubscription('o-demo-merchant-owner', tpl, 2);
      const data = {
        thing1: { value: '拿铁咖啡 ×2' },
        amount2: { value: '¥36.00' },
        character_string3: { value: 'SY20261205184016T7AWJ0X6MDJ2' },
      };
      const sent = (await emu.invoke('sample', {
        action: 'send',
        touser: 'o-demo-merchant-owner',
        templateId: tpl,
        data,
      })) as {
        result: { ok: boolean };
      };
      expect(sent.result.ok).toBe(true);
      const card = phone.getByTestId('wx-message');
      await card.waitFor(WAIT);
      const text = (await card.textContent()) ?? '';
      for (const part of [
        tpl,
        'thing1',
        '拿铁咖啡 ×2',
        '¥36.00',
        'SY20261205184016T7AWJ0X6MDJ2',
        'pages/order/detail?id=1',
      ])
        expect(text).toContain(part);
      await expect
        .poll(() => phone.locator('[data-section="messages"] table').textContent(), WAIT)
        .toContain('1');
    } finally {
      await phone.close();
      await emu.stop();
    }
  });
});
