/**
 * The WeChat Pay client of the functions that refund (applyRefund, reconcile's resends): with the merchant
 * certificate for /secapi/ mutual TLS. PEM or .p12 files are read at cold start by clientOptionsFromConfig;
 * a certificate kept in cloud storage (WXPAY_CERT_FILE_ID/WXPAY_KEY_FILE_ID) is downloaded once, on the
 * first refund (the only API over mutual TLS), and reused by the warm instance; the other APIs never wait
 * for it. Per-call options (the invocation's deadline) pass through unchanged.
 */
import {
  clientOptionsFromConfig,
  type DownloadFile,
  loadClientCertificate,
  type ShouyinConfig,
} from '../config';
import { createWxPayClient, type WxPayClientDeps } from '../wxpay/client';
import type { WxPayClient } from '../wxpay/client-api';

export function refundClient(
  config: ShouyinConfig,
  download: DownloadFile,
  clientDeps?: WxPayClientDeps,
): WxPayClient {
  const plain = createWxPayClient(clientOptionsFromConfig(config), clientDeps);
  if (config.certificate?.kind !== 'cloud') return plain;
  let ready: Promise<WxPayClient> | undefined;
  const client = () => {
    ready ??= loadClientCertificate(config, { download }).then((certificate) =>
      createWxPayClient(clientOptionsFromConfig(config, undefined, { certificate }), clientDeps),
    );
    ready.catch(() => {
      ready = undefined; // a failed download is tried again by the next call
    });
    return ready;
  };
  return {
    merchant: { appid: config.appid, mchId: config.mchId, signType: config.signType },
    unifiedOrder: (r, o) => plain.unifiedOrder(r, o),
    orderQuery: (r, o) => plain.orderQuery(r, o),
    closeOrder: (r, o) => plain.closeOrder(r, o),
    refund: async (r, o) => (await client()).refund(r, o),
    refundQuery: (r, o) => plain.refundQuery(r, o),
  };
}
