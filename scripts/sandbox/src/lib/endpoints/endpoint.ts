/** The shape of one API endpoint; the gateway (../gateway.ts) does everything they have in common. */
import type { SignType, WxFields, WxInput } from '@shouyin/shared';
import type { Core } from '../core';
import type { ApiEndpointName } from '../faults';
import type { Outcome } from '../outcome';
import type { Merchant } from '../types';
import type { Rules } from '../validate';

export interface ApiRequest {
  core: Core;
  merchant: Merchant;
  /** The verified request fields. */
  fields: WxFields;
  signType: SignType;
}

export interface Endpoint {
  name: ApiEndpointName;
  path: string;
  /** /secapi/: requires the merchant's API client certificate (spec §3.4). */
  needsCert: boolean;
  /** Absent or empty → LACK_PARAMS (after the common appid/nonce_str). */
  required: readonly string[];
  /** At least one of these must be present (lookup keys). */
  oneOf?: readonly string[];
  /** Format rules of this endpoint's own fields; a violation is a return_code=FAIL answer. */
  rules: Rules;
  /** The business logic: the answer's fields after result_code, or an err_code. */
  handle(req: ApiRequest): Outcome<WxInput>;
}
