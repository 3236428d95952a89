/**
 * The refunding functions' client with a certificate kept in cloud storage: downloaded once, at the first
 * refund; every other API (reconcile's orderquery, closeorder, refundquery) runs without waiting for it; the
 * invocation's deadline passes through.
 */
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config';
import { WxPayTransportError } from '../errors';
import { createTestPki } from '../wxpay/test-certs';
import type { PostXmlOptions } from '../wxpay/transport';
import { refundClient } from './client';

const pki = createTestPki('1900000109');
const config = loadConfig(
  {
    WXPAY_APPID: 'wxd930ea5d5a258f4f',
    WXPAY_MCH_ID: '1900000109',
    WXPAY_API_KEY: 'Zq3vN8pX2mL7kR4tY9wB1cD6fG0hJ5sA',
    WXPAY_CERT_FILE_ID: 'cloud://env.b/certs/apiclient_cert.pem',
    WXPAY_KEY_FILE_ID: 'cloud://env.b/certs/apiclient_key.pem',
    WXPAY_SPBILL_CREATE_IP: '10.0.0.1',
  },
  {},
);

function setup() {
  const downloads: string[] = [];
  const sent: Array<{ url: string; opts: PostXmlOptions }> = [];
  const client = refundClient(
    config,
    async (id) => {
      downloads.push(id);
      return Buffer.from(id.endsWith('key.pem') ? pki.client.key : pki.client.cert);
    },
    {
      postXml: async (url, _body, opts) => {
        sent.push({ url, opts });
        throw new WxPayTransportError('no network in this test', { delivered: 'unknown' });
      },
      sleep: async () => {},
    },
  );
  return { client, downloads, sent };
}

describe('refundClient with a cloud-stored certificate', () => {
  it('queries without downloading it, and downloads it once for refunds', async () => {
    const { client, downloads, sent } = setup();
    await expect(client.orderQuery({ out_trade_no: 'SY20261205100000AAAAAAAAAAAA' })).rejects.toThrow();
    await expect(client.refundQuery({ out_refund_no: 'RF20261205100000AAAAAAAAAAAA' })).rejects.toThrow();
    expect(downloads).toEqual([]);
    expect(sent.every((s) => s.opts.certificate === undefined)).toBe(true);
    const refund = {
      out_trade_no: 'SY20261205100000AAAAAAAAAAAA',
      out_refund_no: 'RF20261205100000AAAAAAAAAAAA',
      total_fee: 100,
      refund_fee: 100,
    };
    await expect(client.refund(refund)).rejects.toThrow();
    await expect(client.refund(refund)).rejects.toThrow();
    expect(downloads.sort()).toEqual([
      'cloud://env.b/certs/apiclient_cert.pem',
      'cloud://env.b/certs/apiclient_key.pem',
    ]);
    const refunds = sent.filter((s) => s.url.endsWith('/secapi/pay/refund'));
    expect(refunds.length).toBeGreaterThan(0);
    expect(refunds.every((s) => s.opts.certificate?.kind === 'pem')).toBe(true);
  });

  it('passes the deadline through to every call', async () => {
    const { client, sent } = setup();
    await expect(
      client.orderQuery({ out_trade_no: 'SY20261205100000AAAAAAAAAAAA' }, { deadline: Date.now() + 1200 }),
    ).rejects.toThrow();
    expect(sent[0]!.opts.timeoutMs).toBeLessThanOrEqual(1200);
  });
});
