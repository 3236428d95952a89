/**
 * The cart a customer sends to `create`, validated, then priced from `products` on the server (never
 * from the client: a price or total in the request is simply not read).
 */
import { createHash } from 'node:crypto';
import { InputError } from '../errors';
import { isPayableFen, MAX_ORDER_FEE, mulFen, sumFen } from './money';
import type { OrderLine, Product } from './records';

export const CART_LIMITS = { maxLines: 50, maxQuantity: 999 } as const;
const PRODUCT_ID = /^[A-Za-z0-9_-]{1,64}$/;

export interface CartItem {
  productId: string;
  quantity: number;
}

/** 1–50 lines, each a known-shaped product id and an integer quantity 1–999, no product twice. */
export function parseCart(items: unknown): CartItem[] {
  if (!Array.isArray(items)) throw new InputError('items must be an array');
  if (items.length < 1 || items.length > CART_LIMITS.maxLines) {
    throw new InputError(`items must hold 1 to ${CART_LIMITS.maxLines} lines`);
  }
  const seen = new Set<string>();
  return items.map((item: unknown, i) => {
    if (typeof item !== 'object' || item === null) throw new InputError(`items[${i}] must be an object`);
    const { productId, quantity } = item as Record<string, unknown>;
    if (typeof productId !== 'string' || !PRODUCT_ID.test(productId)) {
      throw new InputError(`items[${i}].productId is not a product id`);
    }
    if (
      typeof quantity !== 'number' ||
      !Number.isInteger(quantity) ||
      quantity < 1 ||
      quantity > CART_LIMITS.maxQuantity
    ) {
      throw new InputError(`items[${i}].quantity must be an integer from 1 to ${CART_LIMITS.maxQuantity}`);
    }
    if (seen.has(productId)) throw new InputError(`items[${i}]: product ${productId} appears twice`);
    seen.add(productId);
    return { productId, quantity };
  });
}

export interface PricedCart {
  lines: OrderLine[];
  totalFee: number;
}

/** Prices every line from the catalogue; a missing, off-sale or unpriced product refuses the whole cart. */
export function priceCart(cart: readonly CartItem[], products: readonly Product[]): PricedCart {
  const byId = new Map(products.map((p) => [p._id, p]));
  const lines = cart.map(({ productId, quantity }): OrderLine => {
    const p = byId.get(productId);
    if (p?.onSale !== true || !isPayableFen(p.priceFee) || typeof p.name !== 'string') {
      throw new InputError(`product ${productId} is not on sale`, 'PRODUCT_UNAVAILABLE');
    }
    return { productId, name: p.name, unitFee: p.priceFee, quantity, lineFee: mulFen(p.priceFee, quantity) };
  });
  const totalFee = sumFen(lines.map((l) => l.lineFee));
  if (totalFee > MAX_ORDER_FEE) throw new InputError('the order total is too large', 'ORDER_TOO_LARGE');
  return { lines, totalFee };
}

/** A fingerprint of what was asked for (order of lines ignored), stored with the idempotency record. */
export function cartKey(cart: readonly CartItem[]): string {
  const canonical = cart
    .map((c) => `${c.productId}*${c.quantity}`)
    .sort()
    .join(',');
  return createHash('sha256').update(canonical, 'utf8').digest('hex');
}
