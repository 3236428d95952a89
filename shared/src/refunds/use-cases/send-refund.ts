/**
 * Hands a PROCESSING refund to WeChat (/secapi/pay/refund over mutual TLS): the stored request, the same
 * out_refund_no and amounts every time (WeChat Pay v2 notes §6), with the refund_account the merchant chose.
 * The client retries SYSTEMERROR / BIZERR_NEED_RETRY / timeouts with the byte-identical body; here:
 * - accepted → stays PROCESSING with WeChat's refund_id (acceptance is not success, §6);
 * - outcome unknown (still SYSTEMERROR, timeout, bad signature) → stays PROCESSING for reconcile;
 * - FREQUENCY_LIMITED / INVALID_REQ_TOO_MUCH, or another refund of the order sent within the minute →
 *   deferred: not sent (or refused unprocessed), reconcile sends it when the minute has passed;
 * - a business refusal (NOTENOUGH, …), a certificate or protocol refusal → FAILED with WeChat's words and
 *   a hint, the reservation released; a merchant may retry with the same number.
 */
import { WxPayBusinessError, WxPayCertificateError, WxPayProtocolError } from '../../errors';
import { errorFields } from '../../log';
import { REFUND_TIMING, type RefundGatewayDeps } from '../deps';
import { changeLedger } from '../ledger';
import { refundEntry } from '../outbox';
import type { Refund, RefundActor, RefundFailure } from '../records';
import { REFUND_STATUS } from '../state';
import { findRefund, lastSendOfOrder, patchRefund, transitionRefund } from '../store';

export type RefundSendOutcome = 'accepted' | 'unknown' | 'deferred' | 'failed' | 'not-processing';

/** Plain next steps for the refusals a merchant can fix. */
const HINTS: Record<string, string> = {
  NOTENOUGH:
    '商户账户资金不足：可选择从可用余额退款（retry，fundSource=available），或充值后以同一退款单号重试。',
  WXPAY_CERTIFICATE: '商户API证书未配置或被拒绝：检查 WXPAY_CERT_PATH/WXPAY_KEY_PATH 后以同一退款单号重试。',
};

const DEFER_CODES = new Set(['FREQUENCY_LIMITED', 'INVALID_REQ_TOO_MUCH']);

export async function sendRefund(
  deps: RefundGatewayDeps,
  refund: Refund,
  by: RefundActor,
): Promise<{ outcome: RefundSendOutcome; refund: Refund }> {
  if (refund.status !== REFUND_STATUS.PROCESSING) return { outcome: 'not-processing', refund };
  const now = deps.clock.now();
  const last = await lastSendOfOrder(deps.db, refund.outTradeNo, refund._id, now - REFUND_TIMING.sendGapMs);
  if (last !== undefined) return defer(deps, refund, last + REFUND_TIMING.sendGapMs, 'one-minute rule');

  const sends = refund.sends + 1;
  await patchRefund(deps.db, refund, { lastSentAt: now, sends, sendAfter: 0, updatedAt: now });
  refund = { ...refund, lastSentAt: now, sends, sendAfter: 0 };
  try {
    const r = await deps.wxpay.refund(
      {
        ...refund.request,
        ...(refund.refundAccount ? { refund_account: refund.refundAccount } : {}),
      },
      { deadline: deps.deadline },
    );
    const set = { refundId: r.refund_id, nextCheckAt: now + REFUND_TIMING.firstCheckMs, checks: 0 };
    await patchRefund(deps.db, refund, set);
    deps.log.info('refund_sent', { out_refund_no: refund._id, outcome: 'accepted', by });
    return { outcome: 'accepted', refund: { ...refund, ...set } };
  } catch (err) {
    deps.log.warn('refund_sent', { out_refund_no: refund._id, by, ...errorFields(err) });
    if (err instanceof WxPayBusinessError) {
      if (DEFER_CODES.has(err.errCode))
        return defer(deps, refund, now + REFUND_TIMING.sendGapMs, err.errCode);
      if (err.errCode === 'SYSTEMERROR' || err.errCode === 'BIZERR_NEED_RETRY') return unknown(deps, refund);
      return fail(deps, refund, { code: err.errCode, message: err.errCodeDes, at: now }, by);
    }
    if (err instanceof WxPayCertificateError)
      return fail(deps, refund, { code: 'WXPAY_CERTIFICATE', message: err.message, at: now }, by);
    if (err instanceof WxPayProtocolError)
      return fail(deps, refund, { code: 'WXPAY_PROTOCOL', message: err.returnMsg, at: now }, by);
    return unknown(deps, refund);
  }
}

async function defer(
  deps: RefundGatewayDeps,
  refund: Refund,
  at: number,
  why: string,
): Promise<{ outcome: RefundSendOutcome; refund: Refund }> {
  await patchRefund(deps.db, refund, { sendAfter: at, nextCheckAt: at });
  deps.log.info('refund_deferred', { out_refund_no: refund._id, until: at, why });
  return { outcome: 'deferred', refund: { ...refund, sendAfter: at, nextCheckAt: at } };
}

async function unknown(
  deps: RefundGatewayDeps,
  refund: Refund,
): Promise<{ outcome: RefundSendOutcome; refund: Refund }> {
  const nextCheckAt = deps.clock.now() + REFUND_TIMING.recheckMs;
  await patchRefund(deps.db, refund, { nextCheckAt });
  return { outcome: 'unknown', refund: { ...refund, nextCheckAt } };
}

/**
 * The reservation is released first, then PROCESSING → FAILED with WeChat's words and the alert. In this
 * order a merchant's retry (FAILED → PROCESSING, which reserves again) can never have its new reservation
 * taken away by this release; a crash in between leaves a PROCESSING refund that reconcile resends.
 */
async function fail(
  deps: RefundGatewayDeps,
  refund: Refund,
  failure: RefundFailure,
  by: RefundActor,
): Promise<{ outcome: RefundSendOutcome; refund: Refund }> {
  const hint = HINTS[failure.code];
  const full = hint ? { ...failure, hint } : failure;
  await changeLedger(
    deps.db,
    refund.outTradeNo,
    { kind: 'release', id: refund._id },
    { at: failure.at, by: 'reconcile', why: `refund ${refund._id} failed` },
  );
  const t = await transitionRefund(deps.db, refund, {
    event: 'FAIL',
    by,
    at: failure.at,
    why: `WeChat refused: ${failure.code} ${failure.message}`.trim(),
    set: { failure: full, nextCheckAt: 0 },
    outbox: [
      refundEntry('REFUND_FAILED', refund, failure.at, {
        occurrence: refund.sends,
        detail: `${failure.code}: ${failure.message}`,
      }),
    ],
  });
  if (!t.changed) return { outcome: 'failed', refund: (await findRefund(deps.db, refund._id)) ?? refund };
  return { outcome: 'failed', refund: t.refund };
}
