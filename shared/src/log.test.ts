import { describe, expect, it } from 'vitest';
import { createLogger, errorFields } from './log';

describe('createLogger', () => {
  it('writes one JSON object per line with base fields', () => {
    const lines: string[] = [];
    const log = createLogger({ fn: 'payNotify' }, { sink: (l) => lines.push(l), now: () => 0 });
    log.info('pay_notify', { out_trade_no: 'SY1', outcome: 'paid', skipped: undefined });
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toEqual({
      level: 'info',
      time: '1970-01-01T00:00:00.000Z',
      event: 'pay_notify',
      fn: 'payNotify',
      out_trade_no: 'SY1',
      outcome: 'paid',
    });
  });

  it('redacts fields that look secret and truncates long strings', () => {
    const lines: string[] = [];
    const log = createLogger({}, { sink: (l) => lines.push(l) }).child({ apiKey: 'k'.repeat(32) });
    log.warn('x', { sign: 'ABC', private_key: 'pem', password: 'p', body: 'y'.repeat(2000) });
    const line = JSON.parse(lines[0]!);
    expect(line.apiKey).toBe('[redacted]');
    expect(line.sign).toBe('[redacted]');
    expect(line.private_key).toBe('[redacted]');
    expect(line.password).toBe('[redacted]');
    expect(line.body.length).toBeLessThan(600);
    expect(lines[0]).not.toContain('k'.repeat(32));
  });

  it('drops lines below the level', () => {
    const lines: string[] = [];
    const log = createLogger({}, { sink: (l) => lines.push(l), level: 'warn' });
    log.debug('a');
    log.info('b');
    log.warn('c');
    log.error('d');
    expect(lines.map((l) => JSON.parse(l).event)).toEqual(['c', 'd']);
  });

  it('reduces errors to class, code and message', () => {
    const e = Object.assign(new Error('boom'), { code: 'E1', cause: { secret: 'x' } });
    expect(errorFields(e)).toEqual({ error: 'Error', error_code: 'E1', error_message: 'boom' });
    expect(errorFields('plain')).toEqual({ error: 'string', error_message: 'plain' });
  });
});
