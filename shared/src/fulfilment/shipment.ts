/**
 * The merchant's `ship` / `amend` input, validated per logistics type before anything is read (docs/fulfilment.md):
 * express needs a known company and a tracking number, SF Express also a receiver contact (stored masked,
 * last 4 digits visible); same-city may name a courier and tracking number; virtual goods and pickup carry
 * neither. The item description defaults to the order lines and never exceeds WeChat's 120 characters.
 */
import { InputError } from '../errors';
import type { OrderLine } from '../orders/records';
import { OUT_TRADE_NO } from '../wxpay/ids';
import { SF_EXPRESS } from './express';
import { LOGISTICS_TYPES, type LogisticsType, type Shipment } from './records';

export const ITEM_DESC_MAX = 120;
const TRACKING_NO = /^[A-Za-z0-9-]{1,128}$/;

/** What the caller sent, before the order is known (the item description default needs its lines). */
export interface ShipmentInput {
  outTradeNo: string;
  logisticsType: LogisticsType;
  expressCompany?: string;
  trackingNo?: string;
  itemDesc?: string;
  receiverContact?: string;
}

const chars = (s: string): number => [...s].length;
const optionalString = (event: Record<string, unknown>, key: string): string | undefined => {
  const v = event[key];
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v !== 'string') throw new InputError(`${key} must be a string`);
  return v.trim();
};

/**
 * A receiver contact masked as WeChat wants it: digits, '-', '+' and '*', with the last 4 digits visible.
 * An unmasked phone number is masked here (all digits but the first 3 and the last 4), so the full number
 * is never stored or sent.
 */
export function maskContact(raw: string): string {
  const s = raw.replace(/\s+/g, '');
  if (!/^[0-9+*-]{4,32}$/.test(s))
    throw new InputError('receiverContact must be a phone number (digits, +, -, *)');
  const lastFour = s.replace(/[^0-9*]/g, '').slice(-4);
  if (!/^\d{4}$/.test(lastFour)) throw new InputError('receiverContact must show its last 4 digits');
  if (s.includes('*')) return s;
  const digits = s.replace(/\D/g, '');
  if (digits.length < 8) throw new InputError('receiverContact is too short to be masked');
  let seen = 0;
  return s.replace(/\d/g, (d) => {
    seen++;
    return seen <= 3 || seen > digits.length - 4 ? d : '*';
  });
}

export function parseShipmentInput(event: Record<string, unknown>): ShipmentInput {
  const { outTradeNo, logisticsType } = event;
  if (typeof outTradeNo !== 'string' || !OUT_TRADE_NO.test(outTradeNo))
    throw new InputError('outTradeNo is not an order number');
  if (!(LOGISTICS_TYPES as readonly unknown[]).includes(logisticsType))
    throw new InputError('logisticsType must be 1 (express), 2 (same-city), 3 (virtual) or 4 (pickup)');
  const input: ShipmentInput = { outTradeNo, logisticsType: logisticsType as LogisticsType };
  const expressCompany = optionalString(event, 'expressCompany');
  const trackingNo = optionalString(event, 'trackingNo');
  const itemDesc = optionalString(event, 'itemDesc');
  const contact = optionalString(event, 'receiverContact');
  if (expressCompany !== undefined) input.expressCompany = expressCompany.toUpperCase();
  if (trackingNo !== undefined) input.trackingNo = trackingNo;
  if (itemDesc !== undefined) input.itemDesc = itemDesc;
  if (contact !== undefined) input.receiverContact = contact;
  return input;
}

/** The shipment to record, or INVALID_INPUT saying what is missing for this logistics type. */
export function validateShipment(
  input: ShipmentInput,
  lines: readonly OrderLine[],
  companies: Readonly<Record<string, string>>,
): Shipment {
  const { logisticsType, expressCompany, trackingNo } = input;
  const shipment: Shipment = { logisticsType, itemDesc: itemDescOf(input.itemDesc, lines) };
  if (trackingNo !== undefined && !TRACKING_NO.test(trackingNo))
    throw new InputError('trackingNo must be 1-128 letters, digits or -');
  if (expressCompany !== undefined && !Object.hasOwn(companies, expressCompany))
    throw new InputError(
      `expressCompany ${JSON.stringify(expressCompany.slice(0, 32))} is not a known company code`,
    );
  if (logisticsType === 1) {
    if (expressCompany === undefined) throw new InputError('an express shipment needs expressCompany');
    if (trackingNo === undefined) throw new InputError('an express shipment needs trackingNo');
  } else if (logisticsType === 2) {
    if ((expressCompany === undefined) !== (trackingNo === undefined))
      throw new InputError('a same-city courier needs both expressCompany and trackingNo, or neither');
  } else if (expressCompany !== undefined || trackingNo !== undefined) {
    throw new InputError('virtual goods and pickup carry no expressCompany or trackingNo');
  }
  if (expressCompany !== undefined) shipment.expressCompany = expressCompany;
  if (trackingNo !== undefined) shipment.trackingNo = trackingNo;
  if (input.receiverContact !== undefined) shipment.receiverContact = maskContact(input.receiverContact);
  if (expressCompany === SF_EXPRESS && shipment.receiverContact === undefined)
    throw new InputError('SF Express needs receiverContact (masked, last 4 digits visible)');
  return shipment;
}

/** The merchant's description, or "name*qty;…" of the order lines cut to 120 characters. */
export function itemDescOf(given: string | undefined, lines: readonly OrderLine[]): string {
  if (given !== undefined) {
    if (chars(given) > ITEM_DESC_MAX)
      throw new InputError(`itemDesc is longer than ${ITEM_DESC_MAX} characters`);
    if (/\p{Cc}/u.test(given)) throw new InputError('itemDesc has control characters');
    return given;
  }
  const all = lines.map((l) => `${l.name}*${l.quantity}`).join(';');
  const cs = [...all];
  return cs.length <= ITEM_DESC_MAX ? all : `${cs.slice(0, ITEM_DESC_MAX - 3).join('')}...`;
}
