/**
 * The v2 XML codec. WeChat Pay v2 documents are flat: one root (`<xml>`, or `<root>` inside a refund
 * `req_info`), one level of elements holding text or CDATA. We parse into a flat map of strings, values
 * exactly as sent (not trimmed, not coerced, the five predefined entities decoded), and refuse anything
 * else with a typed XmlError *before* any value is trusted: DOCTYPE/ENTITY (XXE, entity bombs, pitfall 8),
 * oversize bodies, nesting, attributes, duplicates, `__proto__`-style names, non-UTF-8 input.
 * Parsed as XML whatever the Content-Type says (spec §1.4).
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { XmlError } from '../errors';
import type { WxFields, WxInput } from './types';

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

const FORBIDDEN_NAMES = new Set(['__proto__', 'constructor', 'prototype']);
const NAME = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Byte-level checks shared by every parser: size, encoding, DOCTYPE/ENTITY. Returns the text. */
export function precheckXml(input: string | Uint8Array, maxBytes = DEFAULT_MAX_XML_BYTES): string {
  let text: string;
  if (typeof input === 'string') {
    if (Buffer.byteLength(input, 'utf8') > maxBytes) throw new XmlError('XML_TOO_LARGE', `XML body over ${maxBytes} bytes`);
    if (/[\uD800-\uDFFF]/.test(input) && !input.isWellFormed()) throw new XmlError('XML_NOT_UTF8', 'XML body is not valid UTF-8');
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
  if (/<!DOCTYPE|<!ENTITY/i.test(text)) throw new XmlError('XML_DOCTYPE', 'DOCTYPE/ENTITY declarations are refused');
  return text;
}

const parser = new XMLParser({
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
});

/**
 * Parses with fast-xml-parser under safe options, then enforces the flat subset. This is the reference
 * implementation (the oracle for the fast scanner in `xml-scan.ts`).
 */
export function parseXmlWithLibrary(input: string | Uint8Array, opts: ParseXmlOptions = {}): ParsedXml {
  const text = precheckXml(input, opts.maxBytes);
  const valid = XMLValidator.validate(text);
  if (valid !== true) throw new XmlError('XML_MALFORMED', `malformed XML: ${valid.err.msg}`);
  if (/<\/?\s*(?:__proto__|constructor|prototype)[\s>/]/.test(text)) {
    throw new XmlError('XML_FORBIDDEN_NAME', 'element names __proto__/constructor/prototype are refused');
  }
  let doc: Record<string, unknown>;
  try {
    doc = parser.parse(text) as Record<string, unknown>;
  } catch {
    throw new XmlError('XML_MALFORMED', 'malformed XML');
  }
  const top = Object.keys(doc).filter((k) => !isIgnorableText(k, doc[k]));
  if (top.length !== 1) throw new XmlError('XML_MALFORMED', 'XML must have exactly one root element');
  const root = top[0]!;
  if (root.startsWith('?') || root === '#comment') throw new XmlError('XML_UNSUPPORTED', 'processing instructions and comments are refused');
  const roots = opts.roots ?? ['xml'];
  if (!roots.includes(root)) throw new XmlError('XML_MALFORMED', `unexpected root element <${safeName(root)}>`);
  const body = doc[root];
  const fields: WxFields = Object.create(null);
  if (body === '' || body === undefined) return { root, fields: { ...fields } };
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    if (Array.isArray(body)) throw new XmlError('XML_MALFORMED', 'XML must have exactly one root element');
    if (typeof body === 'string' && body.trim() === '') return { root, fields: {} };
    throw new XmlError('XML_MALFORMED', 'root element holds text, not fields');
  }
  for (const [k, v] of Object.entries(body as Record<string, unknown>)) {
    if (isIgnorableText(k, v)) continue;
    if (k === '#text') throw new XmlError('XML_MALFORMED', 'text between fields');
    if (k === '#comment' || k.startsWith('?')) throw new XmlError('XML_UNSUPPORTED', 'comments and processing instructions are refused');
    if (k.startsWith('@_')) throw new XmlError('XML_UNSUPPORTED', 'attributes are refused');
    checkName(k);
    if (Array.isArray(v)) throw new XmlError('XML_MALFORMED', `duplicate element <${k}>`);
    if (typeof v !== 'string') throw new XmlError('XML_NESTED', `element <${k}> is nested or has attributes`);
    fields[k] = v;
  }
  return { root, fields: { ...fields } };
}

function isIgnorableText(k: string, v: unknown): boolean {
  return k === '#text' && typeof v === 'string' && /^[ \t\r\n]*$/.test(v);
}

function safeName(n: string): string {
  return n.replace(/[^A-Za-z0-9_.-]/g, '?').slice(0, 40);
}

export function checkName(k: string): void {
  if (FORBIDDEN_NAMES.has(k)) throw new XmlError('XML_FORBIDDEN_NAME', `element name <${k}> is refused`);
  if (!NAME.test(k)) throw new XmlError('XML_MALFORMED', `invalid element name <${safeName(k)}>`);
}

/** Parses a v2 document to a flat map of strings (see the module comment for what is refused). */
export function parseXml(input: string | Uint8Array, opts: ParseXmlOptions = {}): WxFields {
  return parseXmlDocument(input, opts).fields;
}

/** Like parseXml, also returning the root element's name. */
export function parseXmlDocument(input: string | Uint8Array, opts: ParseXmlOptions = {}): ParsedXml {
  return parseXmlWithLibrary(input, opts);
}

/** Splits a value so that a literal `]]>` survives inside CDATA. */
export function escapeCdata(v: string): string {
  return v.includes(']]>') ? v.split(']]>').join(']]]]><![CDATA[>') : v;
}

/**
 * Builds `<xml>` (or another root) with every value in CDATA; numbers are written as plain decimals.
 * undefined/null values are left out. Element names are checked.
 */
export function buildXml(fields: WxInput, root = 'xml'): string {
  let out = `<${root}>`;
  for (const k of Object.keys(fields)) {
    const v = fields[k];
    if (v === undefined || v === null) continue;
    checkName(k);
    if (typeof v === 'number') {
      if (!Number.isFinite(v)) throw new XmlError('XML_MALFORMED', `element <${k}> is not a finite number`);
      out += `<${k}>${v}</${k}>`;
    } else {
      out += `<${k}><![CDATA[${escapeCdata(v)}]]></${k}>`;
    }
  }
  return out + `</${root}>`;
}
