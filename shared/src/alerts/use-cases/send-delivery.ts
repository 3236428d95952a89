/**
 * One delivery, exactly as delivery-state.ts and policy.ts say: claim it (a conditional update — a run that
 * loses the claim does nothing), send or query once, record the attempt and the decision (only the claim's
 * holder can), and keep the grant ledger: a subscribe message sent uses one grant; 43101 marks the
 * template exhausted (the merchant must re-subscribe) while the delivery waits for a grant. A buyer's
 * message (channel `customer`) never touches the ledger: its 43101 is a final "no grant" (policy.ts).
 */
import { randomUUID } from 'node:crypto';
import { findOrder } from '../../orders/store';
import { nextDeliveryStatus } from '../delivery-state';
import type { AlertDeps } from '../deps';
import { customerMessage, receiptFor, robotMarkdown, subscribeMessage } from '../messages';
import { type Decision, decideQuery, decideSend, type SendOutcome } from '../policy';
import type { AlertDelivery } from '../records';
import { claimDelivery as claim, findMerchants, finishDelivery, recordGrantUse } from '../store';
import { alertRule } from '../table';

export type SendResult = 'skipped' | Decision['event'];

async function send(deps: AlertDeps, d: AlertDelivery): Promise<SendOutcome> {
  const notConfigured: SendOutcome = {
    kind: 'refused',
    retryable: false,
    message: `channel ${d.channel} is no longer configured`,
  };
  if (d.channel === 'subscribe') {
    const template = deps.settings.templates[alertRule(d.kind).template];
    if (!deps.subscribe || !template) return notConfigured;
    return deps.subscribe(
      subscribeMessage(d.facts, d.recipient, template, {
        page: deps.settings.page,
        miniprogramState: deps.settings.miniprogramState,
      }),
    );
  }
  if (d.channel === 'customer') {
    const slot = alertRule(d.kind).customer?.template;
    const template = slot ? deps.settings.templates[slot] : undefined;
    if (!deps.subscribe || !template) return notConfigured;
    return deps.subscribe(customerMessage(d.facts, d.recipient, template, deps.settings));
  }
  const shopName = (await findMerchants(deps.db)).find((m) => m._id === d.merchantId)?.name ?? '收银';
  if (d.channel === 'printer') {
    if (!deps.printer) return notConfigured;
    const order = await findOrder(deps.db, d.facts.outTradeNo);
    return deps.printer.print(receiptFor(d.facts, shopName, order, d.reprint === true));
  }
  if (!deps.robot) return notConfigured;
  return deps.robot.post(robotMarkdown(d.facts, shopName));
}

export async function sendDelivery(deps: AlertDeps, d: AlertDelivery): Promise<SendResult> {
  const { db, clock, log } = deps;
  const token = randomUUID();
  if (!(await claim(db, d, token, clock.now()))) return 'skipped';
  const claimed = nextDeliveryStatus(d.status, 'CLAIM');
  let decision: Decision;
  let op: 'send' | 'query' = 'send';
  if (claimed === 'CHECKING') {
    op = 'query';
    const acceptedAt = d.attempts.find((a) => a.result === 'accepted')?.at ?? d.createdAt;
    const outcome: SendOutcome =
      deps.printer && d.printJobId
        ? await deps.printer.queryJob(d.printJobId)
        : { kind: 'refused', retryable: true, message: 'printer not configured' };
    decision = decideQuery(outcome, acceptedAt, clock.now());
  } else {
    let outcome: SendOutcome;
    try {
      outcome = await send(deps, d);
    } catch (err) {
      // Our own failure before or while building the message: nothing was sent.
      outcome = { kind: 'refused', retryable: true, message: (err as Error).message.slice(0, 200) };
    }
    decision = decideSend(d.channel, outcome, d.sends + 1);
  }
  const now = clock.now();
  const won = await finishDelivery(
    db,
    d,
    claimed,
    token,
    decision,
    { at: now, op, ...decision.attempt },
    now,
  );
  if (won && d.channel === 'subscribe' && d.templateId && op === 'send') {
    if (decision.event === 'DELIVERED')
      await recordGrantUse(db, d.merchantId, d.recipient, d.templateId, 'used', now);
    if (decision.waitingForGrant)
      await recordGrantUse(db, d.merchantId, d.recipient, d.templateId, 'exhausted', now);
  }
  log[decision.event === 'FAIL' ? 'warn' : 'info']('alert_delivery', {
    id: d._id,
    channel: d.channel,
    op,
    result: decision.attempt.result,
    decision: decision.event,
    err_code: decision.attempt.errCode,
    recorded: won,
  });
  return decision.event;
}
