/**
 * The Feie (飞鹅云) open API as a PrinterPort: `POST /Api/Open/`, form fields `user`, `stime` (Unix
 * SECONDS — the vendor's own WeChat demo sends milliseconds, which is a known trap), `sig` =
 * sha1(user + UKEY + stime) in lower-case hex, `apiname`. Open_printMsg (`sn`, `content`, `times`) answers
 * `{"ret":0,"msg":"ok","data":"<job id>"}`; Open_queryOrderState (`orderid`) answers `data: true|false`
 * (printed or not). A non-zero `ret` is a refusal (nothing was queued).
 */
import { createHash } from 'node:crypto';
import type { SendOutcome } from './policy';
import type { PrinterPort } from './printer-port';
import { AlertTransportError, type HttpPost, httpPost } from './transport';

export interface FeieAccount {
  url: string;
  user: string;
  /** The account's UKEY: a secret, only ever hashed into `sig`. */
  readonly ukey: string;
  sn: string;
  copies: number;
  timeoutMs: number;
}

export function feieSignature(user: string, ukey: string, stime: string): string {
  return createHash('sha1')
    .update(user + ukey + stime)
    .digest('hex');
}

export function feieForm(
  account: Pick<FeieAccount, 'user' | 'ukey'>,
  apiname: string,
  fields: Record<string, string>,
  nowMs: number,
): string {
  const stime = String(Math.floor(nowMs / 1000));
  return new URLSearchParams({
    user: account.user,
    stime,
    sig: feieSignature(account.user, account.ukey, stime),
    apiname,
    ...fields,
  }).toString();
}

interface FeieAnswer {
  ret: number;
  msg: string;
  data: unknown;
}

function parseAnswer(text: string): FeieAnswer | undefined {
  try {
    const a = JSON.parse(text) as Partial<FeieAnswer>;
    return typeof a.ret === 'number' ? { ret: a.ret, msg: String(a.msg ?? ''), data: a.data } : undefined;
  } catch {
    return undefined;
  }
}

export function feiePrinter(
  account: FeieAccount,
  deps: { post?: HttpPost; now?: () => number } = {},
): PrinterPort {
  const post = deps.post ?? httpPost;
  const now = deps.now ?? Date.now;
  const call = async (apiname: string, fields: Record<string, string>) => {
    const answer = await post({
      url: account.url,
      body: feieForm(account, apiname, fields, now()),
      contentType: 'application/x-www-form-urlencoded',
      timeoutMs: account.timeoutMs,
    });
    return { status: answer.status, parsed: parseAnswer(answer.text) };
  };
  const failed = (err: unknown) => {
    if (!(err instanceof AlertTransportError)) throw err;
    // Not sent at all: safe to send again later. Timeout / lost mid-way: outcome unknown.
    return err.kind === 'unreachable'
      ? { kind: 'refused' as const, retryable: true, message: err.message }
      : { kind: 'timeout' as const, message: err.message };
  };
  return {
    id: account.sn,
    async print(content) {
      try {
        const { status, parsed } = await call('Open_printMsg', {
          sn: account.sn,
          content,
          times: String(account.copies),
        });
        if (status >= 500) return { kind: 'refused', retryable: true, message: `HTTP ${status}` };
        if (!parsed) {
          return status >= 400
            ? { kind: 'refused', retryable: false, message: `HTTP ${status}` }
            : { kind: 'timeout', message: `unreadable answer (HTTP ${status})` };
        }
        if (parsed.ret !== 0)
          return { kind: 'refused', retryable: true, errCode: parsed.ret, message: parsed.msg.slice(0, 200) };
        if (typeof parsed.data !== 'string' || parsed.data === '')
          return { kind: 'timeout', message: 'accepted without a job id' };
        return { kind: 'accepted', jobId: parsed.data };
      } catch (err) {
        return failed(err);
      }
    },
    async queryJob(jobId) {
      try {
        const { status, parsed } = await call('Open_queryOrderState', { orderid: jobId });
        if (!parsed) return { kind: 'refused', retryable: true, message: `HTTP ${status}` };
        if (parsed.ret !== 0)
          return { kind: 'refused', retryable: true, errCode: parsed.ret, message: parsed.msg.slice(0, 200) };
        return parsed.data === true ? { kind: 'printed' } : { kind: 'not-printed' };
      } catch (err) {
        return failed(err) as SendOutcome & { kind: 'refused' | 'timeout' };
      }
    },
  };
}
