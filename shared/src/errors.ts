/**
 * One error hierarchy for all of Shouyin (STYLE.md "Errors"). Every error carries a stable `code`
 * (what callers branch on and what answers expose) and a `retryable` flag. Messages never contain
 * secrets or whole signed payloads.
 */
export class ShouyinError extends Error {
  readonly code: string;
  readonly retryable: boolean;
  constructor(code: string, message: string, opts: { retryable?: boolean; cause?: unknown } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = new.target.name;
    this.code = code;
    this.retryable = opts.retryable ?? false;
  }
}

/** The caller sent something invalid. */
export class InputError extends ShouyinError {
  constructor(message: string, code = 'INVALID_INPUT') {
    super(code, message);
  }
}

/** The caller may not do this (wrong owner, internal action called by a user, ...). */
export class ForbiddenError extends ShouyinError {
  constructor(message: string, code = 'FORBIDDEN') {
    super(code, message);
  }
}

/** Something that should exist does not. */
export class NotFoundError extends ShouyinError {
  constructor(message: string, code = 'NOT_FOUND') {
    super(code, message);
  }
}

/** The state machine refused a change. */
export class TransitionError extends ShouyinError {
  readonly from: string;
  readonly event: string;
  constructor(from: string, event: string) {
    super('INVALID_TRANSITION', `event ${event} is not allowed in state ${from}`);
    this.from = from;
    this.event = event;
  }
}

/** Configuration is missing or malformed. Names the variable, never its value. */
export class ConfigError extends ShouyinError {
  readonly variable: string;
  constructor(variable: string, problem: string) {
    super('CONFIG_ERROR', `configuration ${variable}: ${problem}`);
    this.variable = variable;
  }
}

/** An XML document was refused (hostile, malformed, oversize, outside the v2 subset). */
export class XmlError extends ShouyinError {
  constructor(code: XmlErrorCode, message: string) {
    super(code, message);
  }
}
export type XmlErrorCode =
  | 'XML_TOO_LARGE'
  | 'XML_DOCTYPE'
  | 'XML_MALFORMED'
  | 'XML_NESTED'
  | 'XML_FORBIDDEN_NAME'
  | 'XML_NOT_UTF8'
  | 'XML_UNSUPPORTED';

/** A signature did not verify (response, notification) or could not be checked. */
export class SignatureError extends ShouyinError {
  constructor(message = 'signature mismatch') {
    super('SIGNATURE_MISMATCH', message);
  }
}

/**
 * The request may or may not have reached WeChat Pay (timeout, reset, non-XML answer): the outcome is
 * unknown, so query rather than create again. `delivered=false` means the request certainly never left
 * (connect/DNS failure) and may be sent to the backup host.
 */
export class WxPayTransportError extends ShouyinError {
  readonly delivered: 'no' | 'unknown';
  readonly httpStatus?: number;
  constructor(
    message: string,
    opts: { delivered: 'no' | 'unknown'; httpStatus?: number; cause?: unknown; code?: string },
  ) {
    super(opts.code ?? 'WXPAY_TRANSPORT', message, { retryable: true, cause: opts.cause });
    this.delivered = opts.delivered;
    this.httpStatus = opts.httpStatus;
  }
}

/** The merchant API certificate was missing, unreadable or refused (mutual TLS). Not retryable. */
export class WxPayCertificateError extends ShouyinError {
  constructor(message: string, cause?: unknown) {
    super('WXPAY_CERTIFICATE', message, { cause });
  }
}

/** `return_code=FAIL`: the request was refused at protocol level (signature, format, method). */
export class WxPayProtocolError extends ShouyinError {
  readonly returnMsg: string;
  constructor(returnMsg: string) {
    super('WXPAY_PROTOCOL', `WeChat Pay refused the request: ${returnMsg}`);
    this.returnMsg = returnMsg;
  }
}

/** `result_code=FAIL`: a business refusal, with WeChat's `err_code`. */
export class WxPayBusinessError extends ShouyinError {
  readonly errCode: string;
  readonly errCodeDes: string;
  constructor(errCode: string, errCodeDes: string, retryable: boolean) {
    super('WXPAY_BUSINESS', `WeChat Pay answered ${errCode}: ${errCodeDes}`, { retryable });
    this.errCode = errCode;
    this.errCodeDes = errCodeDes;
  }
}
