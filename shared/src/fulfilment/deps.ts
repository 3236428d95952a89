/** What the fulfilment use cases need, injected by the function's index.ts at cold start. */
import type { Logger } from '../log';
import { createLogger } from '../log';
import type { Db } from '../orders/db-port';
import { type Clock, systemClock } from '../orders/deps';
import type { FulfilmentSettings } from './settings';
import type { ShippingPort } from './shipping-port';

export interface FulfilmentDeps {
  db: Db;
  shipping: ShippingPort;
  settings: FulfilmentSettings;
  clock: Clock;
  log: Logger;
}

export function fulfilmentDeps(parts: {
  db: Db;
  shipping: ShippingPort;
  settings: FulfilmentSettings;
  clock?: Clock;
  log?: Logger;
}): FulfilmentDeps {
  return { ...parts, clock: parts.clock ?? systemClock, log: parts.log ?? createLogger() };
}
