import { fileURLToPath } from 'node:url';
import { configDefaults, defineConfig } from 'vitest/config';
import { BROWSER_TESTS_GLOB, browserTestsEnabled, NOT_RUN_MESSAGE } from './test/browser/support/chromium';

// The console's browser tests need Chromium; without it (and without CI=true) they are left out, said loudly.
const browserTests = browserTestsEnabled();
if (!browserTests) process.stdout.write(`${NOT_RUN_MESSAGE}\n`);

export default defineConfig({
  resolve: {
    alias: {
      '@shouyin/shared': fileURLToPath(new URL('./shared/src/index.ts', import.meta.url)),
    },
  },
  test: {
    include: ['shared/src/**/*.test.ts', 'scripts/*/src/**/*.test.ts', 'test/**/*.test.ts'],
    exclude: [...configDefaults.exclude, ...(browserTests ? [] : [BROWSER_TESTS_GLOB])],
    // Builds the function bundles and tools the end-to-end tests run, and the sandbox PKI they share.
    globalSetup: ['./test/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    reporters: [
      'default',
      './test/support/summary-reporter.ts',
      ...(browserTests ? [] : ['./test/browser/support/not-run-reporter.ts']),
    ],
  },
});
