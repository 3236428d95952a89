// Saying when the emulator's variable overrides (npm start: the sandbox's merchant and URLs) replace a value the
// developer set in cloudbaserc.local.json — names only, never values — so a local merchant configuration is never
// replaced silently.

import type { FunctionSpec } from './project';

export function localOverrideNotices(
  functions: readonly FunctionSpec[],
  overrides: Record<string, string>,
  perFunction: Record<string, Record<string, string>> | undefined,
  label = "the emulator's overrides",
): string[] {
  // key list → functions, so one line covers every function with the same replaced keys.
  const groups = new Map<string, string[]>();
  for (const f of functions) {
    const effective = { ...overrides, ...perFunction?.[f.name] };
    const replaced = Object.entries(f.localEnv ?? {})
      .filter(([k, v]) => effective[k] !== undefined && effective[k] !== v)
      .map(([k]) => k)
      .sort();
    if (replaced.length === 0) continue;
    const key = replaced.join(', ');
    groups.set(key, [...(groups.get(key) ?? []), f.name]);
  }
  return [...groups].map(
    ([keys, fns]) =>
      `cloudbaserc.local.json sets ${keys} for ${fns.join(', ')}; ${label} replace ${keys.includes(',') ? 'them' : 'it'} while this runs (the file is unchanged)`,
  );
}
