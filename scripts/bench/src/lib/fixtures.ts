/**
 * Benchmark inputs: a 12-field unifiedorder request (WeChat Pay v2 notes §3.1) and a 23-field payment
 * notification (spec §4.2) in WeChat's own layout (one field per line, CDATA for text, plain digits for
 * some amounts), with Chinese text. Keys are the official demo key and ids (spec §2.7), not secrets.
 */
import { sign, type WxInput } from '@shouyin/shared';

export const MERCHANT = {
  appid: 'wxd930ea5d5a258f4f',
  mchId: '10000100',
  apiKey: '192006250b4c09247ec02edce69f6a2d',
};

export function unifiedOrderFields(): Record<string, string | number> {
  return {
    appid: MERCHANT.appid,
    mch_id: MERCHANT.mchId,
    nonce_str: '5K8264ILTKCH16CQ2502SI8ZNMTM67VS',
    sign_type: 'MD5',
    body: '收银台-会员月卡（连续包月）',
    attach: 'store=SH-0021&channel=mini',
    out_trade_no: 'SY20260118143005K3M9Q2X7ZP4W',
    total_fee: 1990,
    spbill_create_ip: '123.12.12.123',
    notify_url: 'https://pay.example.com/wxpay/pay-notify',
    trade_type: 'JSAPI',
    openid: 'oUpF8uMuAJO_M2pxb1Q9zNjWeS6o',
  };
}

const NOTIFICATION: WxInput = {
  appid: MERCHANT.appid,
  attach: '门店：上海静安店；会员月卡 & 优惠券 <首单>',
  bank_type: 'CMB_CREDIT',
  cash_fee: '1970',
  cash_fee_type: 'CNY',
  coupon_count: '1',
  coupon_fee: '20',
  coupon_fee_0: '20',
  coupon_id_0: '10000012345',
  coupon_type_0: 'CASH',
  fee_type: 'CNY',
  is_subscribe: 'N',
  mch_id: MERCHANT.mchId,
  nonce_str: '1add1a30ac87aa2db72f57a2375d8fec',
  openid: 'oUpF8uMuAJO_M2pxb1Q9zNjWeS6o',
  out_trade_no: 'SY20260118143005K3M9Q2X7ZP4W',
  result_code: 'SUCCESS',
  return_code: 'SUCCESS',
  time_end: '20260118143112',
  total_fee: '1990',
  trade_type: 'JSAPI',
  transaction_id: '4200002345202601181234567890',
};

const PLAIN = new Set(['cash_fee', 'coupon_count', 'coupon_fee', 'coupon_fee_0', 'total_fee']);

/** The notification body, signed with MD5 and without `sign_type` (as WeChat usually sends it). */
export function notificationXml(): string {
  const fields = { ...NOTIFICATION, sign: sign(NOTIFICATION, MERCHANT.apiKey, 'MD5') };
  let xml = '<xml>\n';
  for (const [k, v] of Object.entries(fields)) {
    xml += PLAIN.has(k) ? `<${k}>${v}</${k}>\n` : `<${k}><![CDATA[${v}]]></${k}>\n`;
  }
  return xml + '</xml>';
}
