import { describe, expect, it } from 'vitest';
import { failureReply, fromIntegrationResult, matchRoute, toIntegrationEvent } from './integration';

const request = (contentType: string | undefined, body: string) => ({
  method: 'post',
  path: '/wxpay/pay-notify',
  query: new URLSearchParams('a=1&b=2&b=3'),
  headers: { 'Content-Type': contentType, 'X-Multi': ['x', 'y'] } as Record<
    string,
    string | string[] | undefined
  >,
  body: Buffer.from(body),
});

describe('toIntegrationEvent (spec §5.1)', () => {
  it('maps method, path, lower-cased headers, query and request context', () => {
    const e = toIntegrationEvent(request('text/xml', '<xml/>'), {
      requestId: 'r1',
      envId: 'env',
      base64Bodies: true,
    });
    expect(e).toMatchObject({
      path: '/wxpay/pay-notify',
      httpMethod: 'POST',
      headers: { 'content-type': 'text/xml', 'x-multi': 'x, y' },
      queryStringParameters: { a: '1', b: '3' },
      requestContext: { requestId: 'r1', envId: 'env', appId: expect.any(Number), uin: expect.any(Number) },
    });
  });

  it('base64-encodes non-JSON bodies by default, never JSON ones, none when switched off', () => {
    const xml = '<xml><a><![CDATA[中文]]></a></xml>';
    const b64 = toIntegrationEvent(request('text/xml', xml), {
      requestId: 'r',
      envId: 'e',
      base64Bodies: true,
    });
    expect(b64.isBase64Encoded).toBe(true);
    expect(Buffer.from(b64.body, 'base64').toString('utf8')).toBe(xml);
    const json = toIntegrationEvent(request('application/json; charset=utf-8', '{"a":1}'), {
      requestId: 'r',
      envId: 'e',
      base64Bodies: true,
    });
    expect([json.isBase64Encoded, json.body]).toEqual([false, '{"a":1}']);
    const raw = toIntegrationEvent(request('text/xml', xml), {
      requestId: 'r',
      envId: 'e',
      base64Bodies: false,
    });
    expect([raw.isBase64Encoded, raw.body]).toEqual([false, xml]);
    const empty = toIntegrationEvent(request(undefined, ''), {
      requestId: 'r',
      envId: 'e',
      base64Bodies: true,
    });
    expect([empty.isBase64Encoded, empty.body]).toEqual([false, '']);
  });
});

describe('fromIntegrationResult', () => {
  it('an integration response is used as the HTTP response', () => {
    const r = fromIntegrationResult({
      statusCode: 200,
      headers: { 'Content-Type': 'text/xml' },
      body: '<xml/>',
    });
    expect([r.statusCode, r.headers, r.body.toString()]).toEqual([
      200,
      { 'content-type': 'text/xml' },
      '<xml/>',
    ]);
    const b = fromIntegrationResult({
      statusCode: 202,
      body: Buffer.from('hi').toString('base64'),
      isBase64Encoded: true,
    });
    expect([b.statusCode, b.body.toString()]).toEqual([202, 'hi']);
  });

  it('strings and numbers become text/plain; other values JSON', () => {
    expect(fromIntegrationResult('ok').headers['content-type']).toMatch(/^text\/plain/);
    expect(fromIntegrationResult(42).body.toString()).toBe('42');
    const o = fromIntegrationResult({ a: 1 });
    expect([o.statusCode, o.headers['content-type'], o.body.toString()]).toEqual([
      200,
      'application/json; charset=utf-8',
      '{"a":1}',
    ]);
    expect(fromIntegrationResult(null).body.toString()).toBe('null');
  });

  it('failures are a 502 with the request id', () => {
    const f = failureReply('rid', 'boom', false);
    expect(f.statusCode).toBe(502);
    expect(JSON.parse(f.body.toString())).toMatchObject({ requestId: 'rid', errorMessage: 'boom' });
  });
});

describe('matchRoute', () => {
  const routes = [
    { path: '/wxpay/pay-notify', function: 'payNotify' },
    { path: '/wxpay', function: 'other' },
  ];
  it('matches exactly or by path prefix at a segment boundary, longest first', () => {
    expect(matchRoute(routes, '/wxpay/pay-notify')?.function).toBe('payNotify');
    expect(matchRoute(routes, '/wxpay/pay-notify/x')?.function).toBe('payNotify');
    expect(matchRoute(routes, '/wxpay/pay-notifyX')?.function).toBe('other');
    expect(matchRoute(routes, '/elsewhere')).toBeUndefined();
  });
});
