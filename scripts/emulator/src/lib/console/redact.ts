// Secrets never reach the console: the values of a function's secret variables (API keys, passwords, tokens)
// are replaced in what the invocation log keeps of its console output and its answer.

/** Variable names whose values are secrets (WXPAY_API_KEY, …). Paths and file ids name where a secret is, not it. */
const SECRET_NAME = /(KEY|SECRET|PASSWORD|PASSWD|TOKEN)$/i;
/** Shorter values are not masked: they would also mask ordinary text. */
const MIN_SECRET_LENGTH = 8;
export const REDACTED = '[redacted]';

export function secretValues(env: Record<string, string>): string[] {
  return Object.entries(env)
    .filter(([k, v]) => SECRET_NAME.test(k) && v.length >= MIN_SECRET_LENGTH)
    .map(([, v]) => v);
}

export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) if (out.includes(s)) out = out.split(s).join(REDACTED);
  return out;
}
