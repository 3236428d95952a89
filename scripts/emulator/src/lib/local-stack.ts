// The local stack: the emulator with the WeChat Pay v2 sandbox (@shouyin/sandbox) wired in, as `npm start` runs
// it. Functions get the sandbox's base URL, CA and the demo merchant's credentials and certificate, and notify
// URLs pointing at the emulator's own HTTP access paths, through the variables shared/src/config.ts reads.
// The sandbox module is loaded at run time (require('@shouyin/sandbox'), i.e. its built dist) unless given.

import path from 'node:path';
import {
  DEMO_ALERT_TEMPLATES,
  DEMO_SUBSCRIBE_TEMPLATES,
  generateAlertAccounts,
  localAlertEnv,
} from './alerts/stand-ins';
import { type Emulator, type EmulatorOptions, type EmulatorUrls, startEmulator } from './emulator';
import { DEFAULT_SHIPPING_INDEX_DELAY_MS, type PaymentKey, type ShippingPayment } from './openapi/shipping';
import { reserveEmulator } from './reserve';

/** The parts of @shouyin/sandbox's SandboxInfo the wiring uses (structural: no build-time dependency). */
export interface SandboxInfoLike {
  baseUrl: string;
  caFile: string;
  controlUrl?: string;
  merchants: Array<{
    appid: string;
    mchId: string;
    apiKey: string;
    signType: string;
    certFile: string;
    keyFile: string;
    p12File?: string;
  }>;
}

export interface SandboxLike {
  readonly baseUrl: string;
  /** The sandbox's control API, as far as the shipping-info stand-in reads payments from it. */
  readonly control?: {
    listOrders(filter?: { mchId?: string; outTradeNo?: string }): Promise<
      Array<{
        mchId: string;
        outTradeNo: string;
        openid: string;
        totalFee: number;
        state: string;
        transactionId?: string;
      }>
    >;
  };
  readonly info: SandboxInfoLike;
  readonly stateDir: string;
  stop(): Promise<void>;
}

export interface SandboxModuleLike {
  startSandbox(opts: {
    stateDir: string;
    clean?: boolean;
    host?: string;
    port?: number;
    allowLoopbackNotify?: boolean;
    log?: (line: string) => void;
    /** Anything else of the module's own options (merchants, clock, notify, persist, …). */
    [option: string]: unknown;
  }): Promise<SandboxLike>;
}

/** Notify routes of cloudbase-routes.json the wiring points WeChat Pay at. */
export const NOTIFY_ROUTES = { pay: '/wxpay/pay-notify', refund: '/wxpay/refund-notify' } as const;

/** Function variables connecting Shouyin's functions to a local sandbox (names: shared/src/config.ts). */
export function sandboxEnv(
  info: SandboxInfoLike,
  urls: EmulatorUrls,
  mchId?: string,
): Record<string, string> {
  const m = mchId ? info.merchants.find((x) => x.mchId === mchId) : info.merchants[0];
  if (!m) throw new Error(`sandbox has no merchant${mchId ? ` ${mchId}` : ''}`);
  const env: Record<string, string> = {
    SHOUYIN_ALLOW_LOCAL_GATEWAY: 'true',
    WXPAY_BASE_URL: info.baseUrl,
    WXPAY_CA_FILE: info.caFile,
    WXPAY_APPID: m.appid,
    WXPAY_MCH_ID: m.mchId,
    WXPAY_API_KEY: m.apiKey,
    WXPAY_SIGN_TYPE: m.signType,
    WXPAY_CERT_PATH: m.certFile,
    WXPAY_KEY_PATH: m.keyFile,
  };
  const pay = urls.routes[NOTIFY_ROUTES.pay];
  const refund = urls.routes[NOTIFY_ROUTES.refund];
  if (pay) env.WXPAY_PAY_NOTIFY_URL = pay;
  if (refund) env.WXPAY_REFUND_NOTIFY_URL = refund;
  return env;
}

export interface LocalStackOptions extends EmulatorOptions {
  /** Start the sandbox too; its state goes to sandbox.stateDir, else <dataDir>/sandbox. */
  sandbox?: {
    stateDir?: string;
    port?: number;
    /** Which merchant functions use (default: the first, the demo merchant). */
    mchId?: string;
    /** The @shouyin/sandbox module (default: require('@shouyin/sandbox')). */
    module?: SandboxModuleLike;
    log?: (line: string) => void;
    /** More startSandbox options passed through as given (e.g. merchants, clock, notify, persist). */
    options?: Record<string, unknown>;
  };
}

export interface LocalStack {
  emulator: Emulator;
  sandbox?: SandboxLike;
  stop(): Promise<void>;
}

function loadSandboxModule(): SandboxModuleLike {
  try {
    // Resolved at run time from node_modules (the workspace package's built dist).
    return require('@shouyin/sandbox') as SandboxModuleLike;
  } catch (e) {
    throw new Error(`cannot load @shouyin/sandbox (run npm run build first): ${(e as Error).message}`);
  }
}

/**
 * The buyer's demo subscribe-message templates (ALERT_TEMPLATES customer slots, shared/src/alerts/table.ts):
 * payment result, shipped, refund result. The mini-program's checkout offers the same ids
 * (miniprogram/config.ts CUSTOMER_TEMPLATE_IDS); a shop puts its own from 公众平台 in both places.
 */
export const DEMO_CUSTOMER_TEMPLATES = {
  customerOrder: {
    id: 'demo-tmpl-customer-paid',
    fields: {
      character_string1: 'orderNo',
      amount2: 'amount',
      phrase3: 'status',
      time4: 'time',
      thing5: 'title',
    },
  },
  customerShipped: {
    id: 'demo-tmpl-customer-shipped',
    fields: {
      character_string1: 'orderNo',
      thing2: 'detail',
      phrase3: 'status',
      time4: 'time',
      thing5: 'title',
    },
  },
  customerRefund: {
    id: 'demo-tmpl-customer-refund',
    fields: {
      character_string1: 'orderNo',
      amount2: 'amount',
      phrase3: 'status',
      time4: 'time',
      thing5: 'title',
    },
  },
} as const;

/** The buyer's demo templates as the emulator's subscribeMessage.send knows them (id → keys). */
export const DEMO_CUSTOMER_SUBSCRIBE_TEMPLATES: Record<string, readonly string[]> = Object.fromEntries(
  Object.values(DEMO_CUSTOMER_TEMPLATES).map((t) => [t.id, Object.keys(t.fields)]),
);

/** Alert channels wired to the emulator's printer and robot stand-ins, with the demo templates. */
function withAlertChannels(opts: LocalStackOptions): LocalStackOptions {
  const accounts = opts.alertAccounts ?? generateAlertAccounts();
  const given = opts.envOverrides;
  return {
    ...opts,
    alertAccounts: accounts,
    subscribeTemplates: opts.subscribeTemplates ?? {
      ...DEMO_SUBSCRIBE_TEMPLATES,
      ...DEMO_CUSTOMER_SUBSCRIBE_TEMPLATES,
    },
    envOverrides: (urls) => ({
      ...localAlertEnv(accounts, urls.baseUrl),
      ALERT_TEMPLATES: JSON.stringify({ ...DEMO_ALERT_TEMPLATES, ...DEMO_CUSTOMER_TEMPLATES }),
      ...(typeof given === 'function' ? given(urls) : given),
    }),
  };
}

export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  const opts = withAlertChannels(options);
  if (!opts.sandbox) {
    const emulator = await startEmulator(opts);
    return { emulator, stop: () => emulator.stop() };
  }
  const s = opts.sandbox;
  const stateDir = s.stateDir ?? (opts.dataDir ? path.join(opts.dataDir, 'sandbox') : undefined);
  if (!stateDir) throw new Error('the sandbox needs a state directory: give sandbox.stateDir or dataDir');
  const mod = s.module ?? loadSandboxModule();
  // The emulator's data-dir lock and port before the sandbox touches its state: a second npm start fails here.
  const reservation =
    opts.reservation ??
    (await reserveEmulator({
      host: opts.host,
      port: opts.port,
      dataDir: opts.dataDir ? path.resolve(opts.dataDir) : undefined,
    }));
  // What the sandbox does also goes to the console's event stream, once the emulator runs.
  let publish: ((line: string) => void) | undefined;
  let sandbox: SandboxLike;
  try {
    sandbox = await mod.startSandbox({
      ...s.options,
      stateDir,
      clean: opts.clean,
      host: opts.host,
      port: s.port ?? 0,
      allowLoopbackNotify: true,
      log: (line: string) => {
        s.log?.(line);
        publish?.(line);
      },
    });
  } catch (e) {
    await reservation.release();
    throw e;
  }
  try {
    const merchant = s.mchId
      ? sandbox.info.merchants.find((m) => m.mchId === s.mchId)
      : sandbox.info.merchants[0];
    const indexDelayMs = opts.shipping?.indexDelayMs ?? DEFAULT_SHIPPING_INDEX_DELAY_MS;
    const emulator = await startEmulator({
      ...opts,
      reservation,
      overridesLabel:
        opts.overridesLabel ??
        "the local stack's sandbox wiring (demo merchant, sandbox URL and CA, notify URLs)",
      shipping: { findPayment: (key) => sandboxPayment(sandbox, key), ...opts.shipping },
      appid: opts.appid ?? merchant?.appid,
      sandboxInfoFile: path.join(sandbox.stateDir, 'sandbox.json'),
      envOverrides: (urls) => ({
        ...sandboxEnv(sandbox.info, urls, s.mchId),
        // WeChat indexes a payment 10 s – 1 min after it; locally the retry after 10060001 waits the emulator's delay.
        SHIPPING_NOT_INDEXED_RETRY_MS: String(Math.max(1000, indexDelayMs)),
        ...(typeof opts.envOverrides === 'function' ? opts.envOverrides(urls) : opts.envOverrides),
      }),
    });
    publish = (line) => emulator.publishEvent({ type: 'sandbox', what: line });
    return {
      emulator,
      sandbox,
      stop: async () => {
        await emulator.stop();
        await sandbox.stop();
      },
    };
  } catch (e) {
    await sandbox.stop();
    throw e;
  }
}

/** A successful payment of the sandbox, as the shipping-info stand-in needs it (undefined when unknown or unpaid). */
async function sandboxPayment(sandbox: SandboxLike, key: PaymentKey): Promise<ShippingPayment | undefined> {
  if (!sandbox.control) return undefined;
  const orders = await sandbox.control.listOrders(
    'outTradeNo' in key ? { mchId: key.mchId, outTradeNo: key.outTradeNo } : {},
  );
  const o = orders.find(
    (x) =>
      x.transactionId !== undefined &&
      (x.state === 'SUCCESS' || x.state === 'REFUND') &&
      ('transactionId' in key ? x.transactionId === key.transactionId : true),
  );
  if (!o?.transactionId) return undefined;
  return {
    transactionId: o.transactionId,
    mchId: o.mchId,
    outTradeNo: o.outTradeNo,
    openid: o.openid,
    paidAmount: o.totalFee,
  };
}
