/**
 * The real `wx`, seen through the ports (this file is where the mini-program type check proves the ports
 * fit miniprogram-api-typings). Pages import from here; logic modules never do.
 */

import type { DatabasePort } from './catalogue';
import { type Api, createApi } from './client';
import type { WxPort } from './wx-port';

/** In the base library (确认收货组件, 微信支付分) but not in miniprogram-api-typings 5.2.3. */
interface OpenBusinessView {
  openBusinessView: WxPort['openBusinessView'];
}

export function realWx(): WxPort {
  const port: WxPort = {
    cloud: { callFunction: (o) => wx.cloud.callFunction(o) },
    requestPayment: (o) => wx.requestPayment(o),
    requestSubscribeMessage: (o) => wx.requestSubscribeMessage(o),
    scanCode: (o) => wx.scanCode(o),
    openBusinessView: (o) => (wx as unknown as OpenBusinessView).openBusinessView(o),
    getStorageSync: (k) => wx.getStorageSync(k),
    setStorageSync: (k, v) => wx.setStorageSync(k, v),
  };
  return port;
}

let api: Api | undefined;

export function realApi(): Api {
  if (!api) api = createApi(realWx().cloud);
  return api;
}

export function realDatabase(): DatabasePort {
  const db: DatabasePort = wx.cloud.database();
  return db;
}

/** Opens a page; a failure shows a toast (callback style: no promise is left unhandled). */
export function go(how: 'navigateTo' | 'redirectTo', url: string): void {
  const fail = () => wx.showToast({ title: '页面打开失败', icon: 'none', fail: () => undefined });
  if (how === 'navigateTo') wx.navigateTo({ url, fail });
  else wx.redirectTo({ url, fail });
}

/** Ends the pull-down refresh animation. */
export function stopRefresh(): void {
  wx.stopPullDownRefresh({ fail: () => undefined });
}

/** Copies text and says so. */
export function copy(data: string): void {
  wx.setClipboardData({ data, fail: () => undefined });
}
