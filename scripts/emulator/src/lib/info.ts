// emulator.json: the machine-readable description of a running emulator (also served at GET /), so scripts find
// every URL, and so that every choice the emulator made on an unconfirmed point of the spec is written down.

import { MAX_ENV_BYTES } from './host/env-limit';
import type { ContextKeysMode } from './host/invocation-env';
import type { Project } from './project';

export interface FunctionInfo {
  callFunctionUrl: string;
  httpUrls: string[];
  triggers: Array<{ name: string; config: string; fireUrl: string }>;
  timeoutMs: number;
  memoryMb: number;
}

export interface EmulatorInfo {
  name: 'shouyin-cloudbase-emulator';
  baseUrl: string;
  envId: string;
  pid: number;
  startedAt: string;
  dataDir: string | null;
  functions: Record<string, FunctionInfo>;
  routes: Array<{ path: string; function: string; url: string }>;
  collections: string[];
  control: {
    info: string;
    callFunction: string;
    fireTrigger: string;
    listCollections: string;
    inspectCollection: string;
    seedCollection: string;
    messages: string;
    grantSubscription: string;
    invocations: string;
    clientDatabase: string;
    shippingOrders: string;
    confirmReceipt: string;
    registerShippingPayment: string;
    printerJobs: string;
    printerFaults: string;
    robotPosts: string;
    robotFaults: string;
  };
  /** The side the emulator picked on each point the CloudBase notes leaves open (§10 and the [UNCONFIRMED] marks). */
  choices: {
    httpBodyEncoding: 'base64 for non-JSON bodies' | 'utf8 text';
    contextKeys: { http: ContextKeysMode; timer: ContextKeysMode };
    callFunctionIdentity: 'propagated' | 'not propagated';
    timerTimeZone: string;
    cronWeekDigits: '0=Sunday (7=Sunday too)';
    maxInstancesPerFunction: number;
    timeoutScale: number;
    updatedCounts: 'documents changed (MongoDB nModified)';
  } & FixedChoices;
  warnings: string[];
  /** Path of the sandbox's sandbox.json, when the emulator runs with the WeChat Pay sandbox. */
  sandbox?: string;
}

/** Choices that cannot be switched (docs/emulator.md, "Choices on unconfirmed points"). */
export const FIXED_CHOICES = {
  // spec §5.1, §10.1
  integrationResponse:
    'an object with a numeric statusCode is an integration response; strings, numbers and booleans → text/plain; any other value → JSON',
  httpAccessSource: 'wx_http',
  httpFailureReply:
    '502 {"errorCode": "FUNCTIONS_EXECUTE_FAIL" | "FUNCTIONS_TIME_LIMIT_EXCEEDED", "errorMessage", "requestId"}',
  // spec §2.2, §10.8
  callFunctionUserInfo:
    'callFunction events get userInfo {appId, openId}, replacing any the client sent; cloud.callFunction events get none',
  timerEventTime: 'ISO-8601 UTC without milliseconds (2024-01-01T19:00:00Z)',
  // spec §4.4, §10.6
  duplicateId:
    '-502001 (DATABASE_DUPLICATE_WRITE) "[FailedOperation] E11000 duplicate key error collection: <c> index: _id_ dup key: { _id: "<id>" }"',
  createExistingCollection:
    '-501001 (DATABASE_COLLECTION_ALREADY_EXIST) "[ResourceInUse] Collection <name> already exists."',
  // spec §4.5, §10.6
  transactionIsolation:
    'conflicts only on documents the transaction wrote (changed by another writer since first touched); documents only read are not checked, so write skew is possible',
  // spec §4.6: the cloud promises no atomicity across documents
  multiDocumentUpdate:
    'where().update()/remove() over several documents runs atomically here (one step, one journal line); the cloud gives no such promise, so product code must not rely on it',
  serverDateOffset: 'milliseconds',
  // spec §3.6
  subscriptionGrants: 'accumulate: each accepted one-shot subscription allows one more message',
  // spec §8.2, D-QUOTA
  beyondInstanceLimit: 'queued until an instance is free (never throttled or refused)',
  // spec §8.6, §10.9
  afterTimeout:
    'the instance is terminated (its module state and timers are gone; the next call cold-starts); callers get -504002 "Invoking task timed out after N seconds" (client: -404011)',
  // spec §2.1, §8: the instance is frozen once main returns
  workAfterReturn:
    'SDK requests (database, callFunction, openapi) made after main returned are refused with an "invocation … had already ended" error and a warning on the invocation',
  // spec §1.5
  envVariablesLimit: `${MAX_ENV_BYTES} bytes per function: the UTF-8 bytes of every KEY=value pair of the merged variables (cloudbaserc.json, cloudbaserc.local.json, envOverrides, functionEnvOverrides), separators not counted; over it the function does not start`,
  // spec §1.4, §10.4
  openapiPermissions: 'config.json permissions.openapi enforced (-604101) when the list exists',
  // spec §4.4, ISS-404011; provisioning stands in for the deploy step
  collectionProvisioning: 'collections listed in cloudbase-db.json are created at start',
  // spec §4.7, §6.3 (D-SECRULE): client-side database (POST /client-db) only; functions are never subject to rules
  securityRules:
    'cloudbase-db.json "rules" enforced on POST /client-db: deny by default (no rule or no value = denied); create/update/delete default to write; expressions limited to true, false, auth != null, doc.<field> == auth.openid with && || (anything else denied, with a warning); a query must imply the read/write rule (pin the owner field to the caller); doc(id) requests are judged on the stored document, a missing one as an empty document',
  clientGetLimit: 'client get(): 20 documents by default and at most 20 (a larger limit is lowered to 20)',
  clientOwnerField:
    'client add() stores _openid = the caller; _openid in client add/set/update data is refused (-501007); doc(id).set keeps the stored _openid',
  // Merchant-ops notes §1: wxa.sec.order.* (shipping-info management)
  shippingIndexing:
    'a payment is known to wxa.sec.order.* only indexDelayMs (default 10 s; WeChat says 10 s to 1 min) after the stand-in first hears of it (its registration, or the first call naming a sandbox payment), never earlier than the real payment; before that 10060001 支付单不存在',
  shippingFieldCodes:
    '47001 shipping_list not an array (or an entry not an object); 268485226 / 268485227 express without tracking_no / express_company; 268485216 upload_time not RFC 3339; 268485224 bad delivery_mode; 10060014 any other bad field (order_key, payer, SF Express without a contact, a contact not masked to its last 4 digits, upload_time not later than the previous upload); 10060031 payer not the payment openid',
  shippingModification:
    'one modification per payment: an upload differing (upload_time aside) from the shipment held is the modification; an identical one answers 10060023 and uses nothing up; a further change 10060003; after receipt 10060004',
  shippingOrderState:
    'get_order order_state 1 before any upload, 2 after one, 3 once the buyer confirms (control call); 4, 5, 6 are never reported',
  shippingEnrolment:
    'is_trade_managed answers for the emulator appid only (40013 otherwise, 40097 without appid); not enrolled (tradeManaged false) → upload_shipping_info and get_order answer 48001',
  // Merchant-ops notes §3: the printer stand-in (lib/alerts/feie-printer.ts), stricter where Feie is silent
  feieStimeWindow: '±60 s of the stand-in clock; a millisecond (13-digit) stime is refused',
  feieErrorCodes:
    'non-zero ret: -2 account/signature/stime, 1001 SN not bound to the account, 1002 bad content/times, -1 busy (fault), -6 unknown job',
  feieContentLimit: 'content over 5000 UTF-8 bytes is refused',
  wecomRateLimit: 'not counted; 45009 only through the error fault',
} as const;

export type FixedChoices = { readonly [K in keyof typeof FIXED_CHOICES]: string };

export interface InfoInput {
  baseUrl: string;
  project: Project;
  dataDir: string | undefined;
  contextKeysMode: ContextKeysMode;
  base64Bodies: boolean;
  propagateIdentity: boolean;
  timerOffsetMinutes: number;
  maxInstancesPerFunction: number;
  timeoutScale: number;
  collections: string[];
  sandbox?: string;
}

const tz = (m: number): string => {
  const sign = m < 0 ? '-' : '+';
  const a = Math.abs(m);
  return `UTC${sign}${String(Math.floor(a / 60)).padStart(2, '0')}:${String(a % 60).padStart(2, '0')}`;
};

export function buildInfo(i: InfoInput): EmulatorInfo {
  const u = (p: string) => `${i.baseUrl}${p}`;
  const functions: Record<string, FunctionInfo> = {};
  for (const f of i.project.functions) {
    functions[f.name] = {
      callFunctionUrl: u(`/functions/${f.name}`),
      httpUrls: i.project.routes.filter((r) => r.function === f.name).map((r) => u(r.path)),
      triggers: f.triggers.map((t) => ({
        name: t.name,
        config: t.config,
        fireUrl: u(`/triggers/${f.name}/${t.name}`),
      })),
      timeoutMs: f.timeoutMs,
      memoryMb: f.memoryMb,
    };
  }
  return {
    name: 'shouyin-cloudbase-emulator',
    baseUrl: i.baseUrl,
    envId: i.project.envId,
    pid: process.pid,
    startedAt: new Date().toISOString(),
    dataDir: i.dataDir ?? null,
    functions,
    routes: i.project.routes.map((r) => ({ ...r, url: u(r.path) })),
    collections: i.collections,
    control: {
      info: `GET ${u('/')}`,
      callFunction: `POST ${u('/functions/{name}')} {"data": …} headers x-wx-openid, x-wx-appid, x-wx-unionid, x-wx-client-ip`,
      fireTrigger: `POST ${u('/triggers/{function}/{trigger}')}`,
      listCollections: `GET ${u('/db')}`,
      inspectCollection: `GET ${u('/db/{collection}')}?limit=N&where={JSON}`,
      seedCollection: `POST ${u('/db/{collection}')} document or [documents]`,
      messages: `GET ${u('/messages')}`,
      grantSubscription: `POST ${u('/control/subscriptions')} {"openid","templateId","count"}`,
      invocations: `GET ${u('/invocations')}?function=&source=`,
      clientDatabase: `POST ${u('/client-db/{collection}')} {"action", …} header x-wx-openid (wx.cloud.database() under the security rules)`,
      shippingOrders: `GET ${u('/control/shipping/orders')}`,
      confirmReceipt: `POST ${u('/control/shipping/confirm-receipt')} {"transactionId"|"outTradeNo"}`,
      registerShippingPayment: `POST ${u('/control/shipping/payments')} {"transactionId","mchId","outTradeNo","openid","paidAmount"}`,
      printerJobs: `GET ${u('/printer/feie/jobs')}`,
      printerFaults: `POST ${u('/printer/feie/faults')} {"mode": "error"|"timeout"|"never-print", "count"?, "delayMs"?}`,
      robotPosts: `GET ${u('/wecom/robot/posts')}`,
      robotFaults: `POST ${u('/wecom/robot/faults')} {"mode": "error"|"timeout"|"http500", "count"?, "delayMs"?}`,
    },
    choices: {
      httpBodyEncoding: i.base64Bodies ? 'base64 for non-JSON bodies' : 'utf8 text',
      contextKeys: { http: i.contextKeysMode, timer: i.contextKeysMode },
      callFunctionIdentity: i.propagateIdentity ? 'propagated' : 'not propagated',
      timerTimeZone: tz(i.timerOffsetMinutes),
      cronWeekDigits: '0=Sunday (7=Sunday too)',
      maxInstancesPerFunction: i.maxInstancesPerFunction,
      timeoutScale: i.timeoutScale,
      updatedCounts: 'documents changed (MongoDB nModified)',
      ...FIXED_CHOICES,
    },
    warnings: i.project.warnings,
    ...(i.sandbox ? { sandbox: i.sandbox } : {}),
  };
}
