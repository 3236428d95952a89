// The Feie (飞鹅云) cloud printer stand-in, at the same path as Feie's open API (POST …/Api/Open/, form
// encoded): it checks the account, the signature sig = sha1(user + UKEY + stime) and the stime window
// (stime in Unix SECONDS: a millisecond stime — the vendor WeChat demo's mistake — is refused), stores each
// Open_printMsg job rendered as text, answers like Feie ({"ret":0,"msg":"ok","data":"<job id>"}), and
// answers Open_queryOrderState (data true = printed). Faults, like the sandbox's, apply to the next print
// requests: `error` (non-zero ret, nothing queued), `timeout` (the job is queued and printed, the answer
// comes after `delayMs`), `never-print` (accepted, never printed: queryOrderState stays false).
// Where Feie's documentation is silent (exact ret codes, the stime window), the stricter choice is taken
// and listed in docs/emulator.md.

import { createHash, randomBytes } from 'node:crypto';

export interface FeieAccountInfo {
  user: string;
  ukey: string;
  sn: string;
}

export type PrinterFaultMode = 'error' | 'timeout' | 'never-print';

export interface PrinterFault {
  mode: PrinterFaultMode;
  /** How many print requests it applies to (default 1). */
  count?: number;
  /** timeout: how long the answer is held (default 5000 ms). */
  delayMs?: number;
}

export interface PrintJob {
  id: string;
  sn: string;
  content: string;
  /** The receipt as the printer prints it. */
  text: string;
  times: number;
  printed: boolean;
  receivedAt: string;
  fault?: PrinterFaultMode;
}

export interface StandInReply {
  status: number;
  body: unknown;
  /** Hold the answer this long (a timeout fault). */
  delayMs?: number;
}

/** The stime window (seconds either side of the stand-in's clock). Unconfirmed: strict. */
export const STIME_WINDOW_S = 60;
export const MAX_CONTENT_BYTES = 5000;

const fail = (ret: number, msg: string): StandInReply => ({ status: 200, body: { msg, ret, data: null } });

/** Feie markup as printed: tags removed, <QR> shown as [QR: …], <CUT> as a cut line. */
export function renderFeieText(content: string): string {
  return content
    .replace(/<QR>(.*?)<\/QR>/g, '[QR: $1]\n')
    .replace(/<BR>/g, '\n')
    .replace(/<CUT>/g, '\n-------------- cut --------------\n')
    .replace(/<\/?(CB|B|C|L|W|BOLD|RIGHT)>/g, '')
    .replace(/<(LOGO|PLUGIN)>/g, '');
}

export class FeiePrinterStandIn {
  private readonly jobs: PrintJob[] = [];
  private readonly faults: PrinterFault[] = [];

  constructor(
    readonly account: FeieAccountInfo,
    private readonly now: () => number = Date.now,
  ) {}

  listJobs(): PrintJob[] {
    return this.jobs.map((j) => ({ ...j }));
  }

  addFault(f: unknown): PrinterFault {
    const b = (typeof f === 'object' && f !== null ? f : {}) as Record<string, unknown>;
    if (!['error', 'timeout', 'never-print'].includes(String(b.mode)))
      throw new Error('mode must be error, timeout or never-print');
    const count = b.count === undefined ? 1 : Number(b.count);
    const delayMs = b.delayMs === undefined ? 5000 : Number(b.delayMs);
    if (!Number.isInteger(count) || count < 1 || !Number.isInteger(delayMs) || delayMs < 0)
      throw new Error('count must be a positive integer, delayMs a whole number of ms');
    const fault = { mode: b.mode as PrinterFaultMode, count, delayMs };
    this.faults.push(fault);
    return fault;
  }

  clearFaults(): void {
    this.faults.length = 0;
  }

  private takeFault(): PrinterFault | undefined {
    const f = this.faults[0];
    if (!f) return undefined;
    f.count = (f.count ?? 1) - 1;
    if (f.count <= 0) this.faults.shift();
    return f;
  }

  handle(form: URLSearchParams): StandInReply {
    const user = form.get('user') ?? '';
    const stime = form.get('stime') ?? '';
    const sig = form.get('sig') ?? '';
    const apiname = form.get('apiname') ?? '';
    if (user !== this.account.user) return fail(-2, '参数错误 : 该帐号未注册.');
    if (!/^\d{10}$/.test(stime)) return fail(-2, '参数错误 : stime 必须是 10 位的秒级时间戳.');
    if (Math.abs(Number(stime) - Math.floor(this.now() / 1000)) > STIME_WINDOW_S)
      return fail(-2, '参数错误 : 请求已过期 (stime).');
    const expected = createHash('sha1')
      .update(user + this.account.ukey + stime)
      .digest('hex');
    if (sig !== expected) return fail(-2, '参数错误 : 签名错误.');
    if (apiname === 'Open_printMsg') return this.print(form);
    if (apiname === 'Open_queryOrderState') {
      const job = this.jobs.find((j) => j.id === form.get('orderid'));
      if (!job) return fail(-6, '订单不存在');
      return { status: 200, body: { msg: 'ok', ret: 0, data: job.printed, serverExecutedTime: 2 } };
    }
    return fail(-2, `参数错误 : 不支持的接口 ${apiname.slice(0, 40)}.`);
  }

  private print(form: URLSearchParams): StandInReply {
    const sn = form.get('sn') ?? '';
    const content = form.get('content') ?? '';
    const times = form.get('times') ?? '1';
    if (sn !== this.account.sn) return fail(1001, '打印机编号和用户不匹配');
    if (content === '') return fail(1002, '参数错误 : content 不能为空.');
    if (Buffer.byteLength(content, 'utf8') > MAX_CONTENT_BYTES) return fail(1002, '参数错误 : 内容过长.');
    if (!/^[1-9]$/.test(times)) return fail(1002, '参数错误 : times 无效.');
    const fault = this.takeFault();
    if (fault?.mode === 'error') return fail(-1, '服务器繁忙，请稍后再试');
    const d = new Date(this.now() + 8 * 3600_000).toISOString().replace(/\D/g, '').slice(0, 14);
    const job: PrintJob = {
      id: `${sn}_${d}_${randomBytes(5).readUInt32BE(0)}`,
      sn,
      content,
      text: renderFeieText(content),
      times: Number(times),
      printed: fault?.mode !== 'never-print',
      receivedAt: new Date(this.now()).toISOString(),
      ...(fault ? { fault: fault.mode } : {}),
    };
    this.jobs.push(job);
    return {
      status: 200,
      body: { msg: 'ok', ret: 0, data: job.id, serverExecutedTime: 6 },
      ...(fault?.mode === 'timeout' ? { delayMs: fault.delayMs ?? 5000 } : {}),
    };
  }
}
