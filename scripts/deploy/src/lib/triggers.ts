// Timer triggers as CloudBase accepts them (CloudBase notes §1.4): at most one per function, type "timer",
// a name of ≤ 60 [A-Za-z0-9_-] starting with a letter, a 7-field cron (sec min hour day month week year).
// Week digits are ambiguous between the docs (0 = Sunday or Monday), so digits in the week field are refused.
import type { TimerTrigger } from './project';

export function triggerProblems(fn: string, triggers: readonly TimerTrigger[]): string[] {
  const problems: string[] = [];
  if (triggers.length > 1)
    problems.push(`${fn}: CloudBase supports one trigger per function; ${triggers.length} declared`);
  for (const t of triggers) {
    if (!/^[A-Za-z][A-Za-z0-9_-]{0,59}$/.test(t.name))
      problems.push(`${fn}: trigger name "${t.name}" must be ≤ 60 letters/digits/_/- starting with a letter`);
    const fields = t.config.trim().split(/\s+/);
    if (fields.length !== 7)
      problems.push(
        `${fn}: trigger ${t.name}: cron "${t.config}" must have 7 fields (sec min hour day month week year)`,
      );
    else if (/\d/.test(fields[5]!))
      problems.push(`${fn}: trigger ${t.name}: write the week field with * or names (MON-FRI), not digits`);
  }
  return problems;
}
