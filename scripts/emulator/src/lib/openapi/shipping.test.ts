import { describe, expect, it } from 'vitest';
import { inProcessCloud } from '../../testing/in-process';

const PAYMENT = {
  transactionId: '4200000000202612050000000001',
  mchId: '1900000109',
  outTradeNo: 'SY20261205100000ABCDEFGHIJKL',
  openid: 'o-buyer',
  paidAmount: 4800,
};
const PERMS = ['wxa.sec.order.uploadShippingInfo', 'wxa.sec.order.getOrder', 'wxa.sec.order.isTradeManaged'];

function setup(o: { perms?: string[]; tradeManaged?: boolean } = {}) {
  let now = Date.parse('2026-12-05T10:00:00Z');
  const env = inProcessCloud({
    now: () => now,
    openapiPermissions: o.perms ?? PERMS,
    shipping: { indexDelayMs: 10_000, appid: 'wx0123456789abcdef', tradeManaged: o.tradeManaged },
  });
  env.cloud.init();
  env.shipping.registerPayment(PAYMENT);
  const api = env.cloud.openapi({ convertCase: false }) as unknown as {
    wxa: { sec: { order: Record<string, (d: object) => Promise<Record<string, unknown>>> } };
  };
  return { env, order: api.wxa.sec.order, advance: (ms: number) => (now += ms) };
}

const body = (over: Record<string, unknown> = {}, entry: Record<string, unknown> = {}) => ({
  order_key: { order_number_type: 2, transaction_id: PAYMENT.transactionId },
  logistics_type: 1,
  delivery_mode: 1,
  shipping_list: [{ tracking_no: 'ZT1234567890', express_company: 'ZTO', item_desc: '拿铁咖啡*2', ...entry }],
  upload_time: '2026-12-05T18:00:00.000+08:00',
  payer: { openid: PAYMENT.openid },
  ...over,
});

const code = (n: number) => ({ errCode: n });

describe('wxa.sec.order.* stand-in', () => {
  it('needs the API in config.json permissions (-604101)', async () => {
    const { env, order } = setup({ perms: ['wxa.sec.order.getOrder'] });
    await expect(order.uploadShippingInfo!(body())).rejects.toMatchObject(code(-604101));
    env.close();
  });

  it("refuses malformed uploads with WeChat's codes and changes nothing", async () => {
    const { env, order, advance } = setup();
    advance(10_000);
    await expect(
      order.uploadShippingInfo!(body({ shipping_list: { tracking_no: 'x', item_desc: 'y' } })),
    ).rejects.toMatchObject(code(47001));
    await expect(order.uploadShippingInfo!(body({}, { tracking_no: undefined }))).rejects.toMatchObject(
      code(268485226),
    );
    await expect(order.uploadShippingInfo!(body({}, { item_desc: '咖'.repeat(121) }))).rejects.toMatchObject(
      code(10060009),
    );
    await expect(
      order.uploadShippingInfo!(body({ upload_time: '2026-12-05 18:00:00' })),
    ).rejects.toMatchObject(code(268485216));
    await expect(order.uploadShippingInfo!(body({ logistics_type: 5 }))).rejects.toMatchObject(
      code(10060005),
    );
    await expect(order.uploadShippingInfo!(body({}, { express_company: 'SF' }))).rejects.toMatchObject(
      code(10060014),
    );
    await expect(order.uploadShippingInfo!(body({ payer: { openid: 'o-other' } }))).rejects.toMatchObject(
      code(10060031),
    );
    const [seen] = env.shipping.list();
    expect(seen!.orderState).toBe(1);
    expect(seen!.shipments).toEqual([]);
    env.close();
  });

  it('knows a payment only after the indexing delay (10060001 before)', async () => {
    const { env, order, advance } = setup();
    await expect(order.uploadShippingInfo!(body())).rejects.toMatchObject({
      errCode: 10060001,
      errMsg: expect.stringContaining('支付单不存在'),
    });
    advance(9_999);
    await expect(order.getOrder!({ transaction_id: PAYMENT.transactionId })).rejects.toMatchObject(
      code(10060001),
    );
    advance(1);
    expect(await order.uploadShippingInfo!(body())).toMatchObject({ errCode: 0 });
    const got = await order.getOrder!({ merchant_id: PAYMENT.mchId, merchant_trade_no: PAYMENT.outTradeNo });
    expect(got.order).toMatchObject({ order_state: 2, paid_amount: 4800, openid: 'o-buyer' });
    await expect(
      order.uploadShippingInfo!({ ...body(), order_key: { order_number_type: 2, transaction_id: '42000' } }),
    ).rejects.toMatchObject(code(10060001));
    env.close();
  });

  it('allows one modification: identical re-upload is 10060023, a second change 10060003', async () => {
    const { env, order, advance } = setup();
    advance(10_000);
    await order.uploadShippingInfo!(body());
    await expect(order.uploadShippingInfo!(body())).rejects.toMatchObject(code(10060023));
    await expect(
      order.uploadShippingInfo!(
        body({ upload_time: '2026-12-05T17:00:00.000+08:00' }, { tracking_no: 'YT1' }),
      ),
    ).rejects.toMatchObject(code(10060014));
    await order.uploadShippingInfo!(
      body({ upload_time: '2026-12-05T19:00:00.000+08:00' }, { tracking_no: 'YT2' }),
    );
    await expect(
      order.uploadShippingInfo!(
        body({ upload_time: '2026-12-05T20:00:00.000+08:00' }, { tracking_no: 'YT3' }),
      ),
    ).rejects.toMatchObject(code(10060003));
    const [seen] = env.shipping.list();
    expect(
      seen!.shipments.map((s) => (s.shipping_list as Array<{ tracking_no: string }>)[0]!.tracking_no),
    ).toEqual(['ZT1234567890', 'YT2']);
    env.close();
  });

  it('reports the buyer confirming receipt in WeChat (order_state 3), after which nothing ships', async () => {
    const { env, order, advance } = setup();
    advance(10_000);
    await expect(env.shipping.confirmReceipt({ outTradeNo: PAYMENT.outTradeNo })).rejects.toThrow(/shipped/);
    await order.uploadShippingInfo!(body({ logistics_type: 4, shipping_list: [{ item_desc: '到店自提' }] }));
    expect((await env.shipping.confirmReceipt({ outTradeNo: PAYMENT.outTradeNo })).orderState).toBe(3);
    const got = await order.getOrder!({ transaction_id: PAYMENT.transactionId });
    expect(got.order).toMatchObject({ order_state: 3 });
    await expect(
      order.uploadShippingInfo!(body({ upload_time: '2026-12-05T21:00:00+08:00' })),
    ).rejects.toMatchObject(code(10060004));
    env.close();
  });

  it('answers is_trade_managed for its own appid; an app not enrolled gets 48001 elsewhere', async () => {
    const { env, order } = setup({ tradeManaged: false });
    expect(await order.isTradeManaged!({ appid: 'wx0123456789abcdef' })).toMatchObject({
      is_trade_managed: false,
    });
    await expect(order.isTradeManaged!({ appid: 'wx1111111111111111' })).rejects.toMatchObject(code(40013));
    await expect(order.isTradeManaged!({})).rejects.toMatchObject(code(40097));
    await expect(order.uploadShippingInfo!(body())).rejects.toMatchObject(code(48001));
    env.close();
  });
});
