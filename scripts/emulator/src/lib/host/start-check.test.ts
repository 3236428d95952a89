import { describe, expect, it } from 'vitest';
import type { FunctionSpec } from '../project';
import { checkFunctionsLoad, redactValues } from './start-check';

const spec = (name: string, env: Record<string, string>) =>
  ({
    name,
    env,
    dir: '',
    handler: 'index.main',
    timeoutMs: 3000,
    memoryMb: 256,
    triggers: [],
  }) as FunctionSpec;

describe('start check', () => {
  it('reports each function whose cold start fails, with every variable value redacted', async () => {
    const specs = [spec('good', { A: 'x' }), spec('bad', { WXPAY_API_KEY: 'sekrit-value-123', N: '7' })];
    const problems = await checkFunctionsLoad(specs, (s) => ({
      start: () =>
        s.name === 'bad'
          ? Promise.reject(
              new Error('function bad failed to load: WXPAY_API_KEY "sekrit-value-123" is not 32 characters'),
            )
          : Promise.resolve(),
      terminate: () => Promise.resolve(),
    }));
    expect(problems).toEqual([
      'bad cannot start (its cold start fails, so would every call): WXPAY_API_KEY "***" is not 32 characters',
    ]);
  });

  it('redacts longest values first', () => {
    expect(redactValues('a=abcdef b=abc', { A: 'abc', B: 'abcdef' })).toBe('a=*** b=***');
  });
});
