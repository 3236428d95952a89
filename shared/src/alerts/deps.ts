/**
 * What the alert use cases need: the database, the configured channels (each optional: an unconfigured
 * channel gets no deliveries), the message settings, a clock and a logger. orderAlert's index.ts builds it
 * at cold start from loadAlertConfig and cloud.openapi.
 */
import { createLogger, type Logger } from '../log';
import type { Db } from '../orders/db-port';
import { type Clock, systemClock } from '../orders/deps';
import type { AlertConfig } from './config';
import { feiePrinter } from './feie';
import type { PrinterPort } from './printer-port';
import { type SubscribeSend, type SubscribeSender, subscribeSender } from './subscribe-sender';
import { type RobotPort, wecomRobot } from './wecom';

export interface AlertDeps {
  db: Db;
  settings: Pick<AlertConfig, 'templates' | 'page' | 'miniprogramState'> &
    Partial<Pick<AlertConfig, 'customerPage'>>;
  subscribe?: SubscribeSender;
  printer?: PrinterPort;
  robot?: RobotPort;
  clock: Clock;
  log: Logger;
}

export function alertDeps(parts: {
  db: Db;
  config: AlertConfig;
  /** cloud.openapi.subscribeMessage.send */
  subscribeSend?: SubscribeSend;
  clock?: Clock;
  log?: Logger;
}): AlertDeps {
  const { config } = parts;
  return {
    db: parts.db,
    settings: {
      templates: config.templates,
      page: config.page,
      miniprogramState: config.miniprogramState,
      customerPage: config.customerPage,
    },
    subscribe:
      parts.subscribeSend && Object.keys(config.templates).length > 0
        ? subscribeSender(parts.subscribeSend, config.timeoutMs)
        : undefined,
    printer: config.printer ? feiePrinter(config.printer) : undefined,
    robot: config.wecom ? wecomRobot(config.wecom) : undefined,
    clock: parts.clock ?? systemClock,
    log: parts.log ?? createLogger(),
  };
}
