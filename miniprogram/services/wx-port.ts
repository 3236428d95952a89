/**
 * The few `wx` APIs the mini-program uses, as structural types. Pages pass the real `wx` (the mini-program
 * type check proves it fits, against miniprogram-api-typings); tests pass a typed fake. Logic modules only
 * ever see this port, never the global.
 */
import type { RequestPaymentParams } from './api-types';

/** What every failing wx API rejects with (WechatMiniprogram.GeneralCallbackResult, plus cloud's errCode). */
export interface WxFailure {
  errMsg: string;
  errCode?: number;
}

export interface CallFunctionPort {
  callFunction(option: { name: string; data: Record<string, unknown> }): Promise<{ result?: unknown }>;
}

export interface WxPort {
  cloud: CallFunctionPort;
  requestPayment(option: RequestPaymentParams): Promise<unknown>;
  /** Resolves `{[templateId]: 'accept' | 'reject' | 'ban' | 'filter', errMsg}`. */
  requestSubscribeMessage(option: { tmplIds: string[] }): Promise<Record<string, string>>;
  scanCode(option: { onlyFromCamera?: boolean; scanType?: ('barCode' | 'qrCode')[] }): Promise<{
    result: string;
  }>;
  /** WeChat's own confirm-receipt page (`businessType: 'weappOrderConfirm'`). */
  openBusinessView(option: { businessType: string; extraData?: Record<string, unknown> }): Promise<unknown>;
  getStorageSync(key: string): unknown;
  setStorageSync(key: string, data: unknown): void;
}

/** A wx failure's errMsg, whatever was thrown. */
export function errMsgOf(e: unknown): string {
  if (typeof e === 'object' && e !== null && typeof (e as WxFailure).errMsg === 'string') {
    return (e as WxFailure).errMsg;
  }
  return e instanceof Error ? e.message : String(e);
}
