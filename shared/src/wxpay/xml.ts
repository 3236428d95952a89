/**
 * The v2 XML codec. WeChat Pay v2 documents are flat: one root (`<xml>`, or `<root>` inside a refund
 * `req_info`), one level of elements holding text or CDATA. We parse into a flat map of strings, values
 * exactly as sent (not trimmed, not coerced, the five predefined entities decoded), and refuse anything
 * else with a typed XmlError *before* any value is trusted: DOCTYPE/ENTITY (XXE, entity bombs, pitfall 8),
 * oversize bodies, nesting, attributes, duplicates, `__proto__`-style names, non-UTF-8 input.
 * Parsed as XML whatever the Content-Type says (spec §1.4).
 *
 * `parseXml` = `precheckXml` (bytes and characters) + `scanXml` (the strict scanner of the subset,
 * xml-scan.ts). `parseXmlWithLibrary` does the same with fast-xml-parser and is kept as the test oracle.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { XmlError } from '../errors';
import type { WxFields, WxInput } from './types';
import { elementName, printable, scanXml } from './xml-scan';

export const DEFAULT_MAX_XML_BYTES = 64 * 1024;

export interface ParseXmlOptions {
  /** Largest accepted body in bytes (default 64 KiB). */
  maxBytes?: number;
  /** Accepted root element names (default `xml`). */
  roots?: readonly string[];
}

export interface ParsedXml {
  root: string;
  fields: WxFields;
}

const DEFAULT_ROOTS: readonly string[] = ['xml'];
const DOCTYPE = /<!(?:DOCTYPE|ENTITY)/i;
// C0 controls other than TAB, LF, CR, and U+FFFE/U+FFFF are not XML characters (XML 1.0 §2.2).
// One pass looks for either problem; DOCTYPE tells them apart when it finds one.
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
const DOCTYPE_OR_NOT_XML_CHAR = /<!(?:DOCTYPE|ENTITY)|[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/i;

// ignoreBOM: keep a BOM in the text, so that exactly one is dropped below for strings and bytes alike.
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * Checks shared by both parsers, before any markup is read: size (bytes), UTF-8 (a string must be well
 * formed: no lone surrogates), a leading BOM dropped, DOCTYPE/ENTITY refused anywhere in the body
 * (pitfall 8: XXE and entity bombs), characters XML does not allow. Returns the text to parse.
 */
export function precheckXml(input: string | Uint8Array, maxBytes = DEFAULT_MAX_XML_BYTES): string {
  let text: string;
  if (typeof input === 'string') {
    // A UTF-16 code unit takes 1 to 3 UTF-8 bytes: count bytes only when the length leaves a doubt.
    if (
      input.length > maxBytes ||
      (input.length * 3 > maxBytes && Buffer.byteLength(input, 'utf8') > maxBytes)
    ) {
      throw new XmlError('XML_TOO_LARGE', `XML body over ${maxBytes} bytes`);
    }
    if (!input.isWellFormed()) throw new XmlError('XML_NOT_UTF8', 'XML body is not valid UTF-8');
    text = input;
  } else {
    if (input.byteLength > maxBytes) throw new XmlError('XML_TOO_LARGE', `XML body over ${maxBytes} bytes`);
    try {
      text = utf8.decode(input);
    } catch {
      throw new XmlError('XML_NOT_UTF8', 'XML body is not valid UTF-8');
    }
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (DOCTYPE_OR_NOT_XML_CHAR.test(text)) {
    if (DOCTYPE.test(text)) throw new XmlError('XML_DOCTYPE', 'DOCTYPE/ENTITY declarations are refused');
    throw new XmlError('XML_MALFORMED', 'control character in XML body');
  }
  return text;
}

let libraryParser: XMLParser | undefined;

function refuseDangerousName(name: string): string {
  throw new XmlError('XML_FORBIDDEN_NAME', `element name <${name}> is refused`);
}

function getLibraryParser(): XMLParser {
  libraryParser ??= new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '@_',
    parseTagValue: false,
    parseAttributeValue: false,
    trimValues: false,
    processEntities: true,
    htmlEntities: false,
    ignoreDeclaration: true,
    ignorePiTags: false,
    commentPropName: '#comment',
    cdataPropName: false,
    textNodeName: '#text',
    alwaysCreateTextNode: false,
    // fast-xml-parser renames toString, valueOf, ... to `__toString`; refuse them instead.
    onDangerousProperty: refuseDangerousName,
  });
  return libraryParser;
}

/**
 * Parses with fast-xml-parser under safe options, then enforces the flat subset. This is the reference
 * implementation: the oracle of the differential test of the scanner in `xml-scan.ts`, which `parseXml`
 * uses. It is looser than the scanner in places (it keeps unknown entities and numeric character
 * references undecoded, accepts `]]>` in text and any declaration) but never accepts a nested, attributed,
 * duplicated or prototype-named field.
 */
export function parseXmlWithLibrary(input: string | Uint8Array, opts: ParseXmlOptions = {}): ParsedXml {
  const text = precheckXml(input, opts.maxBytes);
  const valid = XMLValidator.validate(text);
  if (valid !== true) throw new XmlError('XML_MALFORMED', `malformed XML: ${valid.err.msg}`);
  let doc: Record<string, unknown>;
  try {
    doc = getLibraryParser().parse(text) as Record<string, unknown>;
  } catch (e) {
    if (e instanceof XmlError) throw e;
    // `__proto__`, `constructor`, `prototype` as names: the library throws "[SECURITY] Invalid name".
    if (e instanceof Error && e.message.includes('[SECURITY]')) {
      throw new XmlError('XML_FORBIDDEN_NAME', 'element names __proto__/constructor/prototype are refused');
    }
    throw new XmlError('XML_MALFORMED', 'malformed XML');
  }
  const top = Object.keys(doc).filter((k) => !isIgnorableText(k, doc[k]));
  if (top.length !== 1) throw new XmlError('XML_MALFORMED', 'XML must have exactly one root element');
  const root = top[0]!;
  if (root.startsWith('?') || root === '#comment')
    throw new XmlError('XML_UNSUPPORTED', 'processing instructions and comments are refused');
  const roots = opts.roots ?? DEFAULT_ROOTS;
  if (!roots.includes(root))
    throw new XmlError('XML_MALFORMED', `unexpected root element <${printable(root)}>`);
  const body = doc[root];
  const fields: WxFields = {};
  if (body === '' || body === undefined) return { root, fields };
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    if (Array.isArray(body)) throw new XmlError('XML_MALFORMED', 'XML must have exactly one root element');
    if (typeof body === 'string' && /^[ \t\r\n]*$/.test(body)) return { root, fields };
    throw new XmlError('XML_MALFORMED', 'root element holds text, not fields');
  }
  for (const [k, v] of Object.entries(body as Record<string, unknown>)) {
    if (isIgnorableText(k, v)) continue;
    if (k === '#text') throw new XmlError('XML_MALFORMED', 'text between fields');
    if (k === '#comment' || k.startsWith('?'))
      throw new XmlError('XML_UNSUPPORTED', 'comments and processing instructions are refused');
    if (k.startsWith('@_')) throw new XmlError('XML_UNSUPPORTED', 'attributes are refused');
    checkName(k);
    if (Array.isArray(v)) throw new XmlError('XML_MALFORMED', `duplicate element <${k}>`);
    if (typeof v !== 'string') throw new XmlError('XML_NESTED', `element <${k}> is nested or has attributes`);
    fields[k] = v;
  }
  return { root, fields };
}

function isIgnorableText(k: string, v: unknown): boolean {
  return k === '#text' && typeof v === 'string' && /^[ \t\r\n]*$/.test(v);
}

/** Throws unless `k` is an acceptable v2 element name (ASCII name, not an Object.prototype member). */
export function checkName(k: string): void {
  elementName(k);
}

/** Parses a v2 document to a flat map of strings (see the module comment for what is refused). */
export function parseXml(input: string | Uint8Array, opts: ParseXmlOptions = {}): WxFields {
  return parseXmlDocument(input, opts).fields;
}

/** Like parseXml, also returning the root element's name. Uses the strict scanner (`xml-scan.ts`). */
export function parseXmlDocument(input: string | Uint8Array, opts: ParseXmlOptions = {}): ParsedXml {
  return scanXml(precheckXml(input, opts.maxBytes), opts.roots ?? DEFAULT_ROOTS);
}

/** Splits a value so that a literal `]]>` survives inside CDATA. */
export function escapeCdata(v: string): string {
  return v.includes(']]>') ? v.split(']]>').join(']]]]><![CDATA[>') : v;
}

/** One element: `<name><![CDATA[value]]></name>`, or plain digits for a number. Checks the name. */
export function xmlElement(name: string, value: string | number): string {
  elementName(name);
  if (typeof value === 'number') {
    if (!Number.isFinite(value))
      throw new XmlError('XML_MALFORMED', `element <${name}> is not a finite number`);
    return '<' + name + '>' + value + '</' + name + '>';
  }
  return '<' + name + '><![CDATA[' + escapeCdata(value) + ']]></' + name + '>';
}

/**
 * Builds `<xml>` (or another root) with every value in CDATA; numbers are written as plain decimals.
 * undefined/null values are left out. Element names are checked. To sign and build a request in one
 * pass, use `signedXml` (sign.ts).
 */
export function buildXml(fields: WxInput, root = 'xml'): string {
  let out = '<' + root + '>';
  for (const k of Object.keys(fields)) {
    const v = fields[k];
    if (v === undefined || v === null) continue;
    out += xmlElement(k, v);
  }
  return out + '</' + root + '>';
}
