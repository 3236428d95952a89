// The cloud-call (云调用) APIs a function's code calls: every `openapi.<a>.<b>…(` member call in its bundle
// (wx-server-sdk's `cloud.openapi` joins the property path into the API name, e.g.
// `cloud.openapi.wxa.sec.order.uploadShippingInfo(data)` calls `wxa.sec.order.uploadShippingInfo`: Merchant-ops
// notes §1 "Cloud call"). The bundle is scanned because it holds exactly the code that runs —
// the function's src and the shared code it imports — with comments already removed by esbuild.
// `cloud.openapi({ convertCase: false }).wxa…(` counts too (options without parentheses inside).
// Not detected: computed access (`openapi['x']`) — do not write it.

const CALL = /\bopenapi(?:\s*\([^()]*\))?((?:\s*\.\s*[A-Za-z_$][\w$]*)+)\s*\(/g;

export function openapiCalls(code: string): string[] {
  const names = new Set<string>();
  for (const m of code.matchAll(CALL)) names.add(m[1]!.replace(/\s+/g, '').slice(1));
  return [...names].sort();
}

/** Differences between the APIs a function calls and the permissions its config.json declares. */
export function permissionProblems(
  fn: string,
  calls: readonly string[],
  declared: readonly string[] | undefined,
): string[] {
  const have = new Set(declared ?? []);
  const problems: string[] = [];
  for (const c of calls)
    if (!have.has(c))
      problems.push(`${fn}: calls cloud.openapi.${c} but config.json permissions.openapi lacks "${c}"`);
  for (const d of have)
    if (!calls.includes(d))
      problems.push(`${fn}: config.json permits "${d}" but the function never calls it; remove it`);
  if (declared === undefined && calls.length > 0)
    problems.push(`${fn}: config.json has no permissions.openapi list`);
  return problems;
}
