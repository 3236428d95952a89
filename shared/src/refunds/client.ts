/**
 * The WeChat Pay client of the functions that refund (applyRefund, reconcile's resends): with the merchant
 * certificate for /secapi/ mutual TLS. PEM or .p12 files are read at cold start by clientOptionsFromConfig;
 * a certificate kept in cloud storage (WXPAY_CERT_FILE_ID/WXPAY_KEY_FILE_ID) is downloaded once, on the
 * first call that needs the client, and reused by the warm instance.
 */
import {
  clientOptionsFromConfig,
  type DownloadFile,
  loadClientCertificate,
  type ShouyinConfig,
} from '../config';
import { createWxPayClient } from '../wxpay/client';
import type { WxPayClient } from '../wxpay/client-api';

export function refundClient(config: ShouyinConfig, download: DownloadFile): WxPayClient {
  if (config.certificate?.kind !== 'cloud') return createWxPayClient(clientOptionsFromConfig(config));
  let ready: Promise<WxPayClient> | undefined;
  const client = () => {
    ready ??= loadClientCertificate(config, { download }).then((certificate) =>
      createWxPayClient(clientOptionsFromConfig(config, undefined, { certificate })),
    );
    ready.catch(() => {
      ready = undefined; // a failed download is tried again by the next call
    });
    return ready;
  };
  return {
    merchant: { appid: config.appid, mchId: config.mchId, signType: config.signType },
    unifiedOrder: async (r) => (await client()).unifiedOrder(r),
    orderQuery: async (r) => (await client()).orderQuery(r),
    closeOrder: async (r) => (await client()).closeOrder(r),
    refund: async (r) => (await client()).refund(r),
    refundQuery: async (r) => (await client()).refundQuery(r),
  };
}
