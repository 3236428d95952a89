/** The cart, kept in local storage so it survives page changes and restarts: productId → quantity. */
import type { CartItemInput } from '../services/api-types';
import type { CatalogueProduct } from '../services/catalogue';
import { yuan } from '../services/money';
import type { WxPort } from '../services/wx-port';

export type Storage = Pick<WxPort, 'getStorageSync' | 'setStorageSync'>;

const KEY = 'shouyin.cart';
/** createPayment's limits: 1–50 lines, quantities 1–999. */
export const MAX_QUANTITY = 999;
export const MAX_LINES = 50;

export type CartMap = Record<string, number>;

export function readCart(storage: Storage): CartMap {
  const v = storage.getStorageSync(KEY);
  if (typeof v !== 'object' || v === null) return {};
  const out: CartMap = {};
  for (const [id, q] of Object.entries(v as Record<string, unknown>)) {
    if (typeof q === 'number' && Number.isInteger(q) && q > 0) out[id] = Math.min(q, MAX_QUANTITY);
  }
  return out;
}

export function writeCart(storage: Storage, cart: CartMap): void {
  storage.setStorageSync(KEY, cart);
}

/** Adds `delta` (±1) to a product's quantity, within 0–999 and 50 lines. */
export function changeQuantity(cart: CartMap, productId: string, delta: number): CartMap {
  const next = { ...cart };
  const q = Math.min(MAX_QUANTITY, Math.max(0, (cart[productId] ?? 0) + delta));
  if (q === 0) delete next[productId];
  else if (productId in cart || Object.keys(cart).length < MAX_LINES) next[productId] = q;
  return next;
}

export interface CartLine {
  productId: string;
  name: string;
  unitFee: number;
  quantity: number;
  lineFee: number;
}

/** The cart's lines for products still on sale (others are dropped), in catalogue order. */
export function cartLines(cart: CartMap, products: readonly CatalogueProduct[]): CartLine[] {
  return products
    .filter((p) => (cart[p._id] ?? 0) > 0)
    .map((p) => {
      const quantity = cart[p._id]!;
      return {
        productId: p._id,
        name: p.name,
        unitFee: p.priceFee,
        quantity,
        lineFee: p.priceFee * quantity,
      };
    });
}

export function cartItems(lines: readonly CartLine[]): CartItemInput[] {
  return lines.map((l) => ({ productId: l.productId, quantity: l.quantity }));
}

export function cartTotalText(lines: readonly CartLine[]): string {
  return yuan(lines.reduce((s, l) => s + l.lineFee, 0));
}
