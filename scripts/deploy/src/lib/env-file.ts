// The git-ignored `.env` (see .env.example): read with Node's own parser (util.parseEnv), never printed.
import { existsSync, readFileSync } from 'node:fs';
import { parseEnv } from 'node:util';

export function readEnvFile(file: string): Record<string, string> {
  if (!existsSync(file)) return {};
  const parsed = parseEnv(readFileSync(file, 'utf8')) as Record<string, string | undefined>;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(parsed)) if (v !== undefined) out[k] = v;
  return out;
}
