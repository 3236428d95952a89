import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { type SandboxInfoLike, type SandboxModuleLike, sandboxEnv, startLocalStack } from './local-stack';

const FIXTURES = path.resolve(__dirname, '../../test-fixtures');

const info: SandboxInfoLike = {
  baseUrl: 'https://127.0.0.1:4443',
  caFile: '/state/certs/ca.pem',
  merchants: [
    {
      appid: 'wx1111111111111111',
      mchId: '1900000109',
      apiKey: 'k'.repeat(32),
      signType: 'MD5',
      certFile: '/state/certs/1900000109/apiclient_cert.pem',
      keyFile: '/state/certs/1900000109/apiclient_key.pem',
    },
  ],
};

describe('sandboxEnv', () => {
  it('maps the sandbox and the emulator notify routes to the variables shared/src/config.ts reads', () => {
    const env = sandboxEnv(info, {
      baseUrl: 'http://127.0.0.1:9',
      functions: {},
      routes: { '/wxpay/pay-notify': 'http://127.0.0.1:9/wxpay/pay-notify' },
    });
    expect(env).toEqual({
      SHOUYIN_ALLOW_LOCAL_GATEWAY: 'true',
      WXPAY_BASE_URL: 'https://127.0.0.1:4443',
      WXPAY_CA_FILE: '/state/certs/ca.pem',
      WXPAY_APPID: 'wx1111111111111111',
      WXPAY_MCH_ID: '1900000109',
      WXPAY_API_KEY: 'k'.repeat(32),
      WXPAY_SIGN_TYPE: 'MD5',
      WXPAY_CERT_PATH: '/state/certs/1900000109/apiclient_cert.pem',
      WXPAY_KEY_PATH: '/state/certs/1900000109/apiclient_key.pem',
      WXPAY_PAY_NOTIFY_URL: 'http://127.0.0.1:9/wxpay/pay-notify',
    });
    expect(() => sandboxEnv(info, { baseUrl: '', functions: {}, routes: {} }, '123')).toThrow(
      /no merchant 123/,
    );
  });
});

describe('startLocalStack', () => {
  it('starts the sandbox first and gives the functions its variables and the merchant appid', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'emu-stack-'));
    const calls: unknown[] = [];
    let stopped = false;
    const module: SandboxModuleLike = {
      startSandbox: async (opts) => {
        calls.push(opts);
        return {
          baseUrl: info.baseUrl,
          info,
          stateDir: opts.stateDir,
          stop: async () => {
            stopped = true;
          },
        };
      },
    };
    try {
      const stack = await startLocalStack({
        repoRoot: FIXTURES,
        functions: ['sample'],
        dataDir,
        runTimers: false,
        sandbox: { module },
      });
      expect(calls).toEqual([
        expect.objectContaining({ stateDir: path.join(dataDir, 'sandbox'), allowLoopbackNotify: true }),
      ]);
      expect(stack.emulator.info.sandbox).toBe(path.join(dataDir, 'sandbox', 'sandbox.json'));
      const r = (await stack.emulator.invoke('sample', { action: 'whoami' }, { openid: 'o' })) as {
        result: { ctx: Record<string, unknown>; env: Record<string, unknown> };
      };
      expect(r.result.ctx.APPID).toBe('wx1111111111111111');
      expect(r.result.env.WXPAY_BASE_URL).toBe('https://127.0.0.1:4443');
      await stack.stop();
      expect(stopped).toBe(true);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
