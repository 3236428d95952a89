/** The shop page: products on sale, quantities in the cart, the total. */

import { type CatalogueProduct, type DatabasePort, productsOnSale } from '../services/catalogue';
import { userMessage } from '../services/client';
import { yuan } from '../services/money';
import {
  type CartMap,
  cartLines,
  cartTotalText,
  changeQuantity,
  readCart,
  type Storage,
  writeCart,
} from './cart';
import { viewState } from './view-state';

export interface ShopView {
  loading: boolean;
  error: string;
  products: { id: string; name: string; priceText: string; quantity: number }[];
  count: number;
  totalText: string;
}

export interface ShopDeps {
  db: DatabasePort;
  storage: Storage;
  render(patch: Partial<ShopView>): void;
}

export function createShop(deps: ShopDeps) {
  const state = viewState<ShopView>(
    { loading: true, error: '', products: [], count: 0, totalText: yuan(0) },
    deps.render,
  );
  let products: CatalogueProduct[] = [];
  let cart: CartMap = readCart(deps.storage);

  const show = () => {
    const lines = cartLines(cart, products);
    state.set({
      products: products.map((p) => ({
        id: p._id,
        name: p.name,
        priceText: yuan(p.priceFee),
        quantity: cart[p._id] ?? 0,
      })),
      count: lines.reduce((n, l) => n + l.quantity, 0),
      totalText: cartTotalText(lines),
    });
  };

  return {
    state,
    async load(): Promise<void> {
      state.set({ loading: true, error: '' });
      cart = readCart(deps.storage);
      try {
        products = await productsOnSale(deps.db);
        state.set({ loading: false });
        show();
      } catch (e) {
        state.set({ loading: false, error: `商品加载失败：${userMessage(e)}` });
      }
    },
    change(productId: string, delta: number): void {
      cart = changeQuantity(cart, productId, delta);
      writeCart(deps.storage, cart);
      show();
    },
    /** Whether there is anything to check out. */
    canCheckout: () => cartLines(cart, products).length > 0,
  };
}
