import { describe, expect, it } from 'vitest';
import { REDACTED, redact, secretValues } from './redact';

describe('redact', () => {
  it('masks the values of secret variables only', () => {
    const secrets = secretValues({
      WXPAY_API_KEY: 'abcdefghijklmnopqrstuvwxyz012345',
      WXPAY_KEY_PATH: '/tmp/apiclient_key.pem',
      WXPAY_MCH_ID: '1900000109',
      SHORT_TOKEN: 'abc',
    });
    expect(secrets).toEqual(['abcdefghijklmnopqrstuvwxyz012345']);
    expect(
      redact('key=abcdefghijklmnopqrstuvwxyz012345 twice abcdefghijklmnopqrstuvwxyz012345', secrets),
    ).toBe(`key=${REDACTED} twice ${REDACTED}`);
    expect(redact('/tmp/apiclient_key.pem mch 1900000109', secrets)).toBe(
      '/tmp/apiclient_key.pem mch 1900000109',
    );
  });
});
