// CloudBase's limit on a function's environment variables: 4 KB in total per function (CloudBase notes §1.5,
// D-SCFQ; variables are applied as Environment.Variables, §7.3). How the cloud counts is not documented; the
// emulator counts the UTF-8 bytes of every `KEY=value` pair of the function's merged variables (cloudbaserc.json,
// cloudbaserc.local.json, envOverrides, functionEnvOverrides) and nothing for separators. Variables the platform
// sets itself (SCF_*, TENCENTCLOUD_*, the per-invocation WX_* / TCB_*) do not count.

/** 4 KB (spec §1.5). */
export const MAX_ENV_BYTES = 4096;

/** Σ UTF-8 bytes of `KEY=value` over the variables. */
export function envVariablesBytes(env: Readonly<Record<string, string>>): number {
  let n = 0;
  for (const [k, v] of Object.entries(env)) n += Buffer.byteLength(`${k}=${v}`, 'utf8');
  return n;
}

/** Why the function cannot start, or undefined when its variables fit. Names keys and sizes, never values. */
export function envLimitError(
  functionName: string,
  env: Readonly<Record<string, string>>,
): string | undefined {
  const bytes = envVariablesBytes(env);
  if (bytes <= MAX_ENV_BYTES) return undefined;
  const largest = Object.entries(env)
    .map(([k, v]) => ({ k, n: Buffer.byteLength(`${k}=${v}`, 'utf8') }))
    .sort((a, b) => b.n - a.n || a.k.localeCompare(b.k))
    .slice(0, 3)
    .map(({ k, n }) => `${k} (${n} bytes)`)
    .join(', ');
  return (
    `function ${functionName} cannot start: its environment variables total ${bytes} bytes, over CloudBase's ` +
    `limit of ${MAX_ENV_BYTES} bytes (4 KB) per function (counted as the UTF-8 bytes of every KEY=value pair ` +
    `of cloudbaserc.json, cloudbaserc.local.json and the overrides); largest: ${largest}`
  );
}
