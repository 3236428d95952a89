/**
 * Codec benchmark (issue 3 "Benchmark"): Shouyin's v2 codec against tenpay and wechatpay-axios-plugin,
 * side by side in one process, after checking that all of them agree.
 *  - signBuild: sign (MD5) + build the XML body of a 12-field unifiedorder request.
 *  - parseVerify: parse + verify a 23-field payment notification (CDATA, Chinese text).
 * Each case also times a floor: the least work that could produce the answer (signBuild: sorted join +
 * one MD5 + string-concatenated XML; parseVerify: one regex pass pulling out the fields, then the same
 * sorted join + MD5), i.e. the same result with no validation at all.
 */
import { deepStrictEqual, strictEqual, throws } from 'node:assert';
import { hash } from 'node:crypto';
import {
  buildXml,
  parseXml,
  parseXmlWithLibrary,
  sign,
  signedXml,
  verify,
  type WxFields,
} from '@shouyin/shared';
import { MERCHANT, notificationXml, unifiedOrderFields } from './lib/fixtures';
import { axiosPluginCodec, tenpayCodec } from './lib/rivals';
import { compare, sinkValue, type TimingOptions } from './lib/timing';

export interface CodecCaseResult {
  /** Shouyin operations per second. */
  ops: number;
  /** Shouyin's rate divided by the other one's (higher is better for Shouyin). */
  vsTenpay: number;
  vsAxiosPlugin: number;
  /** Shouyin's rate divided by the floor's (1 = as fast as the floor). */
  vsFloor: number;
}

export type Implementation = 'shouyin' | 'tenpay' | 'axiosPlugin' | 'floor';

export interface CodecBenchResult {
  signBuild: CodecCaseResult;
  parseVerify: CodecCaseResult;
  /** Operations per second of every implementation, per case. */
  rates: Record<'signBuild' | 'parseVerify', Record<Implementation, number>>;
  /** signBuild the two-call way, `buildXml({ ...fields, sign: sign(fields, key) })`, ops/s. */
  signThenBuildXml: number;
}

const KEY = MERCHANT.apiKey;

/** The fastest MD5 Node offers (one-shot `crypto.hash`), so the floor really is one. */
function md5Upper(s: string): string {
  return hash('md5', s, 'hex').toUpperCase();
}

/** signBuild floor: sorted join + one MD5 + concatenated XML, no checks at all. */
function floorSignBuild(fields: Record<string, string | number>): string {
  const keys = Object.keys(fields).sort();
  let base = '';
  let xml = '<xml>';
  for (const k of keys) {
    const v = fields[k];
    if (v === '') continue;
    base += k + '=' + v + '&';
    xml += '<' + k + '><![CDATA[' + v + ']]></' + k + '>';
  }
  return xml + '<sign>' + md5Upper(base + 'key=' + KEY) + '</sign></xml>';
}

const FIELD = /<([A-Za-z_][\w.-]*)>(?:<!\[CDATA\[([\s\S]*?)\]\]>|([^<]*))<\/\1>/g;

/** parseVerify floor: one regex pass (no validation), sorted join + one MD5, plain comparison. */
function floorParseVerify(xml: string): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const m of xml.matchAll(FIELD)) fields[m[1]!] = m[2] ?? m[3]!;
  const keys = Object.keys(fields).sort();
  let base = '';
  for (const k of keys) {
    const v = fields[k]!;
    if (k !== 'sign' && v !== '') base += k + '=' + v + '&';
  }
  if (md5Upper(base + 'key=' + KEY) !== fields.sign) throw new Error('floor: signature mismatch');
  return fields;
}

function shouyinSignBuild(fields: Record<string, string | number>): string {
  return signedXml(fields, KEY, 'MD5').xml;
}

function shouyinSignThenBuild(fields: Record<string, string | number>): string {
  return buildXml({ ...fields, sign: sign(fields, KEY, 'MD5') });
}

function shouyinParseVerify(xml: string): WxFields {
  const fields = parseXml(xml);
  if (fields.return_code !== 'SUCCESS' || !verify(fields, KEY, 'MD5'))
    throw new Error('shouyin: notification refused');
  return fields;
}

/** Checks that every implementation computes the same thing before anything is timed. */
async function checkAgreement(
  tenpay: ReturnType<typeof tenpayCodec>,
  axios: ReturnType<typeof axiosPluginCodec>,
): Promise<void> {
  const fields = unifiedOrderFields();
  const expected = sign(fields, KEY, 'MD5');
  const built = {
    shouyin: shouyinSignBuild(fields),
    shouyinSignThenBuild: shouyinSignThenBuild(fields),
    tenpay: tenpay.signBuild(unifiedOrderFields()),
    axiosPlugin: axios.signBuild(unifiedOrderFields()),
    floor: floorSignBuild(fields),
  };
  const reference = parseXmlWithLibrary(built.shouyin).fields;
  strictEqual(reference.sign, expected);
  for (const [name, xml] of Object.entries(built)) {
    // Same signature and same document, read back with the library parser (the builders differ in layout).
    deepStrictEqual({ ...parseXmlWithLibrary(xml).fields }, { ...reference }, `signBuild: ${name} disagrees`);
  }

  const xml = notificationXml();
  const parsed = {
    shouyin: shouyinParseVerify(xml),
    tenpay: await tenpay.parseVerify(xml),
    axiosPlugin: axios.parseVerify(xml),
    floor: floorParseVerify(xml),
  };
  const oracle = parseXmlWithLibrary(xml).fields;
  strictEqual(Object.keys(oracle).length, 23);
  for (const [name, map] of Object.entries(parsed)) {
    deepStrictEqual({ ...map }, { ...oracle }, `parseVerify: ${name} disagrees`);
  }
  // And every one of them really verifies: a changed amount must be refused.
  const forged = xml.replace('<total_fee>1990<', '<total_fee>1<');
  throws(() => shouyinParseVerify(forged));
  throws(() => axios.parseVerify(forged));
  throws(() => floorParseVerify(forged));
  await tenpay.parseVerify(forged).then(
    () => {
      throw new Error('tenpay accepted a forged notification');
    },
    () => undefined,
  );
}

function ratios(rates: Record<Implementation, number>): CodecCaseResult {
  const ops = rates.shouyin;
  return {
    ops,
    vsTenpay: ops / rates.tenpay,
    vsAxiosPlugin: ops / rates.axiosPlugin,
    vsFloor: ops / rates.floor,
  };
}

export async function benchCodec(
  opts: TimingOptions = { rounds: 8, roundMs: 250, warmupMs: 300 },
): Promise<CodecBenchResult> {
  const tenpay = tenpayCodec(MERCHANT);
  const axios = axiosPluginCodec(MERCHANT);
  await checkAgreement(tenpay, axios);

  // Each implementation keeps its own copy of the request (tenpay writes `sign` into it, as it does).
  const inputs = {
    shouyin: unifiedOrderFields(),
    tenpay: unifiedOrderFields(),
    axiosPlugin: unifiedOrderFields(),
    floor: unifiedOrderFields(),
  };
  const { shouyinSignThenBuild: signThenBuildXml, ...signBuild } = (await compare(
    [
      { name: 'shouyin', run: () => shouyinSignBuild(inputs.shouyin) },
      { name: 'shouyinSignThenBuild', run: () => shouyinSignThenBuild(inputs.shouyin) },
      { name: 'tenpay', run: () => tenpay.signBuild(inputs.tenpay) },
      { name: 'axiosPlugin', run: () => axios.signBuild(inputs.axiosPlugin) },
      { name: 'floor', run: () => floorSignBuild(inputs.floor) },
    ],
    opts,
  )) as Record<Implementation | 'shouyinSignThenBuild', number>;

  const xml = notificationXml();
  const parseVerify = (await compare(
    [
      { name: 'shouyin', run: () => shouyinParseVerify(xml) },
      { name: 'tenpay', run: () => tenpay.parseVerify(xml), async: true },
      { name: 'axiosPlugin', run: () => axios.parseVerify(xml) },
      { name: 'floor', run: () => floorParseVerify(xml) },
    ],
    opts,
  )) as Record<Implementation, number>;

  if (sinkValue() === 0) throw new Error('benchmark produced nothing');
  return {
    signBuild: ratios(signBuild),
    parseVerify: ratios(parseVerify),
    rates: { signBuild, parseVerify },
    signThenBuildXml,
  };
}

const LABELS: Record<Implementation, string> = {
  shouyin: 'Shouyin',
  tenpay: 'tenpay 2.1.18',
  axiosPlugin: 'wechatpay-axios-plugin 0.9.6',
  floor: 'floor (no validation)',
};

/** A plain-text table of the rates (ops/s and µs/op) and of Shouyin's speed-ups. */
export function formatCodecTable(r: CodecBenchResult): string {
  const lines = [
    `${'implementation'.padEnd(30)} ${'signBuild ops/s'.padStart(16)} ${'µs/op'.padStart(7)}  ${'parseVerify ops/s'.padStart(18)} ${'µs/op'.padStart(7)}`,
  ];
  for (const impl of Object.keys(LABELS) as Implementation[]) {
    const a = r.rates.signBuild[impl];
    const b = r.rates.parseVerify[impl];
    lines.push(
      `${LABELS[impl].padEnd(30)} ${fmt(a).padStart(16)} ${(1e6 / a).toFixed(2).padStart(7)}  ${fmt(b).padStart(18)} ${(1e6 / b).toFixed(2).padStart(7)}`,
    );
  }
  const x = (v: number) => `${v.toFixed(2)}×`;
  const twoStep = r.signThenBuildXml;
  lines.push(
    `${'  (Shouyin sign() + buildXml())'.padEnd(30)} ${fmt(twoStep).padStart(16)} ${(1e6 / twoStep).toFixed(2).padStart(7)}`,
    '',
    `Shouyin signBuild:   ${x(r.signBuild.vsTenpay)} tenpay, ${x(r.signBuild.vsAxiosPlugin)} axios-plugin, ${r.signBuild.vsFloor.toFixed(2)} of the floor`,
    `Shouyin parseVerify: ${x(r.parseVerify.vsTenpay)} tenpay, ${x(r.parseVerify.vsAxiosPlugin)} axios-plugin, ${r.parseVerify.vsFloor.toFixed(2)} of the floor`,
  );
  return lines.join('\n');
}

function fmt(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}
