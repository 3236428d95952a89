/**
 * Products, read on the client with `wx.cloud.database()` (the `products` collection is public and
 * read-only by security rule; orders never are read here). Prices shown are for display: the order is
 * priced by the server.
 */
export interface CatalogueProduct {
  _id: string;
  name: string;
  /** Unit price in fen. */
  priceFee: number;
  onSale: boolean;
}

/** The part of `wx.cloud.database()` used here. */
export interface DatabasePort {
  collection(name: string): {
    where(query: Record<string, unknown>): {
      limit(n: number): { get(): Promise<{ data: unknown[] }> };
    };
  };
}

/** A client query answers at most 20 documents (spec §6.3): the shop lists the first 20 on sale. */
export const CATALOGUE_PAGE = 20;

export async function productsOnSale(db: DatabasePort): Promise<CatalogueProduct[]> {
  const { data } = await db.collection('products').where({ onSale: true }).limit(CATALOGUE_PAGE).get();
  return data.filter(isProduct);
}

function isProduct(v: unknown): v is CatalogueProduct {
  const p = v as Partial<CatalogueProduct> | null;
  return (
    typeof p === 'object' &&
    p !== null &&
    typeof p._id === 'string' &&
    typeof p.name === 'string' &&
    Number.isSafeInteger(p.priceFee) &&
    p.onSale === true
  );
}
