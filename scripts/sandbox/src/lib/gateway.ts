/**
 * Everything the five APIs have in common, in WeChat's order (spec §1.1–§1.2, §2.2):
 *  1. POST only; a non-empty body; well-formed v2 XML in UTF-8 (1–3-byte characters only)
 *     → otherwise return_code=FAIL with a return_msg and no sign;
 *  2. mch_id present and known; on /secapi/ the client certificate must be this merchant's (HTTP 400);
 *  3. `sign` verified with the algorithm `sign_type` names (MD5 when absent) → else FAIL 签名错误;
 *  4. fault injection (after verification, so error answers can be signed);
 *  5. required fields → LACK_PARAMS; appid bound to mch_id → APPID_MCHID_NOT_MATCH (signed business errors);
 *     field formats → return_code=FAIL;
 *  6. the endpoint's business logic;
 *  7. the answer: return_code/return_msg, appid, mch_id, nonce_str, sign, result_code (+ err_code,
 *     err_code_des), the endpoint's fields — signed with the request's sign type.
 * Answers are sent as text/plain: WeChat's Content-Type is not reliable (spec §1.4).
 */
import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import {
  buildXml,
  hasAstral,
  newNonce,
  parseXml,
  type SignType,
  sign,
  verify,
  verifyingSignType,
  type WxFields,
  type WxInput,
  XmlError,
} from '@shouyin/shared';
import type { Core } from './core';
import type { Endpoint } from './endpoints';
import type { Fault } from './faults';
import { CERT_ERROR, readBody, send, sendNginx } from './http';
import type { Outcome } from './outcome';
import type { Merchant } from './types';
import { COMMON_RULES, firstMissing, formatProblem } from './validate';

const MAX_BODY = 64 * 1024;
const CONTENT_TYPE = 'text/plain';

const FAULT_DES: Record<string, string> = {
  SYSTEMERROR: '系统超时',
  BIZERR_NEED_RETRY: '退款业务流程错误，需要商户触发重试来解决',
  FREQUENCY_LIMITED: '频率限制，请降低请求频率后重试',
};

export interface GatewayDeps {
  core: Core;
  /** Connections held open by 'hang' faults, so stop() can end them. */
  hanging: Set<ServerResponse>;
}

/** What processing produced: a protocol failure (unsigned) or a business outcome (signed). */
type Processed = { protocol: string } | { outcome: Outcome<WxInput> };

export async function handleApi(
  deps: GatewayDeps,
  endpoint: Endpoint,
  req: IncomingMessage,
  res: ServerResponse,
  certMchId: string | undefined,
): Promise<void> {
  const { core } = deps;
  if (req.method !== 'POST') {
    req.resume();
    return protocolFail(res, '请使用post方法');
  }
  const body = await readBody(req, MAX_BODY);
  if (body === undefined) return protocolFail(res, 'XML格式错误');
  if (body.toString('latin1').trim() === '') return protocolFail(res, 'post数据为空');
  let fields: WxFields;
  try {
    fields = parseXml(body, { maxBytes: MAX_BODY });
  } catch (err) {
    if (err instanceof XmlError && err.code === 'XML_NOT_UTF8') return protocolFail(res, '编码格式错误');
    return protocolFail(res, 'XML格式错误');
  }
  if (Object.values(fields).some(hasAstral)) return protocolFail(res, '编码格式错误');
  const mchId = fields.mch_id;
  if (!mchId) return protocolFail(res, '缺少参数mch_id');
  if (endpoint.needsCert && certMchId !== mchId) return sendNginx(res, 400, 'Bad Request', CERT_ERROR);
  const merchant = core.merchants.get(mchId);
  if (!merchant) return protocolFail(res, 'mch_id参数错误，商户号不存在');
  const signType = verifyingSignType(fields, 'MD5');
  if (!fields.sign || !signType || !verify(fields, merchant.apiKey, 'MD5'))
    return protocolFail(res, '签名错误');

  // Refunds move money: each verified refund request is logged with its body's digest, so a client's
  // retries can be shown byte-identical (WeChat Pay v2 notes §6).
  if (endpoint.needsCert)
    core.log(
      `${endpoint.name} request ${fields.out_refund_no ?? ''} sha256:${createHash('sha256').update(body).digest('hex')}`,
    );
  const fault = core.faults.takeApi(endpoint.name);
  if (fault)
    core.log(`fault ${fault.kind} on ${endpoint.name}${fault.afterProcessing ? ' (after processing)' : ''}`);
  if (fault && !fault.afterProcessing && fault.kind !== 'badsign')
    return applyFault(deps, fault, req, res, merchant, fields, signType);

  const processed = processRequest(core, endpoint, merchant, fields, signType);
  if (fault && fault.kind !== 'badsign') return applyFault(deps, fault, req, res, merchant, fields, signType);
  if ('protocol' in processed) return protocolFail(res, processed.protocol);
  answer(res, merchant, fields, signType, processed.outcome, fault?.kind === 'badsign');
}

function processRequest(
  core: Core,
  endpoint: Endpoint,
  merchant: Merchant,
  fields: WxFields,
  signType: SignType,
): Processed {
  const missing = firstMissing(fields, ['appid', 'nonce_str', ...endpoint.required]);
  if (missing) return { outcome: { ok: false, code: 'LACK_PARAMS', des: `缺少参数${missing}` } };
  if (endpoint.oneOf && !endpoint.oneOf.some((k) => fields[k])) {
    return { outcome: { ok: false, code: 'LACK_PARAMS', des: `缺少参数${endpoint.oneOf.join('或')}` } };
  }
  if (fields.appid !== merchant.appid)
    return { outcome: { ok: false, code: 'APPID_MCHID_NOT_MATCH', des: 'appid和mch_id不匹配' } };
  const problem =
    formatProblem(fields, COMMON_RULES, core.allowLoopbackNotify) ??
    formatProblem(fields, endpoint.rules, core.allowLoopbackNotify);
  if (problem) return { protocol: problem };
  return { outcome: endpoint.handle({ core, merchant, fields, signType }) };
}

function applyFault(
  deps: GatewayDeps,
  fault: Fault,
  req: IncomingMessage,
  res: ServerResponse,
  merchant: Merchant,
  fields: WxFields,
  signType: SignType,
): void {
  if (fault.kind === 'hang') {
    deps.hanging.add(res);
    const timer = setTimeout(() => {
      deps.hanging.delete(res);
      res.socket?.destroy();
    }, fault.hangMs ?? 60_000);
    timer.unref();
    res.on('close', () => {
      clearTimeout(timer);
      deps.hanging.delete(res);
    });
    return;
  }
  if (fault.kind === 'reset') {
    // A TLS socket cannot send a RST itself; the TCP socket under it can (Node ≥ 18.3).
    type Resettable = Socket & { _parent?: Socket };
    const tcp = (req.socket as Resettable)._parent ?? req.socket;
    try {
      tcp.resetAndDestroy();
    } catch {
      req.socket.destroy();
    }
    return;
  }
  answer(
    res,
    merchant,
    fields,
    signType,
    { ok: false, code: fault.kind, des: FAULT_DES[fault.kind] ?? fault.kind },
    false,
  );
}

function protocolFail(res: ServerResponse, msg: string): void {
  send(res, 200, CONTENT_TYPE, buildXml({ return_code: 'FAIL', return_msg: msg }));
}

function answer(
  res: ServerResponse,
  merchant: Merchant,
  request: WxFields,
  signType: SignType,
  outcome: Outcome<WxInput>,
  corruptSign: boolean,
): void {
  const out: WxInput = {
    return_code: 'SUCCESS',
    return_msg: 'OK',
    appid: request.appid,
    mch_id: merchant.mchId,
    nonce_str: newNonce(),
    sign: '',
    result_code: outcome.ok ? 'SUCCESS' : 'FAIL',
  };
  if (outcome.ok) Object.assign(out, outcome.value);
  else Object.assign(out, { err_code: outcome.code, err_code_des: outcome.des });
  // 'badsign' fault: a well-formed signature made with the wrong key.
  out.sign = sign(out, corruptSign ? `${merchant.apiKey}-wrong` : merchant.apiKey, signType);
  send(res, 200, CONTENT_TYPE, buildXml(out));
}
