/**
 * The WeCom (企业微信) group robot: `POST <webhook URL>` with `{"msgtype":"markdown","markdown":{"content"}}`,
 * answered `{"errcode":0,"errmsg":"ok"}`. 45009 (over the robot's rate limit: 20 messages a minute) is
 * retryable; other non-zero errcodes (93000 bad key, 40008 bad message…) are not.
 */
import type { SendOutcome } from './policy';
import type { HttpPost, AlertTransportError as TransportError } from './transport';
import { AlertTransportError, httpPost } from './transport';

export interface RobotPort {
  post(markdown: string): Promise<Extract<SendOutcome, { kind: 'delivered' | 'refused' | 'timeout' }>>;
}

export function wecomRobot(
  webhook: { url: string; timeoutMs: number },
  deps: { post?: HttpPost } = {},
): RobotPort {
  const post = deps.post ?? httpPost;
  return {
    async post(markdown) {
      try {
        const a = await post({
          url: webhook.url,
          body: JSON.stringify({ msgtype: 'markdown', markdown: { content: markdown } }),
          contentType: 'application/json',
          timeoutMs: webhook.timeoutMs,
        });
        if (a.status >= 500) return { kind: 'refused', retryable: true, message: `HTTP ${a.status}` };
        let body: { errcode?: unknown; errmsg?: unknown } = {};
        try {
          body = JSON.parse(a.text) as typeof body;
        } catch {
          return { kind: 'refused', retryable: a.status >= 500, message: `HTTP ${a.status}, not JSON` };
        }
        if (body.errcode === 0) return { kind: 'delivered' };
        const code = typeof body.errcode === 'number' ? body.errcode : undefined;
        return {
          kind: 'refused',
          retryable: code === 45009 || code === -1,
          errCode: code,
          message: String(body.errmsg ?? '').slice(0, 200),
        };
      } catch (err) {
        if (!(err instanceof AlertTransportError)) throw err;
        const e: TransportError = err;
        return e.kind === 'unreachable'
          ? { kind: 'refused', retryable: true, message: e.message }
          : { kind: 'timeout', message: e.message };
      }
    },
  };
}
