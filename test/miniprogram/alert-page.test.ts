/**
 * The page a merchant's subscribe message opens (orderAlert's ALERT_PAGE, `?outTradeNo=` appended) is a real
 * page of the mini-program, in cloudbaserc.json and as the alerts default, and it reads the order number.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { loadAlertConfig } from '@shouyin/shared';
import { describe, expect, it } from 'vitest';
import { alertFocus } from '../../miniprogram/logic/merchant';

const root = path.resolve(__dirname, '../..');
const json = <T>(file: string): T => JSON.parse(readFileSync(path.join(root, file), 'utf8')) as T;

describe('ALERT_PAGE', () => {
  const pages = json<{ pages: string[] }>('miniprogram/app.json').pages;
  const rc = json<{ functions: Array<{ name: string; envVariables?: Record<string, string> }> }>(
    'cloudbaserc.json',
  );

  it('cloudbaserc.json and the default name the merchant console, a page of app.json', () => {
    const configured = rc.functions.find((f) => f.name === 'orderAlert')?.envVariables?.ALERT_PAGE;
    expect(configured).toBe('pages/merchant/merchant');
    expect(pages).toContain(configured);
    expect(pages).toContain(loadAlertConfig({}).page);
  });

  it('the console reads the order number of the query (as orderAlert encodes it), nothing else', () => {
    expect(alertFocus({ outTradeNo: 'SY20261205100000A1' })).toBe('SY20261205100000A1');
    expect(alertFocus({ outTradeNo: encodeURIComponent('SY-1|a*b@c') })).toBe('SY-1|a*b@c');
    expect(alertFocus({})).toBeUndefined();
    expect(alertFocus(undefined)).toBeUndefined();
    expect(alertFocus({ outTradeNo: '%E0%A4%A' })).toBeUndefined();
    expect(alertFocus({ outTradeNo: '<script>' })).toBeUndefined();
    expect(alertFocus({ outTradeNo: 'x'.repeat(33) })).toBeUndefined();
  });
});

// DevTools cannot resolve workspace packages, so the mini-program keeps its own copy of fulfilOrder's
// express company table (its picker): the copy must never drift from the server's.
describe('the express company table the merchant picks from', () => {
  it('is exactly fulfilOrder’s built-in table, in the same order', async () => {
    const { EXPRESS_NAMES } = await import('../../miniprogram/logic/words');
    const { BUILT_IN_EXPRESS_COMPANIES } = await import('../../shared/src/fulfilment/express');
    expect(Object.entries(EXPRESS_NAMES)).toEqual(Object.entries(BUILT_IN_EXPRESS_COMPANIES));
  });
});
