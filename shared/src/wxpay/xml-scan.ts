/**
 * Strict scanner for exactly the flat XML subset that WeChat Pay v2 uses (WeChat Pay v2 notes §1.1, §4, §5.4):
 *
 *   [XML declaration] S? <root> (S? <name>(text | CDATA)*</name> | <name/>)* S? </root> S?
 *
 * One root (the caller lists the accepted names: `xml`, or `root` for a decrypted refund `req_info`),
 * one level of elements holding text and/or CDATA, whitespace between elements. Everything else is
 * refused with an XmlError: nesting, attributes, duplicate names, comments, processing instructions
 * other than the declaration, text between fields, entities other than the five predefined ones,
 * numeric character references, unclosed or mismatched tags, names outside [A-Za-z_][A-Za-z0-9_.-]*,
 * and names that are members of Object.prototype (`__proto__`, `constructor`, `toString`, ...) or
 * `prototype`. DOCTYPE/ENTITY, size, encoding and control characters are checked before the scan by
 * `precheckXml` (xml.ts); `parseXml` runs both.
 *
 * Values are exactly as sent: never trimmed or coerced, CDATA verbatim, text and CDATA sections of one
 * element concatenated in document order. The only changes are the ones XML itself mandates and that
 * fast-xml-parser (the oracle, `parseXmlWithLibrary`) also applies: the five predefined entities are
 * decoded in text (not in CDATA), and line ends are normalised (CR LF and lone CR become LF, XML 1.0
 * §2.11). Numeric character references (`&#65;`) are refused rather than decoded: fast-xml-parser with
 * safe options leaves them undecoded, so no answer would be right for both, and WeChat never sends them.
 *
 * Hand-written rather than a general parser because the subset is all the protocol needs: a smaller
 * attack surface, and several times faster (see scripts/bench). The differential fuzz test
 * (xml-scan.test.ts) checks it against fast-xml-parser.
 */
import { XmlError, type XmlErrorCode } from '../errors';
import type { WxFields } from './types';
import type { ParsedXml } from './xml';

/**
 * Element names refused on input and output: every Object.prototype member (`__proto__`, `constructor`,
 * `toString`, `hasOwnProperty`, ...) and `prototype`. Refusing them all keeps a field from shadowing or
 * polluting an inherited property whatever the consumer does with the map.
 */
export const FORBIDDEN_ELEMENT_NAMES: ReadonlySet<string> = new Set([
  ...Object.getOwnPropertyNames(Object.prototype),
  'prototype',
]);

/**
 * Element names already accepted, mapped to an internalised copy. A name sliced out of a document is a
 * fresh string: used as a property key, V8 must look it up in its string table, which costs more than
 * the rest of the scan; and a hit here also skips the character checks. Bounded: cleared when full, so a
 * hostile stream of names costs speed, never memory.
 */
const knownNames = new Map<string, string>();
const KNOWN_NAMES_MAX = 512;
const CACHED_NAME_MAX_LENGTH = 64;
const NAME = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

/**
 * Throws an XmlError unless `name` is an acceptable v2 element name ([A-Za-z_][A-Za-z0-9_.-]*, not an
 * Object.prototype member); returns it (as a canonical copy when cached).
 */
export function elementName(name: string): string {
  const known = knownNames.get(name);
  if (known !== undefined) return known;
  if (FORBIDDEN_ELEMENT_NAMES.has(name)) fail('XML_FORBIDDEN_NAME', `element name <${name}> is refused`);
  if (!NAME.test(name)) fail('XML_MALFORMED', `invalid element name <${printable(name)}>`);
  if (name.length > CACHED_NAME_MAX_LENGTH) return name;
  // An object key is internalised and flat: a copy that does not pin the document in memory.
  const copy = Object.keys({ [name]: 0 })[0]!;
  if (knownNames.size >= KNOWN_NAMES_MAX) knownNames.clear();
  knownNames.set(copy, copy);
  return copy;
}

/** A name made safe to quote in an error message. */
export function printable(name: string): string {
  return name.replace(/[^A-Za-z0-9_.-]/g, '?').slice(0, 40);
}

const LT = 0x3c; // <
const GT = 0x3e; // >
const SLASH = 0x2f; // /
const BANG = 0x21; // !

/** XML white space (S): space, tab, LF, CR. Not NBSP or U+3000. */
function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

function isNameStart(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || c === 0x5f;
}

function isNameChar(c: number): boolean {
  return isNameStart(c) || (c >= 0x30 && c <= 0x39) || c === 0x2e || c === 0x2d;
}

function fail(code: XmlErrorCode, message: string): never {
  throw new XmlError(code, message);
}

// version 1.0, optional encoding (checked separately), optional standalone; XML white space only.
const DECLARATION =
  /^[ \t\r\n]+version[ \t\r\n]*=[ \t\r\n]*(["'])1\.0\1(?:[ \t\r\n]+encoding[ \t\r\n]*=[ \t\r\n]*(["'])([A-Za-z][A-Za-z0-9._-]*)\2)?(?:[ \t\r\n]+standalone[ \t\r\n]*=[ \t\r\n]*(["'])(?:yes|no)\4)?[ \t\r\n]*$/;

/**
 * Scans a prechecked document (a string that passed `precheckXml`: size, UTF-8, no BOM, no DOCTYPE or
 * control characters). `roots` lists the accepted root element names. Returns a plain object whose
 * keys are exactly the element names (none of them can shadow an Object.prototype member).
 */
export function scanXml(text: string, roots: readonly string[]): ParsedXml {
  return new Scanner(text).document(roots);
}

class Scanner {
  private readonly text: string;
  private readonly hasCR: boolean;
  private pos = 0;

  constructor(text: string) {
    this.text = text;
    this.hasCR = text.indexOf('\r') >= 0;
  }

  document(roots: readonly string[]): ParsedXml {
    const text = this.text;
    if (text.startsWith('<?xml') && isSpace(text.charCodeAt(5))) this.declaration();
    this.skipSpace();
    if (text.charCodeAt(this.pos) !== LT || !isNameStart(text.charCodeAt(this.pos + 1))) {
      this.unexpectedMarkup('before the root element');
    }
    const root = this.name(this.pos + 1);
    if (!roots.includes(root)) fail('XML_MALFORMED', `unexpected root element <${root}>`);
    const fields: WxFields = {};
    if (!this.startTagEnd()) this.fields(root, fields);
    this.skipSpace();
    if (this.pos !== text.length) this.unexpectedMarkup('after the root element');
    return { root, fields };
  }

  /** `<?xml version="1.0" encoding="UTF-8"?>` at offset 0 (the only processing instruction accepted). */
  private declaration(): void {
    const end = this.text.indexOf('?>', 5);
    if (end < 0) fail('XML_MALFORMED', 'unterminated XML declaration');
    const m = DECLARATION.exec(this.text.slice(5, end));
    if (!m) fail('XML_MALFORMED', 'malformed XML declaration');
    if (m[3] !== undefined && !/^utf-?8$/i.test(m[3])) fail('XML_NOT_UTF8', 'declared encoding is not UTF-8');
    this.pos = end + 2;
  }

  private skipSpace(): void {
    const text = this.text;
    let i = this.pos;
    while (isSpace(text.charCodeAt(i))) i++;
    this.pos = i;
  }

  /** Reads the element name starting at `start` (its first character already checked); pos → after it. */
  private name(start: number): string {
    const text = this.text;
    let i = start + 1;
    while (isNameChar(text.charCodeAt(i))) i++;
    const c = text.charCodeAt(i);
    if (c !== GT && c !== SLASH && !isSpace(c)) {
      fail('XML_MALFORMED', 'element name outside [A-Za-z_][A-Za-z0-9_.-]* or unterminated tag');
    }
    this.pos = i;
    return text.slice(start, i);
  }

  /** After a start tag's name: consumes `S? >` (returns false) or `S? />` (returns true, empty element). */
  private startTagEnd(): boolean {
    const text = this.text;
    let c = text.charCodeAt(this.pos);
    if (c === GT) {
      this.pos++;
      return false;
    }
    this.skipSpace();
    c = text.charCodeAt(this.pos);
    if (c === GT) {
      this.pos++;
      return false;
    }
    if (c === SLASH && text.charCodeAt(this.pos + 1) === GT) {
      this.pos += 2;
      return true;
    }
    if (isNameStart(c)) fail('XML_UNSUPPORTED', 'attributes are refused');
    return fail('XML_MALFORMED', 'malformed start tag');
  }

  /** `name S? >` of an end tag, pos at the name; pos → after `>`. */
  private endTag(name: string): void {
    const text = this.text;
    let i = this.pos;
    if (!text.startsWith(name, i)) fail('XML_MALFORMED', `mismatched end tag for <${name}>`);
    i += name.length;
    while (isSpace(text.charCodeAt(i))) i++;
    if (text.charCodeAt(i) !== GT) fail('XML_MALFORMED', `mismatched end tag for <${name}>`);
    this.pos = i + 1;
  }

  /** The root's content: fields separated by white space, up to and including `</root>`. */
  private fields(root: string, fields: WxFields): void {
    const text = this.text;
    for (;;) {
      this.skipSpace();
      const i = this.pos;
      if (i >= text.length) fail('XML_MALFORMED', `unclosed root element <${root}>`);
      if (text.charCodeAt(i) !== LT) fail('XML_MALFORMED', 'text between fields');
      const c = text.charCodeAt(i + 1);
      if (c === SLASH) {
        this.pos = i + 2;
        this.endTag(root);
        return;
      }
      if (!isNameStart(c)) this.unexpectedMarkup('between fields');
      // Fast path: `<name>` with a name already accepted before.
      const gt = text.indexOf('>', i + 2);
      let name =
        gt > 0 && gt - i <= CACHED_NAME_MAX_LENGTH ? knownNames.get(text.slice(i + 1, gt)) : undefined;
      let empty = false;
      if (name !== undefined) {
        this.pos = gt + 1;
      } else {
        name = elementName(this.name(i + 1));
        empty = this.startTagEnd();
      }
      // Forbidden names are out, so an own property is the only way this can be defined.
      if (fields[name] !== undefined) fail('XML_MALFORMED', `duplicate element <${name}>`);
      fields[name] = empty ? '' : this.content(name);
    }
  }

  /** An element's content after its start tag: text and CDATA up to `</name>`; pos → after the end tag. */
  private content(name: string): string {
    const text = this.text;
    let value = '';
    let i = this.pos;
    for (;;) {
      const lt = text.indexOf('<', i);
      if (lt < 0) fail('XML_MALFORMED', `unclosed element <${name}>`);
      if (lt > i) value += this.chars(i, lt);
      const c = text.charCodeAt(lt + 1);
      if (c === SLASH) {
        this.pos = lt + 2;
        this.endTag(name);
        return value;
      }
      if (c === BANG && text.startsWith('[CDATA[', lt + 2)) {
        const end = text.indexOf(']]>', lt + 9);
        if (end < 0) fail('XML_MALFORMED', 'unterminated CDATA section');
        value += this.hasCR ? normalizeLineEnds(text.slice(lt + 9, end)) : text.slice(lt + 9, end);
        i = end + 3;
        continue;
      }
      if (isNameStart(c)) fail('XML_NESTED', `element <${name}> contains an element`);
      this.pos = lt;
      this.unexpectedMarkup(`inside <${name}>`);
    }
  }

  /** Character data between markup: entities decoded, `]]>` refused (XML 1.0 §2.4). */
  private chars(start: number, end: number): string {
    let s = this.text.slice(start, end);
    if (this.hasCR) s = normalizeLineEnds(s);
    if (s.indexOf(']]>') >= 0) fail('XML_MALFORMED', "']]>' in text outside CDATA");
    return s.indexOf('&') >= 0 ? decodeEntities(s) : s;
  }

  /** Classifies a `<` (at pos) that is not allowed where it stands, and throws. */
  private unexpectedMarkup(where: string): never {
    const text = this.text;
    const i = this.pos;
    if (text.startsWith('<!--', i)) fail('XML_UNSUPPORTED', `comment ${where} is refused`);
    if (text.startsWith('<?', i)) fail('XML_UNSUPPORTED', `processing instruction ${where} is refused`);
    if (text.startsWith('<![CDATA[', i)) fail('XML_MALFORMED', `CDATA ${where}`);
    if (i >= text.length) fail('XML_MALFORMED', `unexpected end of document ${where}`);
    return fail('XML_MALFORMED', `unexpected content ${where}`);
  }
}

/** CR LF and lone CR become LF (XML 1.0 §2.11), as every conformant parser and fast-xml-parser do. */
function normalizeLineEnds(s: string): string {
  return s.indexOf('\r') >= 0 ? s.replace(/\r\n?/g, '\n') : s;
}

/** Decodes the five predefined entities; anything else after `&` is refused. */
function decodeEntities(s: string): string {
  let out = '';
  let last = 0;
  let amp = s.indexOf('&');
  while (amp >= 0) {
    const semi = s.indexOf(';', amp + 1);
    const ref = semi < 0 ? '' : s.slice(amp + 1, semi);
    let ch: string;
    switch (ref) {
      case 'lt':
        ch = '<';
        break;
      case 'gt':
        ch = '>';
        break;
      case 'amp':
        ch = '&';
        break;
      case 'apos':
        ch = "'";
        break;
      case 'quot':
        ch = '"';
        break;
      default:
        if (/^#(?:[0-9]+|x[0-9A-Fa-f]+)$/.test(ref))
          fail('XML_UNSUPPORTED', 'numeric character references are refused');
        if (/^[A-Za-z_][A-Za-z0-9_.-]*$/.test(ref)) fail('XML_UNSUPPORTED', `entity &${ref}; is refused`);
        return fail('XML_MALFORMED', "'&' not starting an entity reference");
    }
    out += s.slice(last, amp) + ch;
    last = semi + 1;
    amp = s.indexOf('&', last);
  }
  return out + s.slice(last);
}
