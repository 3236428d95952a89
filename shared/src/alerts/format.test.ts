import { describe, expect, it } from 'vitest';
import { checkDataValue } from '../../../scripts/emulator/src/lib/openapi/subscribe-message';
import { OUTBOX_KINDS } from '../orders/records';
import { beijingMinute, formatValue, KEY_TYPES, keyType, templateData, yuan } from './format';
import type { AlertFacts } from './records';
import { ALERT_TABLE } from './table';

const LONG = '顾客说：可颂烤焦了，想退掉这一个可颂（这是一段很长很长的退款原因）<CUT>\n\u0007';

describe('template data per key type', () => {
  it('cuts thing to 20 characters, keeps phrase to 5 Chinese characters, string/number to 32', () => {
    expect([...formatValue('thing', LONG)]).toHaveLength(20);
    expect(formatValue('phrase', '退款 success 成功了吗')).toBe('退款成功了');
    expect(formatValue('phrase', 'OK')).toBe('通知');
    expect(formatValue('character_string', `SY${'9'.repeat(40)} 中`)).toHaveLength(32);
    expect(formatValue('number', '12a34'.repeat(10))).toBe('1234'.repeat(8));
    expect(formatValue('thing', '')).toBe('-');
  });

  it('formats amounts from fen and times in Beijing time', () => {
    expect(yuan(1280)).toBe('¥12.80');
    expect(yuan(5)).toBe('¥0.05');
    expect(formatValue('amount', 2_000_000_000)).toBe('¥20000000.00');
    expect(formatValue('amount', undefined)).toBe('¥0.00');
    // 2026-12-05T02:07:00Z is 10:07 in Beijing.
    expect(beijingMinute(Date.UTC(2026, 11, 5, 2, 7, 30))).toBe('2026-12-05 10:07');
    expect(formatValue('time', Date.UTC(2026, 11, 31, 16, 0))).toBe('2027-01-01 00:00');
  });

  it('knows the type of a key', () => {
    expect(keyType('thing12')).toBe('thing');
    expect(keyType('character_string4')).toBe('character_string');
    expect(keyType('car_number1')).toBeUndefined();
    expect(keyType('thing')).toBeUndefined();
  });

  it('every value it makes passes WeChat’s rules (the emulator’s 47003 checks), whatever the input', () => {
    const nasty: Array<string | number | undefined> = [
      LONG,
      '',
      undefined,
      0,
      -5,
      'ＡＢＣ１２３',
      '\u0000\u001f',
      '😀'.repeat(30),
    ];
    for (const type of KEY_TYPES)
      for (const v of nasty) {
        const value = formatValue(type, type === 'amount' || type === 'time' || type === 'date' ? 1234 : v);
        expect(checkDataValue(`${type}1`, { value }), `${type} ← ${String(v)}`).toBeUndefined();
      }
  });

  it('every kind of the table fills a template WeChat accepts, with over-long details cut', () => {
    const fields = {
      thing1: 'title',
      thing2: 'detail',
      amount3: 'amount',
      time4: 'time',
      character_string5: 'orderNo',
      phrase6: 'status',
    } as const;
    for (const kind of OUTBOX_KINDS) {
      const facts: AlertFacts = {
        kind,
        eventId: `${kind}:x`,
        at: Date.now(),
        outTradeNo: 'SY20261205101010ABCDEFGHIJKLMN',
        totalFee: 4800,
        refundFee: 1200,
        detail: LONG,
      };
      const data = templateData(fields, ALERT_TABLE[kind], facts);
      for (const [k, v] of Object.entries(data)) expect(checkDataValue(k, v), `${kind} ${k}`).toBeUndefined();
      expect(data.amount3!.value).toBe(ALERT_TABLE[kind].amount === 'refund' ? '¥12.00' : '¥48.00');
    }
  });
});
