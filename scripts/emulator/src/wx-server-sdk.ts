// Entry of the wx-server-sdk stand-in, built to dist/wx-server-sdk.js (plain CommonJS). Inside an emulator
// instance, `require('wx-server-sdk')` from a function bundle resolves here (worker.ts hooks module resolution),
// so the deployed function folder runs unchanged. Supports both `const cloud = require('wx-server-sdk')` and
// `import * as cloud from 'wx-server-sdk'` / `import cloud from 'wx-server-sdk'`.

import { getBridge } from './sdk/bridge';
import { createCloud } from './sdk/cloud';

const cloud = createCloud(getBridge);

export const init = cloud.init;
export const updateConfig = cloud.updateConfig;
export const DYNAMIC_CURRENT_ENV = cloud.DYNAMIC_CURRENT_ENV;
export const getWXContext = cloud.getWXContext;
export const database = cloud.database;
export const callFunction = cloud.callFunction;
export const logger = cloud.logger;
/** Forwards to cloud.openapi on each use, so that using it before init throws, as in the real SDK. */
export const openapi: typeof cloud.openapi = new Proxy((() => undefined) as unknown as typeof cloud.openapi, {
  get: (_target, prop) => (cloud.openapi as unknown as Record<string | symbol, unknown>)[prop],
  apply: (_target, _this, args: unknown[]) =>
    (cloud.openapi as unknown as (...a: unknown[]) => unknown)(...args),
});

export type { Cloud, CloudConfig } from './sdk/cloud';
export type { WXContext } from './sdk/context';
export type {
  CollectionReference,
  Database,
  DocumentReference,
  Query,
  Transaction,
} from './sdk/database/database';

export default cloud;
