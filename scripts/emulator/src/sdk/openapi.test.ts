import { describe, expect, it } from 'vitest';
import { inProcessCloud } from '../testing/in-process';

const TPL = 'tplOrderPaid0000000001';

describe('cloud.openapi (spec §3.5)', () => {
  it('converts camelCase to snake_case, answers in the SDK shape, throws WeChat errcodes', async () => {
    const env = inProcessCloud();
    env.cloud.init();
    env.messages.grant('o-m', TPL);
    const send = () =>
      env.cloud.openapi.subscribeMessage.send({
        touser: 'o-m',
        templateId: TPL,
        miniprogramState: 'trial',
        data: { thing1: { value: '已支付' } },
      });
    expect(await send()).toEqual({ errMsg: 'openapi.subscribeMessage.send:ok', errCode: 0 });
    expect(env.messages.messages()[0]).toMatchObject({ templateId: TPL, miniprogramState: 'trial' });
    await expect(send()).rejects.toMatchObject({
      errCode: 43101,
      errMsg: expect.stringMatching(/^openapi\.subscribeMessage\.send:fail user refuse to accept the msg/),
    });
    env.close();
  });

  it('enforces config.json permissions.openapi when the list exists, and needs init', async () => {
    const env = inProcessCloud({ openapiPermissions: ['wxacode.get'] });
    expect(() => env.cloud.openapi).toThrow(/please call init first/);
    env.cloud.init();
    await expect(
      env.cloud.openapi.subscribeMessage.send({ touser: 'o', templateId: TPL, data: {} }),
    ).rejects.toMatchObject({
      errCode: -604101,
    });
    env.close();
  });
});
