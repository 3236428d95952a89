// The alert channels' stand-ins mounted on the emulator's HTTP server (routes below), with their accounts:
// given by the caller (the local stack wires the same values into the functions' variables) or generated.
//
//   POST /printer/feie/Api/Open/     the Feie open API (form encoded)
//   GET  /printer/feie/jobs          jobs received, each rendered as text
//   POST /printer/feie/faults        {"mode": "error"|"timeout"|"never-print", "count"?, "delayMs"?}
//   POST /wecom/robot/send?key=…     the WeCom group robot webhook
//   GET  /wecom/robot/posts          posts received
//   POST /wecom/robot/faults         {"mode": "error"|"timeout"|"http500", "count"?, "delayMs"?}

import { randomBytes } from 'node:crypto';
import { type FeieAccountInfo, FeiePrinterStandIn, type StandInReply } from './feie-printer';
import { WecomRobotStandIn } from './wecom-robot';

export interface AlertAccounts {
  printer: FeieAccountInfo;
  robotKey: string;
}

export const PRINTER_PATH = '/printer/feie/Api/Open/';
export const ROBOT_PATH = '/wecom/robot/send';

export function generateAlertAccounts(): AlertAccounts {
  return {
    printer: {
      user: 'demo@shouyin.local',
      ukey: randomBytes(8).toString('hex'),
      sn: `9${String(randomBytes(4).readUInt32BE(0)).padStart(8, '0').slice(0, 8)}`,
    },
    robotKey: randomBytes(16).toString('hex'),
  };
}

/** Function variables pointing orderAlert's channels at these stand-ins (names: shared/src/alerts/config.ts). */
export function alertEnv(accounts: AlertAccounts, baseUrl: string): Record<string, string> {
  return {
    PRINTER_URL: `${baseUrl}${PRINTER_PATH}`,
    PRINTER_USER: accounts.printer.user,
    PRINTER_UKEY: accounts.printer.ukey,
    PRINTER_SN: accounts.printer.sn,
    WECOM_WEBHOOK_URL: `${baseUrl}${ROBOT_PATH}?key=${accounts.robotKey}`,
  };
}

export class AlertStandIns {
  readonly printer: FeiePrinterStandIn;
  readonly robot: WecomRobotStandIn;

  constructor(
    readonly accounts: AlertAccounts,
    now: () => number = Date.now,
  ) {
    this.printer = new FeiePrinterStandIn(accounts.printer, now);
    this.robot = new WecomRobotStandIn(accounts.robotKey, now);
  }

  /** The reply for a stand-in path, or undefined when the path is not one. */
  handle(method: string, pathname: string, query: URLSearchParams, body: Buffer): StandInReply | undefined {
    const control = (f: () => unknown): StandInReply => {
      try {
        return { status: 200, body: f() };
      } catch (e) {
        return { status: 400, body: { error: (e as Error).message } };
      }
    };
    const json = () => (body.length === 0 ? {} : (JSON.parse(body.toString('utf8')) as unknown));
    const path = pathname.replace(/\/+$/, '/');
    if (method === 'POST' && (path === PRINTER_PATH || path === PRINTER_PATH.slice(0, -1)))
      return this.printer.handle(new URLSearchParams(body.toString('utf8')));
    if (method === 'GET' && pathname === '/printer/feie/jobs')
      return { status: 200, body: { jobs: this.printer.listJobs() } };
    if (method === 'POST' && pathname === '/printer/feie/faults')
      return control(() => ({ fault: this.printer.addFault(json()) }));
    if (method === 'POST' && pathname === ROBOT_PATH) return this.robot.handle(query.get('key'), body);
    if (method === 'GET' && pathname === '/wecom/robot/posts')
      return { status: 200, body: { posts: this.robot.listPosts() } };
    if (method === 'POST' && pathname === '/wecom/robot/faults')
      return control(() => ({ fault: this.robot.addFault(json()) }));
    return undefined;
  }
}

/** Demo subscribe-message templates: the mapping orderAlert gets locally (ALERT_TEMPLATES). */
export const DEMO_ALERT_TEMPLATES = {
  order: {
    id: 'demo-tmpl-new-order',
    fields: {
      thing1: 'title',
      amount2: 'amount',
      time3: 'time',
      character_string4: 'orderNo',
      phrase5: 'status',
    },
  },
  refund: {
    id: 'demo-tmpl-refund',
    fields: {
      thing1: 'title',
      amount2: 'amount',
      time3: 'time',
      character_string4: 'orderNo',
      phrase5: 'status',
    },
  },
  anomaly: {
    id: 'demo-tmpl-anomaly',
    fields: {
      thing1: 'title',
      thing2: 'detail',
      time3: 'time',
      character_string4: 'orderNo',
      phrase5: 'status',
    },
  },
} as const;

/** The same templates as the emulator's subscribeMessage.send knows them (id → keys): others get 40037. */
export const DEMO_SUBSCRIBE_TEMPLATES: Record<string, readonly string[]> = Object.fromEntries(
  Object.values(DEMO_ALERT_TEMPLATES).map((t) => [t.id, Object.keys(t.fields)]),
);

/** Everything orderAlert needs locally: the stand-ins' URLs and accounts and the demo templates. */
export function localAlertEnv(accounts: AlertAccounts, baseUrl: string): Record<string, string> {
  return {
    ...alertEnv(accounts, baseUrl),
    SHOUYIN_ALLOW_LOCAL_GATEWAY: 'true',
    ALERT_TEMPLATES: JSON.stringify(DEMO_ALERT_TEMPLATES),
  };
}
