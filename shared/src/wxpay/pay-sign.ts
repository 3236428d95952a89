/**
 * JSAPI pay parameters for `wx.requestPayment` (WeChat Pay v2 notes §2.4, pitfall 4): a new signature over
 * exactly appId, timeStamp (Unix seconds as a string), nonceStr, package=prepay_id=..., signType (equal to
 * the order's sign type). appId is signed but not passed to wx.requestPayment.
 */
import { newNonce } from './nonce';
import { sign } from './sign';
import type { SignType } from './types';

export interface RequestPaymentParams {
  timeStamp: string;
  nonceStr: string;
  package: string;
  signType: SignType;
  paySign: string;
}

export function jsapiPayParams(input: {
  appId: string;
  prepayId: string;
  apiKey: string;
  signType: SignType;
  /** Unix time in milliseconds (defaults to now); sent as whole seconds. */
  nowMs?: number;
  nonceStr?: string;
}): RequestPaymentParams {
  const timeStamp = String(Math.floor((input.nowMs ?? Date.now()) / 1000));
  const nonceStr = input.nonceStr ?? newNonce();
  const pkg = `prepay_id=${input.prepayId}`;
  const paySign = sign(
    { appId: input.appId, timeStamp, nonceStr, package: pkg, signType: input.signType },
    input.apiKey,
    input.signType,
  );
  return { timeStamp, nonceStr, package: pkg, signType: input.signType, paySign };
}
