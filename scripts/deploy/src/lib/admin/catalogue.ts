// The product catalogue from a JSON or CSV file, validated as a whole before anything is written: prices are
// whole fen (integer), ids are stable document ids, names are non-empty. JSON: an array of products or
// {"products": [...]} (scripts/demo/seed.json's shape). CSV: a header row with _id (or id), name, priceFee,
// and optionally onSale (true/false/1/0; default true); RFC 4180 quoting.
import type { Doc } from './port';

export interface CatalogueProduct extends Doc {
  _id: string;
  name: string;
  priceFee: number;
  onSale: boolean;
}

/** Rows of an RFC 4180 CSV text (quoted fields, "" escapes, CRLF or LF). */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  const s = text.replace(/^\uFEFF/, '');
  for (let i = 0; i < s.length; i++) {
    const ch = s[i]!;
    if (quoted) {
      if (ch === '"' && s[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"' && field === '') quoted = true;
    else if (ch === ',') {
      row.push(field);
      field = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && s[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += ch;
  }
  if (quoted) throw new Error('CSV: a quoted field is not closed');
  if (field !== '' || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows.filter((r) => r.some((x) => x.trim() !== ''));
}

function csvRecords(text: string): Record<string, string>[] {
  const [header, ...rows] = parseCsv(text);
  if (!header) throw new Error('CSV: empty file');
  const cols = header.map((h) => h.trim());
  return rows.map((r, i) => {
    if (r.length !== cols.length)
      throw new Error(`CSV line ${i + 2}: ${r.length} fields, header has ${cols.length}`);
    return Object.fromEntries(cols.map((c, j) => [c, r[j]!.trim()]));
  });
}

function onSaleOf(v: unknown, where: string): boolean {
  if (v === undefined || v === '') return true;
  if (v === true || v === 'true' || v === '1' || v === 1) return true;
  if (v === false || v === 'false' || v === '0' || v === 0) return false;
  throw new Error(`${where}: onSale must be true or false`);
}

function priceOf(v: unknown, where: string): number {
  const s = typeof v === 'number' ? String(v) : typeof v === 'string' ? v.trim() : '';
  if (/^\d+\.\d+$/.test(s))
    throw new Error(
      `${where}: priceFee is whole fen (1 yuan = 100); "${s}" has a decimal point — did you mean ${Math.round(Number(s) * 100)}?`,
    );
  if (!/^\d{1,9}$/.test(s) || Number(s) < 1)
    throw new Error(`${where}: priceFee must be a whole number of fen ≥ 1`);
  return Number(s);
}

export function parseCatalogue(text: string, format: 'json' | 'csv'): CatalogueProduct[] {
  let raw: Record<string, unknown>[];
  if (format === 'csv') raw = csvRecords(text);
  else {
    const j = JSON.parse(text) as unknown;
    const list = Array.isArray(j) ? j : (j as { products?: unknown })?.products;
    if (!Array.isArray(list)) throw new Error('JSON: expected an array of products or {"products": [...]}');
    raw = list as Record<string, unknown>[];
  }
  if (raw.length === 0) throw new Error('the catalogue is empty');
  const seen = new Set<string>();
  return raw.map((r, i) => {
    const id = String(r._id ?? r.id ?? '');
    const where = `product ${i + 1}${id ? ` (${id})` : ''}`;
    if (!/^[A-Za-z0-9_-]{1,64}$/.test(id))
      throw new Error(`${where}: _id must be 1–64 letters, digits, _ or -`);
    if (seen.has(id)) throw new Error(`${where}: _id ${id} appears twice`);
    seen.add(id);
    const name = typeof r.name === 'string' ? r.name.trim() : '';
    if (name === '' || name.length > 64) throw new Error(`${where}: name must be 1–64 characters`);
    return { _id: id, name, priceFee: priceOf(r.priceFee, where), onSale: onSaleOf(r.onSale, where) };
  });
}
