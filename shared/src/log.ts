/**
 * Structured logging: one JSON object per line on stdout, which CloudBase keeps per invocation. Lines
 * carry identifiers and outcomes (`out_trade_no`, `outcome`, `reason`), never secrets or whole signed
 * payloads; as a last guard, fields whose names look secret are replaced by "[redacted]".
 */

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogValue = string | number | boolean | null | undefined | readonly (string | number)[];
export type LogFields = Record<string, LogValue>;

export interface Logger {
  debug(event: string, fields?: LogFields): void;
  info(event: string, fields?: LogFields): void;
  warn(event: string, fields?: LogFields): void;
  error(event: string, fields?: LogFields): void;
  /** A logger that adds `fields` to every line (e.g. the function's name). */
  child(fields: LogFields): Logger;
}

const SECRET_NAME = /key|secret|sign|password|passphrase|token|cert|pfx|private|authorization|cookie/i;
const MAX_STRING = 500;

export interface LoggerOptions {
  /** Where each line goes (default: console.log). */
  sink?: (line: string) => void;
  /** Lines below this level are dropped (default 'info'). */
  level?: LogLevel;
  /** Clock for the `time` field (default Date.now). */
  now?: () => number;
}

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export function createLogger(base: LogFields = {}, opts: LoggerOptions = {}): Logger {
  const sink = opts.sink ?? ((line: string) => console.log(line));
  const min = RANK[opts.level ?? 'info'];
  const now = opts.now ?? Date.now;
  const write = (level: LogLevel, event: string, fields: LogFields = {}) => {
    if (RANK[level] < min) return;
    sink(
      JSON.stringify({ level, time: new Date(now()).toISOString(), event, ...clean(base), ...clean(fields) }),
    );
  };
  return {
    debug: (e, f) => write('debug', e, f),
    info: (e, f) => write('info', e, f),
    warn: (e, f) => write('warn', e, f),
    error: (e, f) => write('error', e, f),
    child: (fields) => createLogger({ ...base, ...fields }, opts),
  };
}

/** A logger that drops everything (tests, tools). */
export const silentLogger: Logger = createLogger({}, { sink: () => {} });

function clean(fields: LogFields): LogFields {
  const out: LogFields = {};
  for (const [k, v] of Object.entries(fields)) {
    if (v === undefined) continue;
    if (SECRET_NAME.test(k)) out[k] = '[redacted]';
    else if (typeof v === 'string' && v.length > MAX_STRING) out[k] = `${v.slice(0, MAX_STRING)}…`;
    else out[k] = v;
  }
  return out;
}

/** The loggable part of an error: its class, stable code and message, never its cause chain or payload. */
export function errorFields(err: unknown): LogFields {
  if (err instanceof Error) {
    const code =
      (err as { code?: unknown; errCode?: unknown }).code ?? (err as { errCode?: unknown }).errCode;
    return {
      error: err.name,
      error_code: typeof code === 'string' || typeof code === 'number' ? code : undefined,
      error_message: err.message,
    };
  }
  return { error: typeof err, error_message: String(err) };
}
