/**
 * Where the browser tests find Chromium (Debian's `chromium` package; no browser download) and what happens when
 * it is missing: with CI=true the tests run anyway and fail loudly; elsewhere vitest.config.ts leaves them out
 * and says so, visibly, at the start and at the end of the run (never a silent skip that looks like a pass).
 */
import { existsSync } from 'node:fs';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
export const chromiumInstalled = (): boolean => existsSync(CHROMIUM_PATH);
export const browserTestsRequired = (): boolean => process.env.CI === 'true';
export const browserTestsEnabled = (): boolean => chromiumInstalled() || browserTestsRequired();
export const BROWSER_TESTS_GLOB = 'test/browser/**/*.test.ts';

export const NOT_RUN_MESSAGE = [
  '',
  '!! Browser tests NOT RUN (test/browser: the emulator console in headless Chromium):',
  `!! no Chromium at ${CHROMIUM_PATH}.`,
  '!! Enable them: sudo apt-get install -y chromium   (or set CHROMIUM_PATH to a Chromium binary), then npm test.',
  '!! CI=true makes them mandatory (.ci/run installs Chromium).',
  '',
].join('\n');

/** Flags for a quiet, isolated headless Chromium (the user data dir is given separately). */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
