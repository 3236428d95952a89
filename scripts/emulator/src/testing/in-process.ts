// Test harness: the wx-server-sdk stand-in wired straight to a main-process database in the same thread, with a
// structured clone on each crossing as the worker message port would do. Lets contract tests use the SDK API
// directly and fast, without instances. (Instance behaviour is tested through the emulator itself.)

import { Engine } from '../db/engine';
import { DbService } from '../db/service';
import { handleRpc, type RpcServices } from '../lib/host/rpc';
import { type ShippingOptions, ShippingOrders } from '../lib/openapi/shipping';
import { SubscribeMessages } from '../lib/openapi/subscribe-message';
import { type Bridge, unwrapResponse } from '../sdk/bridge';
import { type Cloud, createCloud } from '../sdk/cloud';

export interface InProcessCloud {
  cloud: Cloud;
  engine: Engine;
  service: DbService;
  messages: SubscribeMessages;
  shipping: ShippingOrders;
  /** Database requests made so far. */
  readonly requests: number;
  close(): void;
}

export function inProcessCloud(
  options: {
    file?: string;
    now?: () => number;
    openapiPermissions?: string[];
    shipping?: ShippingOptions;
  } = {},
): InProcessCloud {
  const engine = Engine.open(options.file);
  const service = new DbService(engine, options.now);
  const messages = new SubscribeMessages({ now: options.now });
  const shipping = new ShippingOrders({ now: options.now, ...options.shipping });
  let requests = 0;
  const services: RpcServices = {
    db: service,
    messages,
    shipping,
    callFunction: () => Promise.reject(new Error('callFunction is not available in-process')),
    countDbRequest: () => {
      requests++;
    },
  };
  const caller = { invocationId: 'in-process', functionName: 'test' };
  const bridge: Bridge = {
    envId: 'test-env',
    openapiPermissions: options.openapiPermissions,
    call: async (req) =>
      structuredClone(unwrapResponse(await handleRpc(structuredClone(req), caller, services))),
  };
  const cloud = createCloud(() => bridge);
  return {
    cloud,
    engine,
    service,
    messages,
    shipping,
    get requests() {
      return requests;
    },
    close: () => engine.close(),
  };
}
