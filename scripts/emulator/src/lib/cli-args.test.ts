import { describe, expect, it } from 'vitest';
import { CliError, DEFAULT_PORT, parseArgs } from './cli-args';

describe('parseArgs', () => {
  it('defaults', () => {
    expect(parseArgs([], '/repo')).toMatchObject({
      port: DEFAULT_PORT,
      host: '127.0.0.1',
      dataDir: './.data',
      clean: false,
      repoRoot: '/repo',
      contextKeys: 'empty',
      base64Bodies: true,
      timers: true,
      sandbox: false,
      seedDemo: false,
    });
  });

  it('reads every flag, with or without =', () => {
    const a = parseArgs(
      [
        '--port=0',
        '--data-dir',
        '/tmp/d',
        '--clean',
        '--functions',
        'a, b',
        '--context-keys',
        'env-source',
        '--raw-bodies',
        '--no-timers',
        '--sandbox',
        '--seed-demo',
        '--max-instances',
        '3',
        '--timeout-scale',
        '2',
      ],
      '/repo',
    );
    expect(a).toMatchObject({
      port: 0,
      dataDir: '/tmp/d',
      clean: true,
      functions: ['a', 'b'],
      contextKeys: 'env-source',
      base64Bodies: false,
      timers: false,
      sandbox: true,
      seedDemo: true,
      maxInstances: 3,
      timeoutScale: 2,
    });
  });

  it('refuses unknown flags and bad values', () => {
    expect(() => parseArgs(['--nope'], '/')).toThrow(CliError);
    expect(() => parseArgs(['--port', '-1'], '/')).toThrow(/integer/);
    expect(() => parseArgs(['--port'], '/')).toThrow(/needs a value/);
    expect(() => parseArgs(['--context-keys', 'all'], '/')).toThrow(CliError);
  });
});
