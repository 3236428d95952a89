import { describe, expect, it } from 'vitest';
import { XmlError } from '../errors';
import {
  buildXml,
  checkName,
  DEFAULT_MAX_XML_BYTES,
  escapeCdata,
  parseXml,
  parseXmlDocument,
  parseXmlWithLibrary,
  precheckXml,
  xmlElement,
} from './xml';

/** Runs both parsers; returns the scanner's XmlError code and checks the oracle refuses too. */
function refusedBoth(input: string | Uint8Array, opts?: Parameters<typeof parseXml>[1]): string {
  let code = '';
  try {
    parseXml(input, opts);
  } catch (e) {
    expect(e).toBeInstanceOf(XmlError);
    code = (e as XmlError).code;
  }
  expect(code, 'scanner must refuse').not.toBe('');
  expect(() => parseXmlWithLibrary(input, opts)).toThrow(XmlError);
  return code;
}

const NOTIFY = `<xml>
<appid><![CDATA[wx2421b1c4370ec43b]]></appid>
<attach><![CDATA[支付测试]]></attach>
<bank_type><![CDATA[CFT]]></bank_type>
<fee_type><![CDATA[CNY]]></fee_type>
<is_subscribe><![CDATA[Y]]></is_subscribe>
<mch_id><![CDATA[10000100]]></mch_id>
<nonce_str><![CDATA[5d2b6c2a8db53831f7eda20af46e531c]]></nonce_str>
<openid><![CDATA[oUpF8uMEb4qRXf22hE3X68TekukE]]></openid>
<out_trade_no><![CDATA[1409811653]]></out_trade_no>
<result_code><![CDATA[SUCCESS]]></result_code>
<return_code><![CDATA[SUCCESS]]></return_code>
<sign><![CDATA[B552ED6B279343CB493C5DD0D78AB241]]></sign>
<time_end><![CDATA[20140903131540]]></time_end>
<total_fee>1</total_fee>
<coupon_fee><![CDATA[10]]></coupon_fee>
<coupon_count><![CDATA[1]]></coupon_count>
<coupon_type><![CDATA[CASH]]></coupon_type>
<coupon_id><![CDATA[10000]]></coupon_id>
<trade_type><![CDATA[JSAPI]]></trade_type>
<transaction_id><![CDATA[1004400740201409030005092168]]></transaction_id>
</xml>`;

describe('parseXml (strict scanner)', () => {
  it('parses the official payment-notification sample (spec §4.2, WJS transaction-success.md)', () => {
    const f = parseXml(NOTIFY);
    expect(Object.keys(f)).toHaveLength(20);
    expect(f.attach).toBe('支付测试');
    expect(f.total_fee).toBe('1');
    expect(f.sign).toBe('B552ED6B279343CB493C5DD0D78AB241');
    expect(parseXmlWithLibrary(NOTIFY).fields).toStrictEqual(f);
  });

  it('keeps values exactly as sent: no trimming, no number coercion, CDATA verbatim', () => {
    const f = parseXml(
      '<xml><a>007</a><b> x </b><c><![CDATA[ <&> ]]></c><d>1e3</d><e>true</e><g>\t\n</g></xml>',
    );
    expect(f).toStrictEqual({ a: '007', b: ' x ', c: ' <&> ', d: '1e3', e: 'true', g: '\t\n' });
  });

  it('decodes the five predefined entities in text only, once', () => {
    const f = parseXml('<xml><a>&lt;&gt;&amp;&apos;&quot;</a><b>&amp;lt;</b><c><![CDATA[&amp;]]></c></xml>');
    expect(f).toStrictEqual({ a: `<>&'"`, b: '&lt;', c: '&amp;' });
  });

  it('concatenates several CDATA sections and text of one element, as fast-xml-parser does', () => {
    const xml = '<xml><a>x<![CDATA[y]]>z</a><b><![CDATA[x]]]]><![CDATA[>y]]></b><c> <![CDATA[m]]> </c></xml>';
    expect(parseXml(xml)).toStrictEqual({ a: 'xyz', b: 'x]]>y', c: ' m ' });
    expect(parseXmlWithLibrary(xml).fields).toStrictEqual(parseXml(xml));
  });

  it('accepts empty elements, white space between fields, a declaration and a BOM', () => {
    const xml =
      '\uFEFF<?xml version="1.0" encoding="UTF-8"?>\r\n<xml>\r\n\t<a/>\n<b />\n<c></c> <d><![CDATA[]]></d>\n</xml>\n';
    expect(parseXml(xml)).toStrictEqual({ a: '', b: '', c: '', d: '' });
    expect(parseXml(Buffer.from(xml, 'utf8'))).toStrictEqual({ a: '', b: '', c: '', d: '' });
    expect(parseXml('<xml/>')).toStrictEqual({});
    expect(parseXml('<xml>\n</xml>')).toStrictEqual({});
  });

  it('normalises line ends like every XML parser (XML 1.0 §2.11)', () => {
    expect(parseXml('<xml><a>1\r\n2\r3</a><b><![CDATA[x\r\ny]]></b></xml>')).toStrictEqual({
      a: '1\n2\n3',
      b: 'x\ny',
    });
  });

  it('accepts a Buffer and non-ASCII text', () => {
    expect(parseXml(Buffer.from('<xml><body>腾讯充值中心-QQ会员充值</body></xml>'))).toStrictEqual({
      body: '腾讯充值中心-QQ会员充值',
    });
  });

  it('returns plain objects whose keys are exactly the element names', () => {
    const f = parseXml('<xml><a>1</a></xml>');
    expect(Object.getPrototypeOf(f)).toBe(Object.prototype);
    expect(Object.keys(f)).toStrictEqual(['a']);
  });

  it('checks the root element against opts.roots (default xml)', () => {
    const root = '<root><refund_status>SUCCESS</refund_status></root>';
    expect(refusedBoth(root)).toBe('XML_MALFORMED');
    expect(parseXmlDocument(root, { roots: ['root'] })).toStrictEqual({
      root: 'root',
      fields: { refund_status: 'SUCCESS' },
    });
    expect(parseXmlDocument('<xml/>', { roots: ['xml', 'root'] }).root).toBe('xml');
    expect(refusedBoth('<XML><a>1</a></XML>')).toBe('XML_MALFORMED');
  });
});

describe('hostile and out-of-subset input (both parsers refuse; the scanner with a precise code)', () => {
  it('refuses DOCTYPE/ENTITY: billion laughs and external entities (pitfall 8)', () => {
    const lol =
      '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">' +
      '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]><xml><a>&lol3;</a></xml>';
    expect(refusedBoth(lol)).toBe('XML_DOCTYPE');
    const xxe = '<!DOCTYPE xml [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><xml><a>&xxe;</a></xml>';
    expect(refusedBoth(xxe)).toBe('XML_DOCTYPE');
    expect(refusedBoth('<!doctype xml><xml/>')).toBe('XML_DOCTYPE');
    // Even where it would be inert (inside CDATA), a body that mentions a DOCTYPE is refused (pitfall 8).
    expect(refusedBoth('<xml><a><![CDATA[<!DOCTYPE x>]]></a></xml>')).toBe('XML_DOCTYPE');
  });

  it('refuses entities other than the five predefined, and numeric character references', () => {
    expect(() => parseXml('<xml><a>&xxe;</a></xml>')).toThrow(
      expect.objectContaining({ code: 'XML_UNSUPPORTED' }),
    );
    expect(() => parseXml('<xml><a>&copy;</a></xml>')).toThrow(
      expect.objectContaining({ code: 'XML_UNSUPPORTED' }),
    );
    // fast-xml-parser keeps these undecoded (a wrong value); the scanner refuses them instead.
    expect(parseXmlWithLibrary('<xml><a>&#65;</a></xml>').fields.a).toBe('&#65;');
    expect(() => parseXml('<xml><a>&#65;</a></xml>')).toThrow(
      expect.objectContaining({ code: 'XML_UNSUPPORTED' }),
    );
    expect(() => parseXml('<xml><a>&#x41;</a></xml>')).toThrow(
      expect.objectContaining({ code: 'XML_UNSUPPORTED' }),
    );
    expect(refusedBoth('<xml><a>a & b</a></xml>')).toBe('XML_MALFORMED');
    expect(refusedBoth('<xml><a>&lt</a></xml>')).toBe('XML_MALFORMED');
  });

  it('refuses a body over the limit (default 64 KiB; configurable), counted in UTF-8 bytes', () => {
    const wrap = (n: number) => {
      const shell = '<xml><a></a></xml>';
      return `<xml><a>${'x'.repeat(n - shell.length)}</a></xml>`;
    };
    expect(DEFAULT_MAX_XML_BYTES).toBe(65536);
    expect(parseXml(wrap(65536)).a).toHaveLength(65536 - 18);
    expect(refusedBoth(wrap(65537))).toBe('XML_TOO_LARGE');
    expect(refusedBoth(wrap(65 * 1024 + 1))).toBe('XML_TOO_LARGE');
    expect(refusedBoth(Buffer.from(wrap(65537)))).toBe('XML_TOO_LARGE');
    // 30 000 Chinese characters: fewer UTF-16 units than the limit, 90 000 bytes.
    expect(refusedBoth(`<xml><a>${'中'.repeat(30000)}</a></xml>`)).toBe('XML_TOO_LARGE');
    expect(refusedBoth(wrap(200), { maxBytes: 199 })).toBe('XML_TOO_LARGE');
    expect(parseXml(wrap(200), { maxBytes: 200 }).a).toHaveLength(182);
  });

  it('refuses non-UTF-8 input', () => {
    const gbk = Buffer.concat([
      Buffer.from('<xml><a>'),
      Buffer.from([0xd6, 0xd0, 0xce, 0xc4]),
      Buffer.from('</a></xml>'),
    ]);
    expect(refusedBoth(gbk)).toBe('XML_NOT_UTF8');
    expect(
      refusedBoth(
        Buffer.from([0x3c, 0x78, 0x6d, 0x6c, 0x3e, 0xc3, 0x28, 0x3c, 0x2f, 0x78, 0x6d, 0x6c, 0x3e]),
      ),
    ).toBe('XML_NOT_UTF8');
    expect(refusedBoth(Buffer.from('\uFEFF<xml/>', 'utf16le'))).toBe('XML_NOT_UTF8');
    expect(refusedBoth('<xml><a>\uD800</a></xml>')).toBe('XML_NOT_UTF8');
    expect(() => parseXml('<?xml version="1.0" encoding="GBK"?><xml/>')).toThrow(
      expect.objectContaining({ code: 'XML_NOT_UTF8' }),
    );
  });

  it('refuses nesting, attributes, duplicates, comments, processing instructions, mixed text', () => {
    expect(refusedBoth('<xml><a><b>1</b></a></xml>')).toBe('XML_NESTED');
    expect(refusedBoth('<xml><a>x<b/></a></xml>')).toBe('XML_NESTED');
    expect(refusedBoth('<xml><a x="1">1</a></xml>')).toBe('XML_UNSUPPORTED');
    expect(refusedBoth('<xml id="1"><a>1</a></xml>')).toBe('XML_UNSUPPORTED');
    expect(refusedBoth('<xml><a>1</a><a>2</a></xml>')).toBe('XML_MALFORMED');
    expect(refusedBoth('<xml><a>1</a><!-- c --></xml>')).toBe('XML_UNSUPPORTED');
    expect(refusedBoth('<xml><a>1<!-- c --></a></xml>')).toBe('XML_UNSUPPORTED');
    expect(refusedBoth('<!-- c --><xml/>')).toBe('XML_UNSUPPORTED');
    expect(refusedBoth('<xml/><!-- c -->')).toBe('XML_UNSUPPORTED');
    expect(refusedBoth('<xml><?pi x?><a>1</a></xml>')).toBe('XML_UNSUPPORTED');
    expect(refusedBoth('<?xml-stylesheet href="a"?><xml/>')).toBe('XML_UNSUPPORTED');
    expect(refusedBoth('<xml>text<a>1</a></xml>')).toBe('XML_MALFORMED');
    expect(refusedBoth('<xml><a>1</a>text</xml>')).toBe('XML_MALFORMED');
    expect(refusedBoth('<xml>only text</xml>')).toBe('XML_MALFORMED');
    expect(refusedBoth('<xml><a>1</a></xml><xml/>')).toBe('XML_MALFORMED');
    expect(refusedBoth('<xml><a>1</a></xml>trailing')).toBe('XML_MALFORMED');
  });

  it('refuses unclosed and mismatched tags, bad names, control characters', () => {
    for (const xml of [
      '<xml><a>1</a>',
      '<xml><a>1</xml>',
      '<xml><a>1</b></xml>',
      '<xml><a>1</ab></xml>',
      '<xml><a><![CDATA[1</a></xml>',
      '<xml><1a>1</1a></xml>',
      '<xml><a:b>1</a:b></xml>',
      '<xml><中>1</中></xml>',
      '<xml><a>\u0001</a></xml>',
      '<xml><a>\u0000</a></xml>',
      '',
      '   ',
      'not xml',
    ]) {
      const code = refusedBoth(xml);
      expect(code, JSON.stringify(xml)).toBe('XML_MALFORMED');
    }
  });

  it('refuses __proto__, constructor, prototype and other Object.prototype names, and pollutes nothing', () => {
    for (const name of [
      '__proto__',
      'constructor',
      'prototype',
      'toString',
      'hasOwnProperty',
      'valueOf',
      'isPrototypeOf',
    ]) {
      expect(refusedBoth(`<xml><${name}><polluted>1</polluted></${name}></xml>`)).toMatch(
        /XML_FORBIDDEN_NAME|XML_NESTED/,
      );
      expect(refusedBoth(`<xml><${name}>1</${name}></xml>`), name).toBe('XML_FORBIDDEN_NAME');
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    // A field that merely starts like one is fine.
    expect(parseXml('<xml><__proto>1</__proto><constructor_id>2</constructor_id></xml>')).toStrictEqual({
      __proto: '1',
      constructor_id: '2',
    });
  });

  it('refuses a malformed XML declaration or one that is not first', () => {
    expect(refusedBoth('\n<?xml version="1.0"?><xml/>')).toBe('XML_UNSUPPORTED');
    expect(() => parseXml('<?xml version="2.0"?><xml/>')).toThrow(XmlError);
    expect(() => parseXml('<?xml version="1.0"<xml/>')).toThrow(XmlError);
    expect(parseXml("<?xml version='1.0' standalone='yes' ?><xml><a>1</a></xml>")).toStrictEqual({ a: '1' });
  });

  it('precheckXml returns the text without the BOM', () => {
    expect(precheckXml('\uFEFF<xml/>')).toBe('<xml/>');
    expect(precheckXml(Buffer.from('\uFEFF<xml/>'))).toBe('<xml/>');
  });
});

describe('buildXml', () => {
  it('round-trips through parseXml: ]]>, leading zeros, spaces, Chinese, markup characters', () => {
    const fields = {
      a: ']]>',
      b: 'x]]>y]]>z',
      c: '007',
      d: '  padded  ',
      e: '腾讯充值中心-QQ会员充值',
      f: '<b>&amp;"\'</b>',
      g: '',
      h: 'line\nbreak',
    };
    const xml = buildXml(fields);
    expect(parseXml(xml)).toStrictEqual(fields);
    expect(parseXmlWithLibrary(xml).fields).toStrictEqual(fields);
  });

  it('writes numbers as decimals, CDATA for strings, skips undefined/null, keeps insertion order', () => {
    expect(buildXml({ total_fee: 888, body: 'x', skipped: undefined, gone: null, empty: '' })).toBe(
      '<xml><total_fee>888</total_fee><body><![CDATA[x]]></body><empty><![CDATA[]]></empty></xml>',
    );
    expect(buildXml({ a: '1' }, 'root')).toBe('<root><a><![CDATA[1]]></a></root>');
    expect(() => buildXml({ a: Number.NaN })).toThrow(XmlError);
  });

  it('refuses names outside the subset', () => {
    expect(() => buildXml({ 'a b': '1' })).toThrow(XmlError);
    expect(() => buildXml({ '<a>': '1' })).toThrow(XmlError);
    expect(() => buildXml(JSON.parse('{"__proto__":"1"}'))).toThrow(
      expect.objectContaining({ code: 'XML_FORBIDDEN_NAME' }),
    );
    expect(() => checkName('constructor')).toThrow(XmlError);
    expect(() => checkName('appid')).not.toThrow();
    expect(xmlElement('n', 'v')).toBe('<n><![CDATA[v]]></n>');
  });

  it('escapeCdata splits ]]> so it survives inside CDATA', () => {
    expect(escapeCdata('a]]>b')).toBe('a]]]]><![CDATA[>b');
    expect(escapeCdata('plain')).toBe('plain');
  });
});
