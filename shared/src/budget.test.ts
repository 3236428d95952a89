import { describe, expect, it } from 'vitest';
import { awaitWithinBudget } from './budget';
import { createLogger } from './log';

function capture() {
  const lines: Record<string, unknown>[] = [];
  return { lines, log: createLogger({}, { sink: (l) => lines.push(JSON.parse(l)) }) };
}

describe('awaitWithinBudget', () => {
  it('waits for work that finishes in time', async () => {
    const { lines, log } = capture();
    expect(await awaitWithinBudget(async () => 1, 1000, log, 'ev', { id: 'x' })).toBe('done');
    expect(lines).toMatchObject([{ event: 'ev', id: 'x', outcome: 'done' }]);
  });
  it('stops waiting at the budget, and says what it left', async () => {
    const { lines, log } = capture();
    const never = () => new Promise<void>(() => {});
    expect(await awaitWithinBudget(never, 10, log, 'ev', {}, 'still-running')).toBe('timeout');
    expect(lines).toMatchObject([{ outcome: 'still-running' }]);
  });
  it('never throws: a failure is logged without a stack of secrets', async () => {
    const { lines, log } = capture();
    const boom = async () => {
      throw new Error('43101');
    };
    expect(await awaitWithinBudget(boom, 1000, log, 'ev', {})).toBe('failed');
    expect(lines[0]).toMatchObject({ outcome: 'failed' });
  });
});
