/**
 * Fault injection. A fault targets one API endpoint ('*' = any) or notifications ('pay-notify',
 * 'refund-notify', 'notify' = both), and fires either for the next `count` matching events or with a
 * `probability` on each. Faults are test setup: kept in memory only, cleared by reset/clearFaults.
 *
 * API faults (checked after the request's signature verified, so error answers can be signed):
 *   SYSTEMERROR | BIZERR_NEED_RETRY | FREQUENCY_LIMITED — a signed result_code=FAIL answer;
 *   hang  — no answer: the connection stays open `hangMs` (real ms, default 60 000), then is destroyed;
 *   reset — the TCP connection is reset without an answer;
 *   badsign — the real answer with a wrong `sign`.
 *   With `afterProcessing: true` the request is carried out first (an order created, a refund accepted)
 *   and the fault replaces the answer: "the call failed but WeChat did it", the double-refund trap.
 * Notification faults (decided when the notification is created):
 *   drop — never delivered (no attempt at all); duplicate — delivered twice (a second, byte-identical
 *   notification with its own retries starts when the first one's first attempt ends); delay — the first
 *   attempt waits `delayMs` (virtual, default 60 000); reorder — held back until another notification's
 *   first attempt has ended (or `reorderHoldMs` passed), so a later event overtakes it.
 */
import { randomUUID } from 'node:crypto';
import { InputError } from '@shouyin/shared';

export const API_ENDPOINTS = ['unifiedorder', 'orderquery', 'closeorder', 'refund', 'refundquery'] as const;
export type ApiEndpointName = (typeof API_ENDPOINTS)[number];
export const API_FAULTS = [
  'SYSTEMERROR',
  'BIZERR_NEED_RETRY',
  'FREQUENCY_LIMITED',
  'hang',
  'reset',
  'badsign',
] as const;
export type ApiFaultKind = (typeof API_FAULTS)[number];
export const NOTIFY_FAULTS = ['drop', 'duplicate', 'delay', 'reorder'] as const;
export type NotifyFaultKind = (typeof NOTIFY_FAULTS)[number];
export type NotifyTarget = 'pay-notify' | 'refund-notify';

export interface FaultSpec {
  target: ApiEndpointName | '*' | NotifyTarget | 'notify';
  kind: ApiFaultKind | NotifyFaultKind;
  /** Fire on the next N matching events (default 1 when no probability is given). */
  count?: number;
  /** Fire on each matching event with this probability (0..1), until cleared. */
  probability?: number;
  afterProcessing?: boolean;
  hangMs?: number;
  delayMs?: number;
}

export interface Fault extends FaultSpec {
  id: string;
  /** Events it has fired on so far. */
  fired: number;
}

const isApiTarget = (t: string) => t === '*' || (API_ENDPOINTS as readonly string[]).includes(t);
const isNotifyTarget = (t: string) => t === 'notify' || t === 'pay-notify' || t === 'refund-notify';

export class Faults {
  private list: Fault[] = [];

  constructor(private readonly random: () => number = Math.random) {}

  inject(spec: FaultSpec): Fault {
    const { target, kind } = spec;
    if (isApiTarget(target)) {
      if (!(API_FAULTS as readonly string[]).includes(kind))
        throw new InputError(`fault kind ${kind} does not apply to ${target}`);
    } else if (isNotifyTarget(target)) {
      if (!(NOTIFY_FAULTS as readonly string[]).includes(kind))
        throw new InputError(`fault kind ${kind} does not apply to ${target}`);
    } else {
      throw new InputError(`unknown fault target ${String(target)}`);
    }
    if (spec.count !== undefined && spec.probability !== undefined)
      throw new InputError('give count or probability, not both');
    if (spec.count !== undefined && !(Number.isSafeInteger(spec.count) && spec.count > 0))
      throw new InputError('count must be a positive integer');
    if (spec.probability !== undefined && !(spec.probability >= 0 && spec.probability <= 1))
      throw new InputError('probability must be within 0..1');
    for (const k of ['hangMs', 'delayMs'] as const) {
      const v = spec[k];
      if (v !== undefined && !(Number.isFinite(v) && v >= 0))
        throw new InputError(`${k} must be a non-negative number`);
    }
    const fault: Fault = {
      target,
      kind,
      ...(spec.probability === undefined ? { count: spec.count ?? 1 } : { probability: spec.probability }),
      ...(spec.afterProcessing ? { afterProcessing: true } : {}),
      ...(spec.hangMs !== undefined ? { hangMs: spec.hangMs } : {}),
      ...(spec.delayMs !== undefined ? { delayMs: spec.delayMs } : {}),
      id: randomUUID(),
      fired: 0,
    };
    this.list.push(fault);
    return { ...fault };
  }

  clear(): void {
    this.list = [];
  }

  all(): Fault[] {
    return this.list.map((f) => ({ ...f }));
  }

  /** The first fault that fires for an API call to `endpoint`, consuming one of its count. */
  takeApi(endpoint: ApiEndpointName): Fault | undefined {
    return this.take((f) => f.target === '*' || f.target === endpoint);
  }

  takeNotify(target: NotifyTarget): Fault | undefined {
    return this.take((f) => f.target === 'notify' || f.target === target);
  }

  private take(match: (f: Fault) => boolean): Fault | undefined {
    for (const f of this.list) {
      if (!match(f)) continue;
      if (f.count !== undefined) {
        f.fired += 1;
        if (f.fired >= f.count) this.list = this.list.filter((x) => x !== f);
        return { ...f };
      }
      if (this.random() < (f.probability ?? 0)) {
        f.fired += 1;
        return { ...f };
      }
    }
    return undefined;
  }
}
