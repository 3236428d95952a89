/**
 * The two npm packages we compare against, called through their real code paths (read from their
 * sources in node_modules):
 * - tenpay 2.1.18 (lib/index.js): requests are `params.sign = this._getSign(params, params.sign_type)`
 *   then `util.buildXML(params)` (xml2js Builder, CDATA); notifications go through
 *   `_parse(xml, 'middleware_pay')`: `util.parseXML` (xml2js), return_code/result_code/appid/mch_id
 *   checks, then `_getSign` compared with `!==`.
 * - wechatpay-axios-plugin 0.9.6 (lib/transformer.js): the axios request pipeline `[signer, toXml]`
 *   (`Hash.sign` + fast-xml-parser XMLBuilder) and response pipeline `[toObject, verifier]`
 *   (fast-xml-parser XMLParser + `Hash.sign` + `Hash.equals`).
 * Neither ships usable typings for these internals, so they are declared here as far as we use them.
 */
type Fields = Record<string, string | number>;

interface TenpayPayment {
  _getSign(params: Fields, type?: string): string;
  _parse(xml: string, type: string, signType?: string): Promise<Record<string, string>>;
}
interface TenpayUtil {
  buildXML(obj: Fields, rootName?: string): string;
}
interface AxiosTransformer {
  signer: (this: object, data: Fields) => Fields;
  verifier: (
    this: object,
    data: unknown,
    headers?: unknown,
    status?: number,
  ) => Record<string, string> | Error;
}
interface AxiosTransformerClass {
  new (mchid: string, secret: string): AxiosTransformer;
  toObject(this: unknown, xml: string): Record<string, string>;
  toXml(this: unknown, data: Fields): string;
}

// CommonJS packages, loaded by the bundle's require (scripts/build.mjs keeps npm packages external).
const Tenpay = require('tenpay') as new (cfg: {
  appid: string;
  mchid: string;
  partnerKey: string;
}) => TenpayPayment;
const tenpayUtil = require('tenpay/lib/util') as TenpayUtil;
const { Transformer } = require('wechatpay-axios-plugin') as { Transformer: AxiosTransformerClass };

export interface Merchant {
  appid: string;
  mchId: string;
  apiKey: string;
}

export function tenpayCodec(m: Merchant) {
  const payment = new Tenpay({ appid: m.appid, mchid: m.mchId, partnerKey: m.apiKey });
  return {
    /** What `_request` does before sending: sign in place, then build the XML body. */
    signBuild(params: Fields): string {
      params.sign = payment._getSign(params, params.sign_type as string | undefined);
      return tenpayUtil.buildXML(params);
    },
    /** The payment notification middleware's parse + checks + signature verification. */
    parseVerify(xml: string): Promise<Record<string, string>> {
      return payment._parse(xml, 'middleware_pay');
    },
  };
}

export function axiosPluginCodec(m: Merchant) {
  const transformer = new Transformer(m.mchId, m.apiKey);
  const { signer, verifier } = transformer;
  // The axios request config the transforms run against (`this` inside them).
  const config = { method: 'POST', url: '/pay/unifiedorder' };
  return {
    signBuild(params: Fields): string {
      return Transformer.toXml.call(config, signer.call(config, params));
    },
    parseVerify(xml: string): Record<string, string> {
      const out = verifier.call(config, Transformer.toObject.call(config, xml), {}, 200);
      if (out instanceof Error) throw out;
      return out;
    },
  };
}
