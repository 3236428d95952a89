/**
 * Differential fuzz test of the strict scanner (parseXmlDocument → xml-scan.ts) against fast-xml-parser
 * (parseXmlWithLibrary, the oracle). Deterministic: a seeded PRNG generates valid v2 documents (random
 * names, values with CJK, emoji, `]]>`, entities, CR/LF, empty elements) and hostile mutations of them.
 * Properties checked on every document:
 *  - whenever the scanner accepts, the oracle accepts with the same root and the same map;
 *  - the scanner never accepts what the oracle rejects (the contrapositive, counted separately);
 *  - the scanner only ever throws XmlError;
 *  - on generated valid documents the scanner returns exactly the values that were encoded.
 */
import { describe, expect, it } from 'vitest';
import { XmlError } from '../errors';
import { type ParsedXml, parseXmlDocument, parseXmlWithLibrary } from './xml';

/** mulberry32: small, fast, deterministic. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

class Gen {
  constructor(readonly next: () => number) {}
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)]!;
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
}

const REAL_NAMES = [
  'appid',
  'mch_id',
  'nonce_str',
  'sign',
  'sign_type',
  'body',
  'attach',
  'out_trade_no',
  'total_fee',
  'cash_fee',
  'coupon_fee_0',
  'transaction_id',
  'time_end',
  'return_code',
  'return_msg',
  'result_code',
  'err_code_des',
  'req_info',
];
const NAME_START = 'abcxyzABCXYZ_';
const NAME_CHARS = 'abcdefxyzABCXYZ_0123456789.-';

function randomName(g: Gen): string {
  if (g.chance(0.5)) return g.pick(REAL_NAMES);
  let n = g.pick([...NAME_START]);
  const len = g.int(12);
  for (let i = 0; i < len; i++) n += g.pick([...NAME_CHARS]);
  return n;
}

// Value pieces: plain ASCII, spaces (kept, never trimmed), CJK, emoji (astral, valid UTF-8), markup characters.
const VALUE_PIECES = [
  'a',
  'Z',
  '0',
  '007',
  ' ',
  '  ',
  '\t',
  '\n',
  '\r\n',
  '\r',
  '中',
  '支付成功',
  '腾讯充值中心-QQ会员充值',
  '😀',
  '&',
  '<',
  '>',
  '"',
  "'",
  ']]>',
  ']]',
  ']',
  '<![CDATA[',
  '&amp;',
  '&#65;',
  '=',
  '/',
  '?',
  '!',
  '-->',
  'SUCCESS',
];

function randomValue(g: Gen): string {
  const n = g.chance(0.15) ? 0 : 1 + g.int(6);
  let v = '';
  for (let i = 0; i < n; i++) v += g.pick(VALUE_PIECES);
  return v;
}

/** What a conformant parser returns for a value: line ends normalised (XML 1.0 §2.11). */
function normalised(v: string): string {
  return v.replace(/\r\n?/g, '\n');
}

function escapeText(v: string, g: Gen): string {
  let out = v.replace(/&/g, '&amp;').replace(/</g, '&lt;');
  out = g.chance(0.5) ? out.replace(/>/g, '&gt;') : out.replace(/]]>/g, ']]&gt;');
  if (g.chance(0.3)) out = out.replace(/"/g, '&quot;').replace(/'/g, '&apos;');
  return out;
}

function cdata(v: string): string {
  return `<![CDATA[${v.split(']]>').join(']]]]><![CDATA[>')}]]>`;
}

/**
 * The content of one element encoding `v` (text, CDATA, or a mix of both), and the value a parser must
 * return for it: line ends are normalised in the raw text, so a CR ending one piece and an LF starting
 * the next (after a CDATA boundary) are two line ends.
 */
function encodeValue(v: string, g: Gen): [string, string] {
  if (v === '') return [g.pick(['', '<![CDATA[]]>']), ''];
  const mode = g.int(3);
  if (mode === 0) return [escapeText(v, g), normalised(v)];
  if (mode === 1) return [cdata(v), normalised(v)];
  // Split into pieces, each written as text or CDATA (concatenated back by both parsers).
  const chars = Array.from(v); // split between code points, never inside a surrogate pair
  const cut = g.int(chars.length + 1);
  const a = chars.slice(0, cut).join('');
  const b = chars.slice(cut).join('');
  const aCdata = g.chance(0.5);
  const bCdata = !aCdata || g.chance(0.5); // two text pieces would just be one text piece
  const enc = (s: string, asCdata: boolean) => (s === '' ? '' : asCdata ? cdata(s) : escapeText(s, g));
  return [enc(a, aCdata) + enc(b, bCdata), normalised(a) + normalised(b)];
}

const SPACES = ['', '', ' ', '\n', '\r\n', '\t', '\n  '];

interface Generated {
  xml: string;
  root: string;
  roots: string[];
  fields: Record<string, string>;
  /** The pieces the document is made of, for structural mutations. */
  prolog: string;
  elements: string[];
  gaps: string[];
  epilog: string;
}

function assemble(d: Pick<Generated, 'root' | 'prolog' | 'elements' | 'gaps' | 'epilog'>): string {
  let xml = d.prolog + `<${d.root}>`;
  d.elements.forEach((e, i) => {
    xml += d.gaps[i] + e;
  });
  return xml + d.gaps[d.elements.length] + `</${d.root}>` + d.epilog;
}

function generateValid(g: Gen): Generated {
  const root = g.chance(0.8) ? 'xml' : 'root';
  const roots = root === 'xml' ? (g.chance(0.5) ? ['xml'] : ['xml', 'root']) : ['root'];
  const fields: Record<string, string> = {};
  let prolog = '';
  if (g.chance(0.2)) prolog = '<?xml version="1.0" encoding="UTF-8"?>' + g.pick(['', '\n']);
  else if (g.chance(0.1)) prolog = '\n';
  const elements: string[] = [];
  const gaps: string[] = [];
  const count = g.int(25);
  for (let i = 0; i < count; i++) {
    const name = randomName(g);
    if (name in fields) continue;
    const v = randomValue(g);
    gaps.push(g.pick(SPACES));
    if (v === '' && g.chance(0.4)) {
      elements.push(g.pick([`<${name}/>`, `<${name} />`]));
      fields[name] = '';
    } else {
      const [content, expected] = encodeValue(v, g);
      elements.push(`<${name}${g.chance(0.1) ? ' ' : ''}>${content}</${name}>`);
      fields[name] = expected;
    }
  }
  gaps.push(g.pick(SPACES));
  const epilog = g.pick(['', '', '\n', '\r\n']);
  const parts = { root, prolog, elements, gaps, epilog };
  return { ...parts, xml: assemble(parts), roots, fields };
}

const SNIPPETS = [
  '<!--c-->',
  '<?pi x?>',
  '<!DOCTYPE xml>',
  '<!ENTITY x "y">',
  '&foo;',
  '&#65;',
  '&#x42;',
  '&',
  '&lt',
  '<b>1</b>',
  '<b/>',
  ' x="1"',
  ' a',
  '<![CDATA[',
  ']]>',
  '</xml>',
  '<xml>',
  '</root>',
  '<__proto__>1</__proto__>',
  '<constructor/>',
  '<prototype>p</prototype>',
  '<toString>1</toString>',
  '<valueOf>1</valueOf>',
  '<appid>dup</appid>',
  'text',
  '\u0000',
  '\u0001',
  '\uFFFE',
  '\uD800',
  '\u00A0',
  '\u3000',
  '<a:b>1</a:b>',
  '<中>1</中>',
  '<1a>1</1a>',
  '<?xml version="1.0"?>',
  '<?xml version="1.0" encoding="GBK"?>',
  '\uFEFF',
];
const NASTY_CHARS = [...'<>&/!?"\'= ][;:#x\n\r\t-_.aZ9'];

function mutate(doc: string, g: Gen): string {
  let s = doc;
  const rounds = 1 + g.int(3);
  for (let r = 0; r < rounds; r++) {
    const at = g.int(s.length + 1);
    switch (g.int(6)) {
      case 0: // delete a span
        s = s.slice(0, at) + s.slice(at + 1 + g.int(4));
        break;
      case 1: // insert a character
        s = s.slice(0, at) + g.pick(NASTY_CHARS) + s.slice(at);
        break;
      case 2: // insert a hostile snippet
        s = s.slice(0, at) + g.pick(SNIPPETS) + s.slice(at);
        break;
      case 3: {
        // duplicate a span (repeats tags, creates nesting)
        const len = 1 + g.int(30);
        s = s.slice(0, at) + s.slice(at, at + len) + s.slice(at);
        break;
      }
      case 4: // truncate
        s = s.slice(0, at);
        break;
      default: {
        // replace a character by another
        s = s.slice(0, at) + g.pick(NASTY_CHARS) + s.slice(at + 1);
      }
    }
  }
  return s;
}

/** Mutations at element boundaries: duplicate, nest, add an attribute, insert markup between fields. */
function mutateStructure(d: Generated, g: Gen): string {
  const elements = [...d.elements];
  const gaps = [...d.gaps];
  let { prolog, epilog } = d;
  const k = g.int(Math.max(1, elements.length));
  const el = elements[k];
  switch (g.int(6)) {
    case 0: // a field twice (exact copy, elsewhere)
      if (el) {
        elements.splice(g.int(elements.length + 1), 0, el);
        gaps.push(g.pick(SPACES));
      }
      break;
    case 1: // a field inside another
      if (el && elements.length > 1) {
        const inner = elements[(k + 1) % elements.length]!;
        elements[k] = el
          .replace(/<\/([^>]+)>$/, `${inner}</$1>`)
          .replace(/^<([^ />]+) ?\/>$/, `<$1>${inner}</$1>`);
      }
      break;
    case 2: // an attribute
      if (el)
        elements[k] = el.replace(/^<([^ />]+)/, `<$1 ${g.pick(['x="1"', "id='a'", 'sign_type="MD5"'])}`);
      break;
    case 3: // markup or text between fields
      gaps[g.int(gaps.length)] += g.pick(SNIPPETS);
      break;
    case 4: // markup before or after the root
      if (g.chance(0.5)) prolog += g.pick(SNIPPETS);
      else epilog += g.pick(SNIPPETS);
      break;
    default: // a second root
      epilog += `<${d.root}><a>1</a></${d.root}>`;
  }
  return assemble({ root: d.root, prolog, elements, gaps, epilog });
}

type Outcome = { ok: true; doc: ParsedXml } | { ok: false; error: unknown };

function attempt(f: () => ParsedXml): Outcome {
  try {
    return { ok: true, doc: f() };
  } catch (error) {
    return { ok: false, error };
  }
}

interface Tally {
  bothAccept: number;
  bothReject: number;
  onlyOracleAccepts: number;
}

/** Asserts the differential properties for one document; returns which way it went. */
function check(xml: string, roots: string[], tally: Tally): Outcome {
  const scan = attempt(() => parseXmlDocument(xml, { roots }));
  const lib = attempt(() => parseXmlWithLibrary(xml, { roots }));
  if (!scan.ok && !(scan.error instanceof XmlError)) {
    throw new Error(`scanner threw a non-XmlError on ${JSON.stringify(xml)}: ${String(scan.error)}`);
  }
  if (scan.ok) {
    if (!lib.ok)
      throw new Error(
        `scanner accepted what the oracle rejects: ${JSON.stringify(xml)} (${String(lib.error)})`,
      );
    expect(scan.doc.root, JSON.stringify(xml)).toBe(lib.doc.root);
    expect({ ...scan.doc.fields }, JSON.stringify(xml)).toStrictEqual({ ...lib.doc.fields });
    tally.bothAccept++;
  } else if (lib.ok) {
    tally.onlyOracleAccepts++; // the scanner is stricter (e.g. `&#65;`, raw `]]>` in text): allowed
  } else {
    tally.bothReject++;
  }
  return scan;
}

describe('scanner vs fast-xml-parser (differential fuzz)', () => {
  it('agrees on generated valid documents and returns exactly the encoded values', () => {
    const g = new Gen(prng(0x5eed_0001));
    const tally: Tally = { bothAccept: 0, bothReject: 0, onlyOracleAccepts: 0 };
    for (let i = 0; i < 1500; i++) {
      const d = generateValid(g);
      const out = check(d.xml, d.roots, tally);
      if (!out.ok)
        throw new Error(`scanner refused a valid document ${JSON.stringify(d.xml)}: ${String(out.error)}`);
      expect(out.doc.root).toBe(d.root);
      expect({ ...out.doc.fields }).toStrictEqual(d.fields);
    }
    expect(tally.bothAccept).toBe(1500);
  });

  it('never accepts what the oracle rejects, on mutated and hostile documents', () => {
    const g = new Gen(prng(0x5eed_0002));
    const tally: Tally = { bothAccept: 0, bothReject: 0, onlyOracleAccepts: 0 };
    for (let i = 0; i < 3000; i++) {
      const d = generateValid(g);
      check(mutate(d.xml, g), d.roots, tally);
    }
    // The mutations must exercise all three outcomes, or the test proves little.
    expect(tally.bothReject).toBeGreaterThan(1000);
    expect(tally.bothAccept).toBeGreaterThan(100);
    expect(tally.onlyOracleAccepts).toBeGreaterThan(10);
  });

  it('never accepts duplicated, nested, attributed fields or markup around them', () => {
    const g = new Gen(prng(0x5eed_0003));
    const tally: Tally = { bothAccept: 0, bothReject: 0, onlyOracleAccepts: 0 };
    for (let i = 0; i < 1500; i++) {
      const d = generateValid(g);
      check(mutateStructure(d, g), d.roots, tally);
    }
    expect(tally.bothReject).toBeGreaterThan(1000);
  });
});
