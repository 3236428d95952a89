/** Repeats, after the run's summary, that the browser tests were left out (vitest.config.ts adds it only then). */
import type { Reporter } from 'vitest/node';
import { NOT_RUN_MESSAGE } from './chromium';

export default class BrowserTestsNotRunReporter implements Reporter {
  onTestRunEnd(): void {
    process.stdout.write(`${NOT_RUN_MESSAGE}\n`);
  }
}
