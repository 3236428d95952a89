/**
 * Waiting for follow-up work within a time budget. A cloud function is frozen once `main` returns, so work
 * after a committed change (alert delivery after a notification, the alert pass of reconcile) is awaited —
 * but never longer than its budget, and never allowed to change the answer: what does not finish in time is
 * left to reconcile. One helper, so every caller bounds, logs and swallows the same way.
 */
import { errorFields, type Logger } from './log';

export type BudgetOutcome = 'done' | 'timeout' | 'failed';

/**
 * Runs `work` and waits for it at most `budgetMs`; logs `event` with `fields` and the outcome
 * (`timedOut` names the outcome logged on a timeout), and never throws.
 */
export async function awaitWithinBudget(
  work: () => Promise<unknown>,
  budgetMs: number,
  log: Logger,
  event: string,
  fields: Record<string, unknown>,
  timedOut = 'left-to-reconcile',
): Promise<BudgetOutcome> {
  let timer: NodeJS.Timeout | undefined;
  const budget = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), budgetMs);
  });
  try {
    const r = await Promise.race([work().then(() => 'done' as const), budget]);
    if (r === 'timeout') log.warn(event, { ...fields, outcome: timedOut });
    else log.info(event, { ...fields, outcome: 'done' });
    return r;
  } catch (err) {
    log.warn(event, { ...fields, outcome: 'failed', ...errorFields(err) });
    return 'failed';
  } finally {
    clearTimeout(timer);
  }
}
