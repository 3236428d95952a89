/**
 * subscribeMessage.send (云调用, from orderAlert, whose config.json grants the permission) as a sender of
 * policy.ts outcomes. The call itself is injected (`cloud.openapi.subscribeMessage.send`), so this module
 * never imports a cloud SDK. WeChat's answers (Merchant-ops notes §2): 43101 = no grant left (the
 * user refused or used up the one-time grants); 47003 = bad data (the errmsg names the key); 40003 bad
 * touser; 40037 bad template; 41030 bad page; -1 system busy and 45009 rate limit are worth retrying. An
 * error without an errCode (the SDK's own network failure) or our timeout is an unknown outcome.
 */
import type { SendOutcome } from './policy';

export interface SubscribeMessageData {
  touser: string;
  templateId: string;
  page?: string;
  data: Record<string, { value: string }>;
  miniprogramState?: 'developer' | 'trial' | 'formal';
  lang?: 'zh_CN';
}

export type SubscribeSend = (data: SubscribeMessageData) => Promise<unknown>;
export type SubscribeSender = (
  data: SubscribeMessageData,
) => Promise<Extract<SendOutcome, { kind: 'delivered' | 'no-grant' | 'refused' | 'timeout' }>>;

const RETRYABLE = new Set([-1, 45009]);

export function subscribeSender(send: SubscribeSend, timeoutMs: number): SubscribeSender {
  return async (data) => {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), timeoutMs);
    });
    try {
      const r = await Promise.race([send(data).then(() => 'ok' as const), timeout]);
      return r === 'ok'
        ? { kind: 'delivered' }
        : { kind: 'timeout', message: `no answer within ${timeoutMs} ms` };
    } catch (err) {
      const e = err as { errCode?: unknown; errMsg?: unknown; message?: unknown };
      const message = String(e.errMsg ?? e.message ?? 'error').slice(0, 200);
      if (typeof e.errCode !== 'number') return { kind: 'timeout', message };
      if (e.errCode === 43101) return { kind: 'no-grant', errCode: 43101, message };
      return { kind: 'refused', retryable: RETRYABLE.has(e.errCode), errCode: e.errCode, message };
    } finally {
      clearTimeout(timer);
    }
  };
}
