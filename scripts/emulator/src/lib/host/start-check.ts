// Start-time check of every function (issue: configuration errors used to show only at the first call, as a 502):
// each function's module is cold-loaded once in a throwaway instance with exactly the variables its instances get,
// so whatever its cold start validates — Shouyin's functions run shared/src/config.ts loadConfig() at module load —
// fails now, at start, with the function's own message. Messages are redacted: any value of the function's
// variables that appears in them is replaced by "***", so only variable names are ever printed.

import type { FunctionSpec } from '../project';

/** Replaces every variable value (of 3+ characters) found in `text` by ***. */
export function redactValues(text: string, env: Record<string, string>): string {
  const values = Object.values(env)
    .filter((v) => v.length >= 3)
    .sort((a, b) => b.length - a.length);
  let out = text;
  for (const v of values) out = out.split(v).join('***');
  return out;
}

export interface LoadProbe {
  start(): Promise<void>;
  terminate(): Promise<void>;
}

/** Cold-loads each function (in parallel) and returns "<name>: <why it cannot start>" for each that fails. */
export async function checkFunctionsLoad(
  specs: readonly FunctionSpec[],
  newInstance: (spec: FunctionSpec) => LoadProbe,
  skip: ReadonlySet<string> = new Set(),
): Promise<string[]> {
  const results = await Promise.all(
    specs
      .filter((s) => !skip.has(s.name))
      .map(async (spec) => {
        const probe = newInstance(spec);
        try {
          await probe.start();
          return undefined;
        } catch (e) {
          const why = ((e as Error)?.message ?? String(e)).replace(
            `function ${spec.name} failed to load: `,
            '',
          );
          return `${spec.name} cannot start (its cold start fails, so would every call): ${redactValues(why, spec.env)}`;
        } finally {
          await probe.terminate();
        }
      }),
  );
  return results.filter((r): r is string => r !== undefined);
}
