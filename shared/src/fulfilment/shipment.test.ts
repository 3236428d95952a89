import { describe, expect, it } from 'vitest';
import { ConfigError, InputError } from '../errors';
import type { OrderLine } from '../orders/records';
import { BUILT_IN_EXPRESS_COMPANIES, expressCompanies } from './express';
import { itemDescOf, maskContact, parseShipmentInput, validateShipment } from './shipment';
import { rfc3339Beijing, uploadPayload } from './upload-payload';

const LINES: OrderLine[] = [
  { productId: 'latte', name: '拿铁咖啡', unitFee: 1800, quantity: 2, lineFee: 3600 },
  { productId: 'croissant', name: '黄油可颂', unitFee: 1200, quantity: 1, lineFee: 1200 },
];
const NO = 'SY20261205100000ABCDEFGHIJKL';
const parse = (e: Record<string, unknown>) => parseShipmentInput({ outTradeNo: NO, ...e });
const valid = (e: Record<string, unknown>) => validateShipment(parse(e), LINES, BUILT_IN_EXPRESS_COMPANIES);

describe('shipment input', () => {
  it('express needs a known company and a tracking number', () => {
    expect(valid({ logisticsType: 1, expressCompany: 'zto', trackingNo: 'ZT123' })).toEqual({
      logisticsType: 1,
      expressCompany: 'ZTO',
      trackingNo: 'ZT123',
      itemDesc: '拿铁咖啡*2;黄油可颂*1',
    });
    expect(() => valid({ logisticsType: 1, expressCompany: 'ZTO' })).toThrow(/trackingNo/);
    expect(() => valid({ logisticsType: 1, trackingNo: 'ZT123' })).toThrow(/expressCompany/);
    expect(() => valid({ logisticsType: 1, expressCompany: 'XX', trackingNo: 'ZT123' })).toThrow(/known/);
    expect(() => valid({ logisticsType: 1, expressCompany: 'ZTO', trackingNo: 'ZT 123' })).toThrow(
      InputError,
    );
  });

  it('SF needs a contact, stored masked', () => {
    expect(() => valid({ logisticsType: 1, expressCompany: 'SF', trackingNo: 'SF1' })).toThrow(/SF Express/);
    expect(
      valid({ logisticsType: 1, expressCompany: 'SF', trackingNo: 'SF1', receiverContact: '138 1234 5678' }),
    ).toMatchObject({ receiverContact: '138****5678' });
  });

  it('same-city may name a courier (both fields or neither); virtual and pickup carry none', () => {
    expect(valid({ logisticsType: 2 })).toMatchObject({ logisticsType: 2 });
    expect(() => valid({ logisticsType: 2, trackingNo: 'X1' })).toThrow(/both/);
    expect(valid({ logisticsType: 3, itemDesc: '电子礼品卡' })).toEqual({
      logisticsType: 3,
      itemDesc: '电子礼品卡',
    });
    expect(() => valid({ logisticsType: 4, expressCompany: 'ZTO', trackingNo: 'Z1' })).toThrow(/pickup/);
  });

  it('refuses bad types and ids before anything else', () => {
    expect(() => parse({ logisticsType: 5 })).toThrow(/logisticsType/);
    expect(() => parse({ logisticsType: '1' })).toThrow(/logisticsType/);
    expect(() => parseShipmentInput({ outTradeNo: 'x', logisticsType: 1 })).toThrow(/outTradeNo/);
    expect(() => parse({ logisticsType: 1, trackingNo: 42 })).toThrow(/string/);
  });

  it('item descriptions: at most 120 characters; the default is cut with ...', () => {
    expect(() => itemDescOf('咖'.repeat(121), LINES)).toThrow(/120/);
    expect(itemDescOf('咖'.repeat(120), LINES)).toHaveLength(120);
    const many = Array.from({ length: 30 }, (_, i) => ({ ...LINES[0]!, name: `商品名称${i}` }));
    const d = itemDescOf(undefined, many);
    expect([...d]).toHaveLength(120);
    expect(d.endsWith('...')).toBe(true);
  });
});

describe('masked contacts', () => {
  it.each([
    ['13812345678', '138****5678'],
    ['189****1234', '189****1234'],
    ['021-****1234', '021-****1234'],
    ['+86-17712341234', '+86-1******1234'],
  ])('%s → %s', (raw, masked) => expect(maskContact(raw)).toBe(masked));
  it.each(['1234', '138****56', 'abc12345678', '138****567*'])('refuses %s', (raw) =>
    expect(() => maskContact(raw)).toThrow(InputError),
  );
});

describe('express companies', () => {
  it('extends the built-in table from configuration', () => {
    expect(expressCompanies('KYE:跨越速运, ANE:安能物流')).toMatchObject({
      KYE: '跨越速运',
      ANE: '安能物流',
      SF: '顺丰速运',
    });
    expect(() => expressCompanies('kye')).toThrow(ConfigError);
    expect(() => expressCompanies('KYE:a:b')).toThrow(ConfigError);
  });
});

describe('upload payload', () => {
  it('names the payment by transaction_id, one unified delivery, upload_time in +08:00', () => {
    const p = uploadPayload(
      { _id: NO, _openid: 'o-buyer', transactionId: '4200000000202612050000000001' },
      {
        logisticsType: 1,
        expressCompany: 'SF',
        trackingNo: 'SF1',
        itemDesc: 'x',
        receiverContact: '138****5678',
      },
      Date.parse('2022-12-15T05:29:35.120Z'),
    );
    expect(p).toEqual({
      order_key: { order_number_type: 2, transaction_id: '4200000000202612050000000001' },
      logistics_type: 1,
      delivery_mode: 1,
      shipping_list: [
        {
          item_desc: 'x',
          tracking_no: 'SF1',
          express_company: 'SF',
          contact: { receiver_contact: '138****5678' },
        },
      ],
      upload_time: '2022-12-15T13:29:35.120+08:00',
      payer: { openid: 'o-buyer' },
    });
    expect(rfc3339Beijing(Date.parse('2026-12-31T16:00:00.000Z'))).toBe('2027-01-01T00:00:00.000+08:00');
  });
});
