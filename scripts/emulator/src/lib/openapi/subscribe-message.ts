// subscribeMessage.send as WeChat answers it (CloudBase notes §3.6): field checks with WeChat's errcodes, the
// value rules per template key type (47003 naming the key), and one-shot grants: each grant — what a user's
// "allow" in wx.requestSubscribeMessage gives — lets exactly one message through; without one, 43101.
// Whether several accepts accumulate is unconfirmed (spec §3.6); the emulator accumulates them.

import { randomBytes } from 'node:crypto';

export interface SubscribeMessage {
  id: string;
  touser: string;
  templateId: string;
  page?: string;
  data: Record<string, { value: string }>;
  miniprogramState: string;
  lang: string;
  sentAt: string;
  /** Function and invocation that sent it. */
  function?: string;
  invocationId?: string;
}

export class WeChatApiError extends Error {
  override readonly name = 'WeChatApiError';
  constructor(
    readonly errcode: number,
    readonly errmsg: string,
  ) {
    super(errmsg);
  }
}

const rid = (): string => randomBytes(6).toString('hex');
const fail = (errcode: number, errmsg: string): never => {
  throw new WeChatApiError(errcode, `${errmsg} rid: ${rid()}`);
};

// ---- value rules (D-SUBSEND "订阅消息参数值内容限制说明") ---------------------------------------------------

const HAN = '\\u3400-\\u9fff';
const ASCII_SYMBOL = '\\x21-\\x2f\\x3a-\\x40\\x5b-\\x60\\x7b-\\x7e';
const DATE = '(?:\\d{4}年\\d{1,2}月\\d{1,2}日|\\d{4}[-/.]\\d{1,2}[-/.]\\d{1,2})';
const TIME = '(?:[01]?\\d|2[0-3]):[0-5]\\d(?::[0-5]\\d)?';
const timeRe = new RegExp(`^(?:${DATE}\\s*)?${TIME}$`);
const dateRe = new RegExp(`^${DATE}(?:\\s*${TIME})?$`);
const chars = (s: string): number => [...s].length;
const hasControl = (s: string): boolean => /\p{Cc}/u.test(s);
const ranged = (re: RegExp) => (v: string) => {
  const parts = v.split('~').map((p) => p.trim());
  return parts.length <= 2 && parts.every((p) => re.test(p));
};

/** Each rule returns why the value is invalid, or undefined. */
const RULES: Record<string, (v: string) => string | undefined> = {
  thing: (v) =>
    chars(v) > 20 ? 'longer than 20 characters' : hasControl(v) ? 'has control characters' : undefined,
  number: (v) =>
    !/^[+-]?\d+(?:\.\d+)?$/.test(v)
      ? 'not a number'
      : v.replace(/\D/g, '').length > 32
        ? 'more than 32 digits'
        : undefined,
  letter: (v) => (/^[A-Za-z]{1,32}$/.test(v) ? undefined : 'not 1-32 letters'),
  symbol: (v) => (/^[^\p{L}\p{N}\p{Cc}\s]{1,5}$/u.test(v) ? undefined : 'not 1-5 symbols'),
  character_string: (v) =>
    new RegExp(`^[A-Za-z0-9${ASCII_SYMBOL}]{1,32}$`).test(v)
      ? undefined
      : 'not 1-32 letters, digits or symbols',
  time: (v) => (ranged(timeRe)(v) ? undefined : 'not a 24-hour time'),
  date: (v) => (ranged(dateRe)(v) ? undefined : 'not a date'),
  // "one currency symbol + up to 10 digits, decimals allowed, may end with 元": a symbol or 元 is required.
  amount: (v) => {
    const m = /^([¥￥$€£])?(\d{1,10})(?:\.\d+)?(元)?$/.exec(v);
    return m && (m[1] || m[3]) ? undefined : 'not a currency amount';
  },
  phone_number: (v) =>
    new RegExp(`^[0-9${ASCII_SYMBOL} ]{1,17}$`).test(v) ? undefined : 'not 1-17 digits or symbols',
  car_number: (v) => {
    const cs = [...v];
    const edge = new RegExp(`^[${HAN}A-Za-z0-9]$`);
    const ok =
      cs.length >= 1 &&
      cs.length <= 8 &&
      cs.every((c, i) => (i === 0 || i === cs.length - 1 ? edge.test(c) : /^[A-Za-z0-9]$/.test(c)));
    return ok ? undefined : 'not a car number';
  },
  name: (v) => {
    if (hasControl(v) || /\d/.test(v)) return 'not a name';
    if (new RegExp(`[${HAN}]`).test(v)) return chars(v) <= 10 ? undefined : 'longer than 10 characters';
    return new RegExp(`^[A-Za-z${ASCII_SYMBOL} ]{1,20}$`).test(v) ? undefined : 'not 1-20 letters or symbols';
  },
  phrase: (v) => (new RegExp(`^[${HAN}]{1,5}$`).test(v) ? undefined : 'not 1-5 Chinese characters'),
  // The template's enum values are not known locally: any short plain value passes.
  enum: (v) => (chars(v) <= 20 && !hasControl(v) ? undefined : 'not an enum value'),
};

/** Why one data entry is invalid (for 47003), or undefined. */
export function checkDataValue(key: string, entry: unknown): string | undefined {
  const m = /^([a-z_]+?)(\d+)$/.exec(key);
  const rule = m ? RULES[m[1]!] : undefined;
  if (!rule) return `data.${key} unknown key type`;
  if (entry === null || typeof entry !== 'object' || !('value' in entry))
    return `data.${key}.value is missing`;
  const value = (entry as { value: unknown }).value;
  if (typeof value !== 'string') return `data.${key}.value must be a string`;
  if (value === '') return `data.${key}.value is empty`;
  const why = rule(value);
  return why ? `data.${key}.value ${why}` : undefined;
}

const STATES = new Set(['developer', 'trial', 'formal']);
const LANGS = new Set(['zh_CN', 'en_US', 'zh_HK', 'zh_TW']);

export interface SubscribeMessageOptions {
  /** Known templates: id → the data keys it has. When given, other ids get 40037 and keys must match. */
  templates?: Record<string, readonly string[]>;
  now?: () => number;
}

/** The subscription grants and the sent messages of one emulator. */
export class SubscribeMessages {
  private readonly grants = new Map<string, number>();
  private readonly sent: SubscribeMessage[] = [];
  private readonly now: () => number;

  constructor(private readonly options: SubscribeMessageOptions = {}) {
    this.now = options.now ?? Date.now;
  }

  /** Stands for the user tapping "allow" `count` times for this template in wx.requestSubscribeMessage. */
  grant(openid: string, templateId: string, count = 1): number {
    if (!openid || !templateId || !Number.isInteger(count) || count < 1) {
      throw new Error('grant needs an openid, a templateId and a positive integer count');
    }
    const key = `${openid}\u0000${templateId}`;
    const n = (this.grants.get(key) ?? 0) + count;
    this.grants.set(key, n);
    return n;
  }

  remaining(openid: string, templateId: string): number {
    return this.grants.get(`${openid}\u0000${templateId}`) ?? 0;
  }

  /** Every (openid, template) with a grant recorded, and how many messages it still allows. */
  grantsLeft(): Array<{ openid: string; templateId: string; remaining: number }> {
    return [...this.grants].map(([key, remaining]) => {
      const [openid = '', templateId = ''] = key.split('\u0000');
      return { openid, templateId, remaining };
    });
  }

  messages(): SubscribeMessage[] {
    return this.sent.map((m) => structuredClone(m));
  }

  /** Validates and sends one message (snake_case payload as on the wire). Throws WeChatApiError. */
  send(
    payload: Record<string, unknown>,
    origin: { function?: string; invocationId?: string } = {},
  ): SubscribeMessage {
    const { touser, template_id: templateId, page, data, miniprogram_state: state, lang } = payload;
    if (typeof touser !== 'string' || !/^[A-Za-z0-9_-]{1,64}$/.test(touser)) fail(40003, 'invalid openid');
    if (typeof templateId !== 'string' || !/^[A-Za-z0-9_-]{1,128}$/.test(templateId)) {
      fail(40037, 'invalid template_id');
    }
    const known = this.options.templates;
    if (known && !Object.hasOwn(known, templateId as string)) fail(40037, 'invalid template_id');
    if (page !== undefined && (typeof page !== 'string' || page.length > 1024)) fail(41030, 'invalid page');
    if (state !== undefined && (typeof state !== 'string' || !STATES.has(state))) {
      fail(47003, 'argument invalid! miniprogram_state invalid');
    }
    if (lang !== undefined && (typeof lang !== 'string' || !LANGS.has(lang)))
      fail(47003, 'argument invalid! lang invalid');
    if (data === null || typeof data !== 'object' || Array.isArray(data) || Object.keys(data).length === 0) {
      fail(47003, 'argument invalid! data is empty');
    }
    const entries = data as Record<string, unknown>;
    const keys = known?.[templateId as string];
    if (keys) {
      for (const k of keys) if (!(k in entries)) fail(47003, `argument invalid! data.${k}.value is empty`);
      for (const k of Object.keys(entries))
        if (!keys.includes(k)) fail(47003, `argument invalid! data.${k} not in template`);
    }
    for (const [k, v] of Object.entries(entries)) {
      const why = checkDataValue(k, v);
      if (why) fail(47003, `argument invalid! ${why}`);
    }
    const grantKey = `${touser}\u0000${templateId}`;
    const left = this.grants.get(grantKey) ?? 0;
    if (left < 1) fail(43101, 'user refuse to accept the msg');
    this.grants.set(grantKey, left - 1);
    const message: SubscribeMessage = {
      id: `msg-${randomBytes(8).toString('hex')}`,
      touser: touser as string,
      templateId: templateId as string,
      ...(page !== undefined ? { page: page as string } : {}),
      data: Object.fromEntries(
        Object.entries(entries).map(([k, v]) => [k, { value: (v as { value: string }).value }]),
      ),
      miniprogramState: (state as string | undefined) ?? 'formal',
      lang: (lang as string | undefined) ?? 'zh_CN',
      sentAt: new Date(this.now()).toISOString(),
      ...origin,
    };
    this.sent.push(message);
    return structuredClone(message);
  }
}
