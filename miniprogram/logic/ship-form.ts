/**
 * The merchant's ship form, checked before `fulfilOrder.ship`: per logistics type (1 express needs a
 * company and a tracking number; SF Express also a receiver contact, sent masked with the last 4 digits
 * visible), item description ≤ 120 characters (WeChat's item_desc).
 */
import type { LogisticsType, ShipInput } from '../services/api-types';

export const ITEM_DESC_MAX = 120;
export const SF_CODE = 'SF';
const TRACKING = /^[A-Za-z0-9-]{6,32}$/;
const PHONE = /^1[3-9][0-9]{9}$/;
const MASKED = /^[0-9]{3}\*{4}[0-9]{4}$/;

export interface ShipForm {
  outTradeNo: string;
  logisticsType: LogisticsType;
  expressCompany: string;
  trackingNo: string;
  receiverContact: string;
  itemDesc: string;
}

export type ShipFormResult =
  | { ok: true; input: ShipInput }
  | { ok: false; errors: Partial<Record<keyof ShipForm, string>> };

/** "13812345678" → "138****5678"; an already masked number passes; anything else → undefined. */
export function maskContact(text: string): string | undefined {
  const t = text.replace(/\s+/g, '');
  if (MASKED.test(t)) return t;
  return PHONE.test(t) ? `${t.slice(0, 3)}****${t.slice(-4)}` : undefined;
}

/** A tracking number read from the waybill barcode (wx.scanCode), or typed. */
export function normalizeTrackingNo(text: string): string {
  return text.replace(/\s+/g, '').toUpperCase();
}

export function checkShipment(form: ShipForm, companies: readonly { code: string }[]): ShipFormResult {
  const errors: Partial<Record<keyof ShipForm, string>> = {};
  const itemDesc = form.itemDesc.trim();
  if ([...itemDesc].length > ITEM_DESC_MAX) errors.itemDesc = `商品描述不能超过 ${ITEM_DESC_MAX} 个字`;
  if (![1, 2, 3, 4].includes(form.logisticsType)) errors.logisticsType = '请选择发货方式';
  const input: ShipInput = {
    outTradeNo: form.outTradeNo,
    logisticsType: form.logisticsType,
    ...(itemDesc ? { itemDesc } : {}),
  };
  if (form.logisticsType === 1) {
    const trackingNo = normalizeTrackingNo(form.trackingNo);
    if (!companies.some((c) => c.code === form.expressCompany)) errors.expressCompany = '请选择快递公司';
    if (trackingNo === '') errors.trackingNo = '请填写快递单号';
    else if (!TRACKING.test(trackingNo)) errors.trackingNo = '快递单号应为 6–32 位字母或数字';
    input.expressCompany = form.expressCompany;
    input.trackingNo = trackingNo;
    if (form.expressCompany === SF_CODE) {
      const contact = maskContact(form.receiverContact);
      if (!contact) errors.receiverContact = '顺丰快递需要收件人手机号';
      else input.receiverContact = contact;
    }
  }
  return Object.keys(errors).length > 0 ? { ok: false, errors } : { ok: true, input };
}
