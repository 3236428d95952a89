import { describe, expect, it } from 'vitest';
import { getWXContext } from './context';

describe('getWXContext (spec §3.2)', () => {
  it('is {} without WX_CONTEXT_KEYS, even when TCB_ENV is set', () => {
    expect(getWXContext({ TCB_ENV: 'e', TCB_SOURCE: 'wx_trigger', WX_OPENID: 'o' })).toEqual({});
  });

  it('takes the listed keys, strips WX_, converts integers, adds ENV and SOURCE', () => {
    expect(
      getWXContext({
        WX_CONTEXT_KEYS:
          'WX_OPENID,WX_APPID,,WX_API_TOKEN,WX_TRIGGER_API_TOKEN_V0,WX_CLIENTIP,WX_MISSING,WX_NUM',
        WX_OPENID: 'o-1',
        WX_APPID: 'wx1',
        WX_API_TOKEN: 'secret',
        WX_TRIGGER_API_TOKEN_V0: 'secret',
        WX_CLIENTIP: '1.2.3.4',
        WX_NUM: '-42',
        SCF_NAMESPACE: 'ns',
        TCB_SOURCE: 'wx_client',
      }),
    ).toEqual({ OPENID: 'o-1', APPID: 'wx1', CLIENTIP: '1.2.3.4', NUM: -42, ENV: 'ns', SOURCE: 'wx_client' });
  });

  it('a list of empty keys gives ENV and SOURCE only', () => {
    expect(getWXContext({ WX_CONTEXT_KEYS: ',', TCB_ENV: 'e', TCB_SOURCE: 'wx_http' })).toEqual({
      ENV: 'e',
      SOURCE: 'wx_http',
    });
  });
});
