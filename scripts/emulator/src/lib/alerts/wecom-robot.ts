// The WeCom (企业微信) group-robot stand-in: POST /wecom/robot/send?key=<key> with a JSON text or markdown
// message, answered {"errcode":0,"errmsg":"ok"}; a wrong key gets 93000 (invalid webhook url), a malformed
// message 40008, markdown content over 4096 bytes 40058. Posts are recorded for GET /wecom/robot/posts.
// Faults apply to the next posts: `error` (45009, over the rate limit), `timeout` (recorded, answer after
// delayMs), `http500`.

import type { StandInReply } from './feie-printer';

export type RobotFaultMode = 'error' | 'timeout' | 'http500';

export interface RobotPost {
  msgtype: string;
  content: string;
  receivedAt: string;
  fault?: RobotFaultMode;
}

export class WecomRobotStandIn {
  private readonly posts: RobotPost[] = [];
  private readonly faults: Array<{ mode: RobotFaultMode; count: number; delayMs: number }> = [];

  constructor(
    readonly key: string,
    private readonly now: () => number = Date.now,
  ) {}

  listPosts(): RobotPost[] {
    return this.posts.map((p) => ({ ...p }));
  }

  addFault(f: unknown): { mode: RobotFaultMode; count: number } {
    const b = (typeof f === 'object' && f !== null ? f : {}) as Record<string, unknown>;
    if (!['error', 'timeout', 'http500'].includes(String(b.mode)))
      throw new Error('mode must be error, timeout or http500');
    const count = b.count === undefined ? 1 : Number(b.count);
    const delayMs = b.delayMs === undefined ? 5000 : Number(b.delayMs);
    if (!Number.isInteger(count) || count < 1 || !Number.isInteger(delayMs) || delayMs < 0)
      throw new Error('count must be a positive integer, delayMs a whole number of ms');
    const fault = { mode: b.mode as RobotFaultMode, count, delayMs };
    this.faults.push(fault);
    return fault;
  }

  handle(key: string | null, body: Buffer): StandInReply {
    const ok = (errcode: number, errmsg: string): StandInReply => ({
      status: 200,
      body: { errcode, errmsg },
    });
    if (key !== this.key) return ok(93000, 'invalid webhook url');
    let msg: { msgtype?: unknown; markdown?: { content?: unknown }; text?: { content?: unknown } };
    try {
      msg = JSON.parse(body.toString('utf8')) as typeof msg;
    } catch {
      return ok(40008, 'invalid message type');
    }
    const type = msg.msgtype;
    const content =
      type === 'markdown' ? msg.markdown?.content : type === 'text' ? msg.text?.content : undefined;
    if (typeof content !== 'string' || content === '') return ok(40008, 'invalid message type');
    if (Buffer.byteLength(content, 'utf8') > 4096) return ok(40058, 'content exceed max length');
    const f = this.faults[0];
    if (f) {
      f.count--;
      if (f.count <= 0) this.faults.shift();
      if (f.mode === 'error') return ok(45009, 'api freq out of limit');
      if (f.mode === 'http500') return { status: 500, body: { error: 'internal' } };
    }
    this.posts.push({
      msgtype: type as string,
      content,
      receivedAt: new Date(this.now()).toISOString(),
      ...(f ? { fault: f.mode } : {}),
    });
    return { ...ok(0, 'ok'), ...(f?.mode === 'timeout' ? { delayMs: f.delayMs } : {}) };
  }
}
