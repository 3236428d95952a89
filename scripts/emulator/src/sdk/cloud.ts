// The stand-in's `cloud` object: the wx-server-sdk surface Shouyin's functions use (CloudBase notes §3, §8 item 8).
// State (init, config) lives per instance, i.e. per worker thread, as the real SDK's lives per process.

import type { Bridge } from './bridge';
import { getWXContext, type WXContext } from './context';
import { Database } from './database/database';
import { CloudSDKError } from './errors';
import { type CallFunctionOptions, type CallFunctionResult, callFunction } from './functions';
import { createOpenapi, type Openapi } from './openapi';

export interface CloudConfig {
  env?: string | symbol | Record<string, string | symbol>;
  traceUser?: boolean;
  timeout?: number;
  throwOnNotFound?: boolean;
  [key: string]: unknown;
}

/** @cloudbase/node-sdk's SYMBOL_CURRENT_ENV, which wx-server-sdk's DYNAMIC_CURRENT_ENV returns. */
export const SYMBOL_CURRENT_ENV = Symbol.for('SYMBOL_CURRENT_ENV');

export interface Logger {
  log(obj: Record<string, unknown>): void;
  info(obj: Record<string, unknown>): void;
  warn(obj: Record<string, unknown>): void;
  error(obj: Record<string, unknown>): void;
}

export interface Cloud {
  init(config?: CloudConfig): void;
  updateConfig(config?: CloudConfig): void;
  readonly DYNAMIC_CURRENT_ENV: symbol;
  getWXContext(): WXContext;
  database(options?: { env?: unknown; throwOnNotFound?: boolean }): Database;
  callFunction(options: CallFunctionOptions): Promise<CallFunctionResult>;
  readonly openapi: Openapi;
  logger(): Logger;
}

const unsupported = (name: string) => (): never => {
  throw new Error(`cloud.${name} is not supported by the Shouyin emulator`);
};

export function createCloud(getBridge: () => Bridge): Cloud & Record<string, unknown> {
  let inited = false;
  let config: CloudConfig = {};
  const requireInit = () => {
    // WSS wrapCommonAPICheck.
    if (!inited) throw new CloudSDKError(-1, "Cloud API isn't enabled, please call init first");
  };
  const openapi = createOpenapi(getBridge);

  const cloud: Cloud & Record<string, unknown> = {
    /** Runs once per instance: a second call returns immediately (WSS Cloud.defaultInit). */
    init(cfg: CloudConfig = {}) {
      if (inited) return;
      inited = true;
      config = { ...cfg };
    },
    updateConfig(cfg: CloudConfig = {}) {
      config = { ...config, ...cfg };
    },
    DYNAMIC_CURRENT_ENV: SYMBOL_CURRENT_ENV,
    getWXContext: () => getWXContext(process.env),
    database(options) {
      requireInit();
      const throwOnNotFound = options?.throwOnNotFound ?? config.throwOnNotFound ?? true;
      return new Database({ call: (req) => getBridge().call(req), throwOnNotFound });
    },
    callFunction(options) {
      requireInit();
      return callFunction(getBridge, options);
    },
    get openapi() {
      requireInit();
      return openapi;
    },
    logger: () => ({
      log: (o) => console.log(JSON.stringify(o)),
      info: (o) => console.info(JSON.stringify(o)),
      warn: (o) => console.warn(JSON.stringify(o)),
      error: (o) => console.error(JSON.stringify(o)),
    }),
    uploadFile: unsupported('uploadFile'),
    downloadFile: unsupported('downloadFile'),
    getTempFileURL: unsupported('getTempFileURL'),
    deleteFile: unsupported('deleteFile'),
    get cloudPay(): never {
      return unsupported('cloudPay')();
    },
  };
  return cloud;
}
