import { describe, expect, it } from 'vitest';
import { InputError } from '../errors';
import { CART_LIMITS, cartKey, parseCart, priceCart } from './cart';
import type { Product } from './records';

const item = (productId: string, quantity: number) => ({ productId, quantity });
const products: Product[] = [
  { _id: 'tea', name: '乌龙茶', priceFee: 1990, onSale: true },
  { _id: 'cake', name: 'Cheesecake', priceFee: 2500, onSale: true },
  { _id: 'old', name: 'Retired', priceFee: 100, onSale: false },
  { _id: 'free', name: 'Freebie', priceFee: 0, onSale: true },
];

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(InputError);
    return (e as InputError).code;
  }
  return undefined;
}

describe('parseCart', () => {
  it('accepts 1 to 50 lines with integer quantities 1 to 999', () => {
    expect(parseCart([item('tea', 1)])).toEqual([item('tea', 1)]);
    expect(parseCart([item('tea', 999), item('cake', 1)])).toHaveLength(2);
    const fifty = Array.from({ length: CART_LIMITS.maxLines }, (_, i) => item(`p${i}`, 1));
    expect(parseCart(fifty)).toHaveLength(50);
  });

  it('keeps only productId and quantity (prices and openids in the request are never read)', () => {
    expect(parseCart([{ productId: 'tea', quantity: 2, priceFee: 1, openid: 'x' }])).toEqual([
      item('tea', 2),
    ]);
  });

  it.each([
    ['not an array', { productId: 'tea', quantity: 1 }],
    ['empty', []],
    ['51 lines', Array.from({ length: 51 }, (_, i) => item(`p${i}`, 1))],
    ['null line', [null]],
    ['quantity 0', [item('tea', 0)]],
    ['quantity 1000', [item('tea', 1000)]],
    ['fractional quantity', [item('tea', 1.5)]],
    ['string quantity', [{ productId: 'tea', quantity: '1' }]],
    ['negative quantity', [item('tea', -1)]],
    ['missing productId', [{ quantity: 1 }]],
    ['bad productId', [item('tea; drop', 1)]],
    ['productId too long', [item('x'.repeat(65), 1)]],
    ['duplicate product', [item('tea', 1), item('tea', 2)]],
  ])('refuses %s', (_name, items) => {
    expect(codeOf(() => parseCart(items))).toBe('INVALID_INPUT');
  });
});

describe('priceCart', () => {
  it('prices from the catalogue', () => {
    const priced = priceCart([item('tea', 3), item('cake', 1)], products);
    expect(priced.totalFee).toBe(1990 * 3 + 2500);
    expect(priced.lines).toEqual([
      { productId: 'tea', name: '乌龙茶', unitFee: 1990, quantity: 3, lineFee: 5970 },
      { productId: 'cake', name: 'Cheesecake', unitFee: 2500, quantity: 1, lineFee: 2500 },
    ]);
  });

  it.each([['missing'], ['old'], ['free']])('refuses product %s as unavailable', (id) => {
    expect(codeOf(() => priceCart([item('tea', 1), item(id, 1)], products))).toBe('PRODUCT_UNAVAILABLE');
  });

  it('refuses a product whose price is not whole fen', () => {
    const bad: Product[] = [{ _id: 'x', name: 'x', priceFee: 19.9, onSale: true }];
    expect(codeOf(() => priceCart([item('x', 1)], bad))).toBe('PRODUCT_UNAVAILABLE');
  });

  it('refuses a total beyond one order', () => {
    const big: Product[] = [{ _id: 'gold', name: 'Gold', priceFee: 100_000_000, onSale: true }];
    expect(codeOf(() => priceCart([item('gold', 999)], big))).toBe('ORDER_TOO_LARGE');
  });
});

describe('cartKey', () => {
  it('ignores line order and distinguishes content', () => {
    expect(cartKey([item('a', 1), item('b', 2)])).toBe(cartKey([item('b', 2), item('a', 1)]));
    expect(cartKey([item('a', 1)])).not.toBe(cartKey([item('a', 2)]));
    expect(cartKey([item('a', 12)])).not.toBe(cartKey([item('a1', 2)]));
    expect(cartKey([item('a', 1)])).toMatch(/^[0-9a-f]{64}$/);
  });
});
