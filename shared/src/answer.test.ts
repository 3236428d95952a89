import { describe, expect, it } from 'vitest';
import {
  answer,
  answerXml,
  callerOpenid,
  DEADLINE_RESERVE_MS,
  invocationDeadline,
  refuseUserCalls,
  requestBody,
  routeActions,
  xmlResponse,
} from './answer';
import { ERROR_CODES } from './api';
import { ConfigError, InputError, ShouyinError, WxPayTransportError } from './errors';
import { createLogger } from './log';
import { NOTIFY_SUCCESS_XML } from './wxpay/notify';

function capture() {
  const lines: Record<string, unknown>[] = [];
  return { lines, log: createLogger({}, { sink: (l) => lines.push(JSON.parse(l)) }) };
}

describe('answer', () => {
  it('wraps data', async () => {
    const main = answer(async (e) => ({ echo: e.x }));
    expect(await main({ x: 1 })).toEqual({ ok: true, data: { echo: 1 } });
  });

  it('passes public codes through with their message', async () => {
    const { log } = capture();
    const main = answer(async () => {
      throw new InputError('items must be an array');
    }, log);
    expect(await main({})).toEqual({
      ok: false,
      error: { code: 'INVALID_INPUT', message: 'items must be an array' },
    });
  });

  it('hides everything else behind INTERNAL and logs it', async () => {
    const { lines, log } = capture();
    for (const err of [
      new Error('db exploded at 10.0.0.3'),
      new ConfigError('WXPAY_API_KEY', 'is required'),
      new WxPayTransportError('timeout', { delivered: 'unknown' }),
      new ShouyinError('SOMETHING_PRIVATE', 'x'),
      'a string',
    ]) {
      const main = answer(async () => {
        throw err;
      }, log);
      expect(await main({})).toEqual({ ok: false, error: { code: 'INTERNAL', message: 'internal error' } });
    }
    expect(lines.filter((l) => l.event === 'call_failed')).toHaveLength(5);
  });

  it('refuses non-object call data', async () => {
    const { log } = capture();
    const main = answer(async () => 1, log);
    for (const bad of [null, 'x', [1]]) expect((await main(bad)).ok).toBe(false);
  });

  it('every public code has a documented meaning', () => {
    for (const [code, v] of Object.entries(ERROR_CODES)) {
      expect(code).toMatch(/^[A-Z_]+$/);
      expect(v.meaning.length).toBeGreaterThan(10);
    }
  });
});

describe('routeActions', () => {
  const route = routeActions({
    one: async (e, who: string) => `one:${who}:${String(e.v)}`,
    two: async (_e, who: string) => `two:${who}`,
  });
  it('routes by action and passes the context', async () => {
    expect(await route({ action: 'one', v: 5 }, 'me')).toBe('one:me:5');
    expect(await route({ action: 'two' }, 'me')).toBe('two:me');
  });
  it('refuses unknown and inherited actions', async () => {
    for (const action of ['three', 'toString', '__proto__', undefined, 7]) {
      await expect(route({ action }, 'me')).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    }
  });
});

describe('caller checks', () => {
  it('takes the OPENID from the context only', () => {
    expect(callerOpenid({ OPENID: 'oUser' })).toBe('oUser');
    for (const ctx of [{}, { OPENID: '' }, { OPENID: 5 }]) {
      expect(() => callerOpenid(ctx)).toThrow(expect.objectContaining({ code: 'UNAUTHENTICATED' }));
    }
  });
  it('refuses users on internal actions', () => {
    expect(() => refuseUserCalls({})).not.toThrow();
    expect(() => refuseUserCalls({ OPENID: '' })).not.toThrow();
    expect(() => refuseUserCalls({ OPENID: 'oUser' })).toThrow(
      expect.objectContaining({ code: 'FORBIDDEN' }),
    );
  });
});

describe('HTTP helpers', () => {
  it('decodes base64 bodies and passes text through', () => {
    const xml = '<xml><a>乌龙</a></xml>';
    expect(
      Buffer.from(
        requestBody({ body: Buffer.from(xml).toString('base64'), isBase64Encoded: true }),
      ).toString(),
    ).toBe(xml);
    expect(Buffer.from(requestBody({ body: xml, isBase64Encoded: false })).toString()).toBe(xml);
    expect(requestBody({}).byteLength).toBe(0);
    expect(requestBody(null).byteLength).toBe(0);
  });

  it('answers XML as an integration response, FAIL on a throw', async () => {
    expect(xmlResponse(NOTIFY_SUCCESS_XML)).toEqual({
      statusCode: 200,
      headers: { 'content-type': 'text/xml' },
      body: NOTIFY_SUCCESS_XML,
      isBase64Encoded: false,
    });
    const { lines, log } = capture();
    const main = answerXml(async () => {
      throw new Error('database down');
    }, log);
    const r = await main({ body: '' });
    expect(r.statusCode).toBe(200);
    expect(r.body).toContain('<return_code><![CDATA[FAIL]]></return_code>');
    expect(lines.some((l) => l.event === 'notification_failed')).toBe(true);
  });
});

describe('invocationDeadline', () => {
  it('is now + the platform time limit − the reserve, from a number or a numeric string', () => {
    expect(invocationDeadline({ time_limit_in_ms: 20_000 }, 1_000)).toBe(
      1_000 + 20_000 - DEADLINE_RESERVE_MS,
    );
    expect(invocationDeadline({ time_limit_in_ms: '3000' }, 0, 500)).toBe(2500);
  });
  it('is undefined when the context does not say', () => {
    for (const ctx of [undefined, null, {}, { time_limit_in_ms: 'soon' }, { time_limit_in_ms: -1 }])
      expect(invocationDeadline(ctx, 0)).toBeUndefined();
  });
});
