import { describe, expect, it } from 'vitest';
import { jsapiPayParams } from './pay-sign';
import { signingString } from './sign';

describe('jsapiPayParams (spec §2.4, pitfall 4)', () => {
  it('O3: the official paySign example (MD5), timeStamp in whole seconds', () => {
    const p = jsapiPayParams({
      appId: 'wxd678efh567hg6787',
      prepayId: 'wx2017033010242291fcfe0db70013231072',
      apiKey: 'qazwsxedcrfvtgbyhnujmikolp111111',
      signType: 'MD5',
      nowMs: 1490840662_999,
      nonceStr: '5K8264ILTKCH16CQ2502SI8ZNMTM67VS',
    });
    expect(p).toStrictEqual({
      timeStamp: '1490840662',
      nonceStr: '5K8264ILTKCH16CQ2502SI8ZNMTM67VS',
      package: 'prepay_id=wx2017033010242291fcfe0db70013231072',
      signType: 'MD5',
      paySign: '22D9B4E54AB1950F51E0649E8810ACD6',
    });
  });

  it('D-C: HMAC-SHA256 paySign', () => {
    const p = jsapiPayParams({
      appId: 'wxd930ea5d5a258f4f',
      prepayId: 'wx2017033010242291fcfe0db70013231072',
      apiKey: '192006250b4c09247ec02edce69f6a2d',
      signType: 'HMAC-SHA256',
      nowMs: 1490840662_000,
      nonceStr: '5K8264ILTKCH16CQ2502SI8ZNMTM67VS',
    });
    expect(p.paySign).toBe('15FC5558B3F2A6AF14B8C4FEB53F8D822E04051B2C788ECDD0ABA657F9EA5A06');
    expect(p.signType).toBe('HMAC-SHA256');
  });

  it('passes exactly the four wx.requestPayment fields plus paySign (appId is signed, not passed)', () => {
    const p = jsapiPayParams({ appId: 'wxa', prepayId: 'wx1', apiKey: 'k'.repeat(32), signType: 'MD5' });
    expect(Object.keys(p).sort()).toStrictEqual(['nonceStr', 'package', 'paySign', 'signType', 'timeStamp']);
    expect(p.timeStamp).toMatch(/^\d{10}$/);
    expect(p.nonceStr).toMatch(/^[0-9a-f]{32}$/);
    expect(signingString({ appId: 'wxa', ...p })).toMatch(/^appId=wxa&nonceStr=/);
  });
});
