// What the console may write into the two editable collections: the shapes product code reads
// (shared/src/orders/records.ts Product and Merchant). A price is integer fen, never a float or a string.

const isStrings = (v: unknown): boolean =>
  Array.isArray(v) && v.every((x) => typeof x === 'string' && x !== '');

/** Why the document cannot be stored, or undefined. */
export function editProblem(collection: string, d: Record<string, unknown>): string | undefined {
  if (typeof d.name !== 'string' || d.name.trim() === '') return 'name must be a non-empty string';
  if (collection === 'products') {
    if (!Number.isSafeInteger(d.priceFee) || (d.priceFee as number) < 1)
      return 'priceFee must be a positive integer (fen)';
    if (typeof d.onSale !== 'boolean') return 'onSale must be true or false';
  }
  if (collection === 'merchants') {
    if (!isStrings(d.reviewerOpenids)) return 'reviewerOpenids must be a list of openids';
    if (!isStrings(d.alertOpenids)) return 'alertOpenids must be a list of openids';
  }
  return undefined;
}
