/**
 * Delivers payment and refund notifications the way WeChat does (spec §4.1, §5.1): POST the XML to the
 * notify_url; an attempt succeeds only when the reply is HTTP 200 with an XML body whose return_code is
 * SUCCESS, within the attempt timeout (5 s); otherwise retry after 15s/15s/30s/3m/10m/20m/30m/30m/30m/
 * 60m/3h/3h/3h/6h/6h (virtual time, measured from the start of the previous attempt) — 16 attempts at
 * most. Every attempt (and each parallel copy) goes to the delivery log with its reply and latency.
 * Pending notifications are persisted and resume after a restart.
 */
import http from 'node:http';
import https from 'node:https';
import tls from 'node:tls';
import { parseXml } from '@shouyin/shared';
import type { VirtualClock } from './clock';
import type { Faults } from './faults';
import type { Store } from './store';
import type { DeliveryRecord, NotificationKind, NotificationRecord } from './types';

const S = 1000;
const M = 60 * S;
const H = 60 * M;
/** WeChat's retry intervals (spec §4.1): 24 h 4 min in total. */
export const WECHAT_RETRY_SCHEDULE_MS: readonly number[] = [
  15 * S,
  15 * S,
  30 * S,
  3 * M,
  10 * M,
  20 * M,
  30 * M,
  30 * M,
  30 * M,
  60 * M,
  3 * H,
  3 * H,
  3 * H,
  6 * H,
  6 * H,
];

export interface NotifierOptions {
  parallel: number;
  attemptTimeoutMs: number;
  scheduleMs: readonly number[];
  ca?: string | Buffer;
  reorderHoldMs: number;
}

export interface NotificationInput {
  kind: NotificationKind;
  mchId: string;
  url: string;
  body: string;
  outTradeNo: string;
  outRefundNo?: string;
}

const MAX_REPLY_BYTES = 64 * 1024;

export class Notifier {
  private readonly timers = new Map<string, number>();
  private readonly requests = new Set<http.ClientRequest>();
  private stopped = false;

  constructor(
    private readonly store: Store,
    private readonly clock: VirtualClock,
    private readonly faults: Faults,
    private readonly opts: NotifierOptions,
    private readonly log: (line: string) => void,
  ) {}

  /** Creates a notification (applying any notification fault) and schedules its first attempt. */
  enqueue(input: NotificationInput): NotificationRecord {
    const now = this.clock.now();
    const n: NotificationRecord = {
      id: this.store.newNotificationId(),
      ...input,
      createdAt: now,
      state: 'pending',
      attempts: 0,
      nextAt: now,
      faults: [],
    };
    const fault = this.faults.takeNotify(input.kind === 'pay' ? 'pay-notify' : 'refund-notify');
    if (fault) n.faults.push(fault.kind);
    if (fault?.kind === 'drop') {
      n.state = 'dropped';
      n.nextAt = undefined;
      this.store.putNotification(n);
      this.record(n, { attempt: 0, copy: 0, at: now, latencyMs: 0, outcome: 'dropped' });
      this.log(`notify ${n.id} ${n.kind} ${n.outTradeNo}: dropped by fault`);
      return n;
    }
    if (fault?.kind === 'delay') n.nextAt = now + (fault.delayMs ?? 60_000);
    if (fault?.kind === 'reorder') {
      n.state = 'held';
      n.nextAt = undefined;
      n.holdUntil = now + this.opts.reorderHoldMs;
    }
    this.store.putNotification(n);
    this.arm(n);
    return n;
  }

  /** Re-arms every pending or held notification (after a restart). */
  resume(): void {
    for (const n of this.store.notifications.values()) this.arm(n);
  }

  /** Forgets every scheduled attempt (reset). */
  cancelAll(): void {
    for (const t of this.timers.values()) this.clock.clearTimer(t);
    this.timers.clear();
  }

  stop(): void {
    this.stopped = true;
    this.cancelAll();
    for (const r of this.requests) r.destroy();
    this.requests.clear();
  }

  private arm(n: NotificationRecord): void {
    this.clock.clearTimer(this.timers.get(n.id));
    this.timers.delete(n.id);
    if (n.state === 'pending' && n.nextAt !== undefined) {
      this.timers.set(
        n.id,
        this.clock.setTimer(n.nextAt, () => this.attempt(n.id)),
      );
    } else if (n.state === 'held' && n.holdUntil !== undefined) {
      this.timers.set(
        n.id,
        this.clock.setTimer(n.holdUntil, () => this.release(n.id)),
      );
    }
  }

  private release(id: string): void {
    const n = this.store.notifications.get(id);
    if (n?.state !== 'held') return;
    n.state = 'pending';
    n.holdUntil = undefined;
    n.nextAt = this.clock.now();
    this.store.touch();
    this.arm(n);
  }

  private async attempt(id: string): Promise<void> {
    const n = this.store.notifications.get(id);
    this.timers.delete(id);
    if (n?.state !== 'pending' || this.stopped) return;
    n.attempts += 1;
    n.nextAt = undefined;
    const attempt = n.attempts;
    const at = this.clock.now();
    const copies = Array.from({ length: this.opts.parallel }, (_, copy) => this.post(n, attempt, copy, at));
    const ok = (await Promise.all(copies)).some(Boolean);
    if (this.stopped || this.store.notifications.get(id) !== n) return;
    if (ok) {
      n.state = 'delivered';
    } else if (attempt > this.opts.scheduleMs.length) {
      n.state = 'failed';
      this.log(`notify ${n.id} ${n.kind} ${n.outTradeNo}: gave up after ${attempt} attempts`);
    } else {
      n.nextAt = Math.max(at + this.opts.scheduleMs[attempt - 1]!, this.clock.now());
      this.arm(n);
    }
    this.store.touch();
    if (attempt === 1) this.afterFirstAttempt(n);
  }

  private afterFirstAttempt(n: NotificationRecord): void {
    if (n.faults.includes('duplicate') && !n.duplicateOf) {
      const dup: NotificationRecord = {
        ...n,
        id: this.store.newNotificationId(),
        createdAt: this.clock.now(),
        state: 'pending',
        attempts: 0,
        nextAt: this.clock.now(),
        faults: [],
        duplicateOf: n.id,
      };
      this.store.putNotification(dup);
      this.arm(dup);
    }
    // A later notification has now been sent: release the ones held back by a 'reorder' fault.
    for (const other of this.store.notifications.values()) {
      if (other.state === 'held' && other.id !== n.id) this.release(other.id);
    }
  }

  /** One POST; resolves true when the reply is a SUCCESS XML within the timeout. Never rejects. */
  private post(n: NotificationRecord, attempt: number, copy: number, at: number): Promise<boolean> {
    const started = performance.now();
    return new Promise<boolean>((resolve) => {
      let done = false;
      let req: http.ClientRequest | undefined;
      const finish = (outcome: DeliveryRecord['outcome'], extra: Partial<DeliveryRecord> = {}) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        if (req) this.requests.delete(req);
        if (this.stopped) return resolve(false); // aborted by stop(): not an attempt WeChat made
        const latencyMs = Math.round(performance.now() - started);
        this.record(n, { attempt, copy, at, latencyMs, outcome, ...extra });
        resolve(outcome === 'success');
      };
      const timer = setTimeout(() => {
        finish('timeout', { error: `no reply within ${this.opts.attemptTimeoutMs} ms` });
        req?.destroy();
      }, this.opts.attemptTimeoutMs);
      let url: URL;
      try {
        url = new URL(n.url);
      } catch {
        finish('error', { error: 'invalid notify_url' });
        return;
      }
      const body = Buffer.from(n.body, 'utf8');
      const options: https.RequestOptions = {
        method: 'POST',
        agent: false,
        headers: {
          'Content-Type': 'text/xml; charset=utf-8',
          'Content-Length': body.length,
          'User-Agent': 'Mozilla/4.0',
        },
        // Node's `ca` replaces the system roots: keep them and add the extra CA.
        ...(url.protocol === 'https:' && this.opts.ca ? { ca: [...tls.rootCertificates, this.opts.ca] } : {}),
      };
      const mod = url.protocol === 'https:' ? https : http;
      req = mod.request(url, options, (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size <= MAX_REPLY_BYTES) chunks.push(c);
        });
        res.on('error', (err) => finish('error', { httpStatus: res.statusCode, error: err.message }));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          const reply = text.length > 256 ? text.slice(0, 256) : text;
          finish(isSuccessReply(res.statusCode, text) ? 'success' : 'fail', {
            httpStatus: res.statusCode,
            reply,
          });
        });
      });
      this.requests.add(req);
      req.on('error', (err) => finish('error', { error: err.message }));
      req.end(body);
    });
  }

  private record(
    n: NotificationRecord,
    d: Pick<DeliveryRecord, 'attempt' | 'copy' | 'at' | 'latencyMs' | 'outcome'> & Partial<DeliveryRecord>,
  ): void {
    this.store.addDelivery({
      notificationId: n.id,
      kind: n.kind,
      mchId: n.mchId,
      outTradeNo: n.outTradeNo,
      ...(n.outRefundNo ? { outRefundNo: n.outRefundNo } : {}),
      url: n.url,
      time: new Date(d.at).toISOString(),
      ...d,
    });
  }
}

/** WeChat's acceptance test for a notification reply (spec §4.4, pitfall 13). */
export function isSuccessReply(status: number | undefined, body: string): boolean {
  if (status !== 200) return false;
  try {
    return parseXml(body).return_code === 'SUCCESS';
  } catch {
    return false;
  }
}
