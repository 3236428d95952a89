/**
 * Alert channel configuration, validated once at cold start like shared/src/config.ts (one ConfigError
 * naming every bad variable, never a value). A channel that is not configured gets no deliveries.
 *
 *   ALERT_TEMPLATES         JSON: {"order"|"refund"|"anomaly": {"id": "<template id>", "fields": {"thing1":
 *                           "title", "amount2": "amount", "time3": "time", "character_string4": "orderNo",
 *                           "phrase5": "status"}}} — values from format.ts FACT_NAMES; each key's type must be
 *                           one Shouyin formats; amount keys take `amount`, time/date keys take `time`.
 *                           The buyer's slots "customerOrder" | "customerShipped" | "customerRefund" take the
 *                           same shape (table.ts CUSTOMER_TEMPLATE_SLOTS); an unset slot = no customer message
 *   ALERT_PAGE              mini-program page opened from a message (default pages/merchant/merchant, the console);
 *                           `?outTradeNo=<no>` is appended
 *   ALERT_CUSTOMER_PAGE     the page a customer's message opens (default pages/order/order, the order detail);
 *                           `?outTradeNo=<no>` is appended
 *   ALERT_MINIPROGRAM_STATE formal (default) | trial | developer
 *   ALERT_TIMEOUT_MS        per request to WeChat / the printer / the robot (default 3000, 500–10000)
 *   PRINTER_USER, PRINTER_UKEY, PRINTER_SN   the Feie account, its UKEY (a secret) and the printer's SN:
 *                           all three or none
 *   PRINTER_URL             default https://api.feieyun.cn/Api/Open/ (also api.jp / api.de.feieyun.com);
 *                           anything else only with SHOUYIN_ALLOW_LOCAL_GATEWAY=true
 *   PRINTER_COPIES          1 (default) – 5
 *   WECOM_WEBHOOK_URL       https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=… (the key is a secret);
 *                           anything else only with SHOUYIN_ALLOW_LOCAL_GATEWAY=true
 */
import type { Env } from '../config';
import { ConfigError } from '../errors';
import type { FeieAccount } from './feie';
import { FACT_NAMES, type FactName, keyType } from './format';
import {
  CUSTOMER_TEMPLATE_SLOTS,
  type CustomerTemplateSlot,
  TEMPLATE_SLOTS,
  type TemplateSlot,
} from './table';

/** Every slot ALERT_TEMPLATES takes: the merchants' and the buyer's. */
export type AnyTemplateSlot = TemplateSlot | CustomerTemplateSlot;
const ALL_SLOTS: readonly AnyTemplateSlot[] = [...TEMPLATE_SLOTS, ...CUSTOMER_TEMPLATE_SLOTS];

export interface TemplateConfig {
  id: string;
  fields: Readonly<Record<string, FactName>>;
}

export interface AlertConfig {
  templates: Partial<Record<AnyTemplateSlot, TemplateConfig>>;
  page: string;
  /** The buyer's page (ALERT_CUSTOMER_PAGE). */
  customerPage: string;
  miniprogramState: 'formal' | 'trial' | 'developer';
  timeoutMs: number;
  printer?: FeieAccount;
  /** The robot's webhook URL carries its key: non-enumerable, never logged. */
  wecom?: { readonly url: string; timeoutMs: number };
}

export const FEIE_HOSTS: readonly string[] = ['api.feieyun.cn', 'api.jp.feieyun.com', 'api.de.feieyun.com'];
export const DEFAULT_PRINTER_URL = 'https://api.feieyun.cn/Api/Open/';
const WECOM_HOST = 'qyapi.weixin.qq.com';

export function loadAlertConfig(env: Env = process.env): Readonly<AlertConfig> {
  const problems: Array<[string, string]> = [];
  const fail = (v: string, p: string): undefined => {
    problems.push([v, p]);
    return undefined;
  };
  const get = (n: string) => (env[n] === undefined || env[n]!.trim() === '' ? undefined : env[n]!.trim());
  const allowLocal = get('SHOUYIN_ALLOW_LOCAL_GATEWAY') === 'true';
  const int = (n: string, def: number, min: number, max: number) => {
    const v = get(n);
    if (v === undefined) return def;
    if (!/^\d{1,6}$/.test(v) || Number(v) < min || Number(v) > max) {
      fail(n, `must be a whole number from ${min} to ${max}`);
      return def;
    }
    return Number(v);
  };

  const templates = parseTemplates(get('ALERT_TEMPLATES'), fail);
  const page = get('ALERT_PAGE') ?? 'pages/merchant/merchant';
  if (!/^[A-Za-z0-9_\-/]{1,200}$/.test(page)) fail('ALERT_PAGE', 'must be a mini-program page path');
  const customerPage = get('ALERT_CUSTOMER_PAGE') ?? 'pages/order/order';
  if (!/^[A-Za-z0-9_\-/]{1,200}$/.test(customerPage))
    fail('ALERT_CUSTOMER_PAGE', 'must be a mini-program page path');
  const state = get('ALERT_MINIPROGRAM_STATE') ?? 'formal';
  if (!['formal', 'trial', 'developer'].includes(state))
    fail('ALERT_MINIPROGRAM_STATE', 'must be formal, trial or developer');
  const timeoutMs = int('ALERT_TIMEOUT_MS', 3000, 500, 10_000);

  let printer: FeieAccount | undefined;
  const user = get('PRINTER_USER');
  const ukey = env.PRINTER_UKEY?.trim() || undefined;
  const sn = get('PRINTER_SN');
  if (user || ukey || sn) {
    if (!user) fail('PRINTER_USER', 'is required with PRINTER_UKEY and PRINTER_SN');
    if (!ukey) fail('PRINTER_UKEY', 'is required with PRINTER_USER and PRINTER_SN');
    else if (!/^[0-9A-Za-z]{8,64}$/.test(ukey)) fail('PRINTER_UKEY', 'must be 8–64 letters/digits');
    if (!sn) fail('PRINTER_SN', 'is required with PRINTER_USER and PRINTER_UKEY');
    else if (!/^[0-9A-Za-z]{4,32}$/.test(sn)) fail('PRINTER_SN', 'must be 4–32 letters/digits');
    const url = endpoint(
      'PRINTER_URL',
      get('PRINTER_URL') ?? DEFAULT_PRINTER_URL,
      FEIE_HOSTS,
      allowLocal,
      fail,
    );
    const copies = int('PRINTER_COPIES', 1, 1, 5);
    if (user && ukey && sn && url) {
      printer = { url, user, sn, copies, timeoutMs } as FeieAccount;
      Object.defineProperty(printer, 'ukey', { value: ukey, enumerable: false });
    }
  }

  let wecom: AlertConfig['wecom'];
  const hook = env.WECOM_WEBHOOK_URL?.trim() || undefined;
  if (hook) {
    const url = endpoint('WECOM_WEBHOOK_URL', hook, [WECOM_HOST], allowLocal, fail);
    if (url && !/[?&]key=[^&]+/.test(url)) fail('WECOM_WEBHOOK_URL', 'must carry the robot key (?key=…)');
    else if (url) {
      wecom = { timeoutMs } as NonNullable<AlertConfig['wecom']>;
      Object.defineProperty(wecom, 'url', { value: url, enumerable: false });
    }
  }

  if (problems.length > 0) {
    const [[variable, problem], ...rest] = problems as [[string, string], ...Array<[string, string]>];
    throw new ConfigError(variable, problem + rest.map(([v, p]) => `; ${v}: ${p}`).join(''));
  }
  return Object.freeze({
    templates,
    page,
    customerPage,
    miniprogramState: state as AlertConfig['miniprogramState'],
    timeoutMs,
    ...(printer ? { printer } : {}),
    ...(wecom ? { wecom } : {}),
  });
}

function endpoint(
  name: string,
  value: string,
  hosts: readonly string[],
  allowLocal: boolean,
  fail: (v: string, p: string) => undefined,
): string | undefined {
  let u: URL;
  try {
    u = new URL(value);
  } catch {
    return fail(name, 'must be an absolute URL');
  }
  if (u.username || u.password) return fail(name, 'must not contain credentials');
  if (u.protocol === 'https:' && hosts.includes(u.hostname)) return value;
  if (allowLocal && (u.protocol === 'http:' || u.protocol === 'https:')) return value;
  return fail(
    name,
    `must be an https URL on ${hosts.join(' / ')} (anything else only with SHOUYIN_ALLOW_LOCAL_GATEWAY=true)`,
  );
}

function parseTemplates(
  raw: string | undefined,
  fail: (v: string, p: string) => undefined,
): Partial<Record<AnyTemplateSlot, TemplateConfig>> {
  if (raw === undefined) return {};
  const V = 'ALERT_TEMPLATES';
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    fail(V, 'must be JSON');
    return {};
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    fail(V, 'must be a JSON object of template slots');
    return {};
  }
  const out: Partial<Record<AnyTemplateSlot, TemplateConfig>> = {};
  for (const [slot, t] of Object.entries(parsed as Record<string, unknown>)) {
    if (!(ALL_SLOTS as readonly string[]).includes(slot)) {
      fail(V, `unknown slot ${JSON.stringify(slot.slice(0, 20))} (slots: ${ALL_SLOTS.join(', ')})`);
      continue;
    }
    const { id, fields } = (t ?? {}) as { id?: unknown; fields?: unknown };
    if (typeof id !== 'string' || !/^[A-Za-z0-9_-]{1,128}$/.test(id)) {
      fail(V, `${slot}.id must be a template id`);
      continue;
    }
    if (fields === null || typeof fields !== 'object' || Object.keys(fields).length === 0) {
      fail(V, `${slot}.fields must map template keys to values`);
      continue;
    }
    let ok = true;
    for (const [key, fact] of Object.entries(fields as Record<string, unknown>)) {
      const type = keyType(key);
      const why = !type
        ? `${slot}.fields.${key}: key type not supported`
        : !(FACT_NAMES as readonly unknown[]).includes(fact)
          ? `${slot}.fields.${key}: value must be one of ${FACT_NAMES.join(', ')}`
          : type === 'amount' && fact !== 'amount'
            ? `${slot}.fields.${key}: an amount key takes amount`
            : (type === 'time' || type === 'date') && fact !== 'time'
              ? `${slot}.fields.${key}: a time/date key takes time`
              : undefined;
      if (why) {
        fail(V, why);
        ok = false;
      }
    }
    if (ok) out[slot as AnyTemplateSlot] = { id, fields: fields as Record<string, FactName> };
  }
  return out;
}
