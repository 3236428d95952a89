/**
 * Where the built pieces are, and the sandbox merchants every end-to-end stack configures (the same list
 * everywhere, so the PKI generated once by global-setup.ts fits every stack).
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { MerchantConfig } from '../../scripts/sandbox/src/index';

export type SandboxModule = typeof import('../../scripts/sandbox/src/index');

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/** worker.js and wx-server-sdk.js, built by scripts/build.mjs (global-setup.ts runs it). */
export const EMULATOR_RUNTIME_DIR = path.join(REPO_ROOT, 'scripts/emulator/dist');
const SANDBOX_DIST = path.join(REPO_ROOT, 'scripts/sandbox/dist/index.js');

export const MD5_MERCHANT = {
  appid: 'wx1234567890abcdef',
  mchId: '1900000109',
  signType: 'MD5',
  name: 'E2E MD5 merchant',
} as const satisfies MerchantConfig;

export const HMAC_MERCHANT = {
  appid: 'wx0a1b2c3d4e5f6a7b',
  mchId: '1900000209',
  signType: 'HMAC-SHA256',
  name: 'E2E HMAC-SHA256 merchant',
} as const satisfies MerchantConfig;

export const SANDBOX_MERCHANTS: readonly MerchantConfig[] = [MD5_MERCHANT, HMAC_MERCHANT];

/** The built @shouyin/sandbox (scripts/sandbox/dist), as `npm start` runs it. */
export function loadSandboxModule(): SandboxModule {
  return createRequire(import.meta.url)(SANDBOX_DIST) as SandboxModule;
}
