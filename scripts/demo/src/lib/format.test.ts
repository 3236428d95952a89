import { describe, expect, it } from 'vitest';
import { abbreviate, beijing, replySummary, yuan } from './format';

describe('demo formatting', () => {
  it('formats fen as yuan by integer arithmetic', () => {
    expect(yuan(4800)).toBe('¥48.00');
    expect(yuan(1989)).toBe('¥19.89');
    expect(yuan(5)).toBe('¥0.05');
    expect(yuan(0)).toBe('¥0.00');
    expect(yuan(-120)).toBe('-¥1.20');
    expect(yuan(1.5)).toContain('not an integer');
  });

  it('abbreviates long signatures only', () => {
    expect(abbreviate('6A84809C189CC039DF94A9F851B9E48C')).toBe('6A84…E48C');
    expect(abbreviate('short')).toBe('short');
  });

  it('shows epoch ms in Beijing time', () => {
    expect(beijing(Date.UTC(2025, 0, 6, 2, 0, 0))).toBe('2025-01-06 10:00:00 (UTC+8)');
    expect(beijing(undefined)).toBe('—');
  });

  it('summarises notification replies', () => {
    expect(
      replySummary(
        '<xml><return_code><![CDATA[SUCCESS]]></return_code><return_msg><![CDATA[OK]]></return_msg></xml>',
      ),
    ).toBe('SUCCESS (OK)');
    expect(
      replySummary('<xml><return_code>FAIL</return_code><return_msg>invalid signature</return_msg></xml>'),
    ).toBe('FAIL (invalid signature)');
    expect(replySummary(undefined)).toBe('(no reply)');
  });
});
