/**
 * One claimed attempt of WeChat's shipping-info upload: send the stored payload (unchanged on every retry),
 * then record the outcome for exactly this attempt (version + attempt number), with SHIPPING_UPLOAD_FAILING
 * in the same update the first time the upload fails for good or keeps failing.
 */
import type { OutboxEntry } from '../../orders/records';
import type { FulfilmentDeps } from '../deps';
import type { ShippingUpload } from '../records';
import { judgeUploadFailure } from '../retry';
import { ShippingApiError } from '../shipping-port';
import { recordUploadOutcome } from '../store';

export type AttemptResult = 'uploaded' | 'deferred' | 'failed' | 'superseded';

/** `upload` is the state after the claim (its `attempts` is this attempt's number). */
export async function attemptUpload(
  deps: FulfilmentDeps,
  order: { _id: string; totalFee: number; transactionId?: string },
  upload: ShippingUpload,
): Promise<{ result: AttemptResult; upload: ShippingUpload }> {
  const { settings, clock, log } = deps;
  const claim = { version: upload.version, attempts: upload.attempts };
  let failure: ShippingApiError | undefined;
  try {
    await deps.shipping.uploadShippingInfo(upload.payload);
  } catch (err) {
    failure =
      err instanceof ShippingApiError
        ? err
        : new ShippingApiError(undefined, String((err as Error)?.message ?? err));
  }
  const now = clock.now();
  const verdict = failure
    ? judgeUploadFailure(failure.errcode, failure.message, upload.attempts, settings)
    : ({ kind: 'done' } as const);
  if (verdict.kind === 'done') {
    const patch = { status: 'UPLOADED' as const, uploadedAt: now };
    const won = await recordUploadOutcome(deps.db, order._id, claim, 'SUCCEED', patch, {
      checkAt: now + settings.receiptCheckMs,
    });
    log.info('shipping_uploaded', {
      outTradeNo: order._id,
      version: upload.version,
      attempts: upload.attempts,
      recorded: won,
    });
    return { result: won ? 'uploaded' : 'superseded', upload: { ...upload, ...patch } };
  }
  const alerting =
    !upload.failingAlerted && (verdict.kind === 'fail' || upload.attempts >= settings.failingAfterAttempts);
  const alert: OutboxEntry | undefined = alerting
    ? {
        id: `SHIPPING_UPLOAD_FAILING:${order._id}`,
        kind: 'SHIPPING_UPLOAD_FAILING',
        at: now,
        outTradeNo: order._id,
        totalFee: order.totalFee,
        ...(order.transactionId ? { transactionId: order.transactionId } : {}),
        detail: `attempt ${upload.attempts}: ${verdict.error}`,
      }
    : undefined;
  const patch =
    verdict.kind === 'fail'
      ? { status: 'FAILED' as const, lastError: verdict.error }
      : { status: 'PENDING' as const, lastError: verdict.error, nextAttemptAt: now + verdict.waitMs };
  const won = await recordUploadOutcome(
    deps.db,
    order._id,
    claim,
    verdict.kind === 'fail' ? 'FAIL' : 'DEFER',
    alerting ? { ...patch, failingAlerted: true } : patch,
    { alert },
  );
  log.warn('shipping_upload_failed', {
    outTradeNo: order._id,
    version: upload.version,
    attempts: upload.attempts,
    verdict: verdict.kind,
    error: verdict.error,
    recorded: won,
  });
  return {
    result: !won ? 'superseded' : verdict.kind === 'fail' ? 'failed' : 'deferred',
    upload: { ...upload, ...patch, ...(alerting ? { failingAlerted: true } : {}) },
  };
}
