/** The shop: products on sale from the client database, quantities, a cart kept across pages, the total. */
import { describe, expect, it } from 'vitest';
import { cartLines, readCart } from '../../miniprogram/logic/cart';
import { createShop, type ShopView } from '../../miniprogram/logic/shop';
import type { DatabasePort } from '../../miniprogram/services/catalogue';
import { fakeWx, recorder } from './support/fake-wx';

const PRODUCTS = [
  { _id: 'latte', name: '拿铁咖啡', priceFee: 1800, onSale: true },
  { _id: 'croissant', name: '黄油可颂', priceFee: 1200, onSale: true },
];

function db(data: unknown[] | Error): DatabasePort & { queries: unknown[] } {
  const queries: unknown[] = [];
  return {
    queries,
    collection: (name) => ({
      where: (q) => ({
        limit: (n) => ({
          get: async () => {
            queries.push({ name, q, n });
            if (data instanceof Error) throw { errCode: -502003, errMsg: 'database permission denied' };
            return { data };
          },
        }),
      }),
    }),
  };
}

describe('shop', () => {
  it('reads products on sale (≤ 20 per client query), keeps the cart in storage, totals in yuan', async () => {
    const wx = fakeWx();
    const d = db(PRODUCTS);
    const shop = createShop({ db: d, storage: wx, render: recorder<ShopView>().render });
    await shop.load();
    expect(d.queries).toEqual([{ name: 'products', q: { onSale: true }, n: 20 }]);
    shop.change('latte', 1);
    shop.change('latte', 1);
    shop.change('croissant', 1);
    shop.change('croissant', -1);
    expect(shop.state.view).toMatchObject({ count: 2, totalText: '¥36.00' });
    expect(shop.state.view.products[0]).toEqual({
      id: 'latte',
      name: '拿铁咖啡',
      priceText: '¥18.00',
      quantity: 2,
    });
    // Another page (checkout) reads the same cart.
    expect(cartLines(readCart(wx), PRODUCTS)).toEqual([
      { productId: 'latte', name: '拿铁咖啡', unitFee: 1800, quantity: 2, lineFee: 3600 },
    ]);
    // And a reopened shop shows it.
    const again = createShop({ db: d, storage: wx, render: () => {} });
    await again.load();
    expect(again.state.view.count).toBe(2);
  });

  it('shows a load failure', async () => {
    const shop = createShop({ db: db(new Error('x')), storage: fakeWx(), render: () => {} });
    await shop.load();
    expect(shop.state.view).toMatchObject({ loading: false, error: '商品加载失败：操作失败，请稍后重试' });
    expect(shop.canCheckout()).toBe(false);
  });
});
