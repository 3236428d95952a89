// The variables each function gets on deploy: its committed non-secret cloudbaserc.json envVariables, plus the
// `.env` variables its code reads — and only those (CloudBase notes §1.5: 4 KB per function, and a secret
// a function does not use should not sit in its environment).
//
// "Reads" = the variable's name occurs in the function's bundle (config.ts and every channel loader name
// their variables as string literals). The optional groups of config.ts are narrowed by the function's own
// `loadConfig(process.env, { require: [...] })`: the certificate only where 'certificate' is required, each
// notify URL only where it is required.
// Local-only variables never go to the cloud: a certificate path on this machine, the sandbox switch.

export const CERT_FILE_VARIABLES = ['WXPAY_CERT_FILE_ID', 'WXPAY_KEY_FILE_ID'];
export const LOCAL_CERT_VARIABLES = ['WXPAY_CERT_PATH', 'WXPAY_KEY_PATH', 'WXPAY_P12_PATH'];
const OPTIONAL_GROUPS: Record<string, string[]> = {
  certificate: [...CERT_FILE_VARIABLES, ...LOCAL_CERT_VARIABLES],
  payNotifyUrl: ['WXPAY_PAY_NOTIFY_URL'],
  refundNotifyUrl: ['WXPAY_REFUND_NOTIFY_URL'],
};
/** Never deployed: they only mean something on this machine. */
export const LOCAL_ONLY = new Set([...LOCAL_CERT_VARIABLES, 'TCB_ENV_ID', 'TCB_SECRET_ID', 'TCB_SECRET_KEY']);

/** The `require` list of the function's loadConfig call, as bundled. */
export function configRequirements(code: string): string[] {
  const m = /loadConfig\(\s*process\.env\s*,\s*\{\s*require:\s*\[([^\]]*)\]/.exec(code);
  if (!m) return [];
  return [...m[1]!.matchAll(/["']([A-Za-z]+)["']/g)].map((x) => x[1]!);
}

/** Whether the function loads the merchant configuration (config.ts) at cold start. */
export function usesMerchantConfig(code: string): boolean {
  return /\bloadConfig\(\s*process\.env\b/.test(code);
}

export function mentions(code: string, name: string): boolean {
  return new RegExp(`\\b${name}\\b`).test(code);
}

export function functionVariables(
  code: string,
  committed: Readonly<Record<string, string>>,
  dotenv: Readonly<Record<string, string>>,
): Record<string, string> {
  const required = new Set(configRequirements(code));
  const excluded = new Set<string>(LOCAL_ONLY);
  for (const [req, vars] of Object.entries(OPTIONAL_GROUPS))
    if (!required.has(req)) for (const v of vars) excluded.add(v);
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries({ ...committed, ...dotenv })) {
    if (v === '' || excluded.has(k)) continue;
    if (k in committed || mentions(code, k)) out[k] = v;
  }
  return out;
}

/** Σ UTF-8 bytes of KEY=value, the way the emulator counts CloudBase's 4 KB limit. */
export function envBytes(env: Readonly<Record<string, string>>): number {
  return Object.entries(env).reduce((n, [k, v]) => n + Buffer.byteLength(`${k}=${v}`, 'utf8'), 0);
}

export const MAX_ENV_BYTES = 4096;
