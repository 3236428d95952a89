/**
 * The alert chapter of the demo story: what the merchant gets for the paid order — each delivery of the
 * `alerts` log (subscribe message, receipt printer, WeCom group robot) as delivered, the grant ledger at
 * work (no grant → 43101 → the merchant taps "allow" → delivered), one receipt printed as the printer would
 * print it, and the merchant's status and feed. Driven through the same doors as the real actors: the
 * merchant console's callFunction (orderAlert with the merchant's OPENID), the emulator's stand-ins for the
 * printer and the robot, and its inspection calls for the log.
 */

import type { Timeline } from './format';
import { beijing } from './format';
import { httpJson, httpText } from './http';
import { StepFailure } from './story';
import type { Target } from './target';

const MERCHANT = 'o-demo-merchant-owner';

function expect(cond: unknown, what: string): asserts cond {
  if (!cond) throw new StepFailure(what);
}

interface Delivery {
  _id: string;
  channel: 'subscribe' | 'printer' | 'wecom';
  recipient: string;
  status: string;
  templateId?: string;
  printJobId?: string;
  attempts: Array<{ at: number; op: string; result: string; errCode?: number; jobId?: string }>;
}

async function deliveries(t: Target, outTradeNo: string): Promise<Delivery[]> {
  const where = encodeURIComponent(JSON.stringify({ 'facts.outTradeNo': outTradeNo, kind: 'ORDER_PAID' }));
  const r = await httpJson<{ data: Array<Delivery & { channel?: string }> }>(
    'GET',
    `${t.emulatorUrl}/db/alerts?where=${where}`,
  );
  // The shop's channels; the buyer's own message (channel `customer`) is not the merchant's story.
  return r.data
    .filter((d) => d.channel !== undefined && (d.channel as string) !== 'customer')
    .sort((a, b) => a.channel.localeCompare(b.channel));
}

async function merchantCall<T>(t: Target, data: object): Promise<T> {
  const r = await httpText('POST', `${t.emulatorUrl}/functions/orderAlert`, JSON.stringify({ data }), {
    'content-type': 'application/json',
    'x-wx-openid': MERCHANT,
  });
  const body = JSON.parse(r.text) as { result?: { ok: boolean; data?: T; error?: { code: string } } };
  expect(
    body.result?.ok,
    `orderAlert ${JSON.stringify(data)} answered ${body.result?.error?.code ?? r.status}`,
  );
  return body.result.data as T;
}

async function until<T>(f: () => Promise<T>, ok: (v: T) => boolean): Promise<T> {
  const end = Date.now() + 15_000;
  for (;;) {
    const v = await f();
    if (ok(v) || Date.now() > end) return v;
    await new Promise((r) => setTimeout(r, 150));
  }
}

const settled = (ds: Delivery[]) =>
  ds.length > 0 && ds.every((d) => d.status !== 'SENDING' && d.status !== 'CHECKING');

function showDeliveries(tl: Timeline, ds: Delivery[]): void {
  for (const d of ds) {
    const tries = d.attempts
      .map((a) => `${a.op === 'query' ? 'query→' : ''}${a.result}${a.errCode ? ` ${a.errCode}` : ''}`)
      .join(', ');
    tl.state(`${d.channel.padEnd(9)} → ${d.recipient}`, d.status, tries ? `(${tries})` : '');
  }
}

export async function runAlertStory(t: Target, tl: Timeline, outTradeNo: string): Promise<void> {
  // 1. Delivered right after the commit -------------------------------------------------------------------
  tl.step('orderAlert delivers the new-order alert (payNotify asked it right after its commit)');
  let ds = await until(
    () => deliveries(t, outTradeNo),
    (x) => x.length === 3 && settled(x),
  );
  expect(ds.length === 3, `one delivery per channel expected, found ${ds.length}`);
  showDeliveries(tl, ds);
  const printer = ds.find((d) => d.channel === 'printer');
  expect(printer?.printJobId, 'the printer should have accepted the receipt job');

  // 2. The grant ledger -------------------------------------------------------------------------------------
  let sub = ds.find((d) => d.channel === 'subscribe');
  if (sub?.status !== 'SENT') {
    tl.step("No subscribe grant left (43101): the merchant console asks; the owner taps 'allow'");
    tl.note('a shop only gets one-time subscriptions: each tap buys one message of that template');
    await httpJson('POST', `${t.emulatorUrl}/control/subscriptions`, {
      openid: MERCHANT,
      templateId: sub?.templateId,
      count: 1,
    });
    const r = await merchantCall<{ accepted: string[]; released: number }>(t, {
      action: 'subscribe',
      results: { [sub?.templateId ?? '']: 'accept', errMsg: 'requestSubscribeMessage:ok' },
    });
    tl.detail('subscribe', `accepted ${r.accepted.join(', ')}; ${r.released} waiting alert(s) released`);
    ds = await until(
      () => deliveries(t, outTradeNo),
      (x) => x.find((d) => d.channel === 'subscribe')?.status === 'SENT',
    );
    showDeliveries(tl, ds);
    sub = ds.find((d) => d.channel === 'subscribe');
  }
  expect(sub?.status === 'SENT', `the subscribe message should be delivered, is ${sub?.status}`);
  const msgs = await httpJson<{
    messages: Array<{ touser: string; page?: string; data: Record<string, { value: string }> }>;
  }>('GET', `${t.emulatorUrl}/messages`);
  const msg = msgs.messages.find((m) => m.data.character_string4?.value === outTradeNo);
  if (msg) {
    tl.detail(
      'message',
      Object.entries(msg.data)
        .map(([k, v]) => `${k}=${v.value}`)
        .join('  '),
    );
    tl.detail('page', msg.page ?? '');
  }

  // 3. The receipt ---------------------------------------------------------------------------------------------
  tl.step("The shop's cloud printer (Feie) prints the receipt");
  const jobs = await httpJson<{ jobs: Array<{ id: string; text: string; printed: boolean }> }>(
    'GET',
    `${t.emulatorUrl}/printer/feie/jobs`,
  );
  const job = jobs.jobs.find((j) => j.id === printer.printJobId);
  expect(job, `the printer stand-in has no job ${printer.printJobId}`);
  tl.detail('job', `${job.id} (${job.printed ? 'printed' : 'not printed yet'})`);
  tl.line();
  for (const line of job.text.trimEnd().split('\n')) tl.note(`    │ ${line}`);
  tl.line();

  // 4. The group robot ---------------------------------------------------------------------------------------
  tl.step('The shop’s WeCom group robot posts the order summary');
  const posts = await httpJson<{ posts: Array<{ content: string }> }>(
    'GET',
    `${t.emulatorUrl}/wecom/robot/posts`,
  );
  const post = posts.posts.find((p) => p.content.includes(outTradeNo));
  expect(post, 'the robot stand-in received no post for the order');
  for (const line of post.content.split('\n')) tl.note(`    ${line}`);

  // 5. Status and feed ---------------------------------------------------------------------------------------
  tl.step('The merchant console: status and the new-order feed');
  const status = await merchantCall<{
    templates: Array<{ slot: string; estimatedGrants: number; exhausted: boolean }>;
    pending: number;
    failed: number;
    resubscribe: boolean;
    lastDeliveryAt: number | null;
  }>(t, { action: 'status' });
  tl.detail(
    'grants',
    status.templates
      .map((x) => `${x.slot} ≈${x.estimatedGrants}${x.exhausted ? ' (re-subscribe)' : ''}`)
      .join(', '),
  );
  tl.detail(
    'alerts',
    `${status.pending} pending, ${status.failed} failed, last delivered ${beijing(status.lastDeliveryAt ?? undefined)}`,
  );
  const feed = await merchantCall<{
    items: Array<{ outTradeNo: string; title: string; status: string; amountFee: number | null; at: number }>;
  }>(t, { action: 'feed', limit: 3 });
  for (const i of feed.items)
    tl.detail(
      i.outTradeNo === outTradeNo ? '→ this order' : 'earlier',
      `${beijing(i.at)} ${i.title} ${i.status}`,
    );
  expect(
    feed.items.some((i) => i.outTradeNo === outTradeNo),
    'the paid order should be at the top of the merchant feed',
  );
  tl.state(
    `alerts for ${outTradeNo}`,
    'DELIVERED',
    '(message sent, receipt printed, robot posted; the print is confirmed by a job query on the next run)',
  );
}
