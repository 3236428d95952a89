// The git-ignored `.env` (see .env.example): read with Node's own parser (util.parseEnv), never printed.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseEnv } from 'node:util';

export function readEnvFile(file: string): Record<string, string> {
  if (!existsSync(file)) return {};
  const parsed = parseEnv(readFileSync(file, 'utf8')) as Record<string, string | undefined>;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(parsed)) if (v !== undefined) out[k] = v;
  return out;
}

/** A `--name value` command-line option. */
export function cliOption(name: string, argv: readonly string[] = process.argv): string | undefined {
  const i = argv.indexOf(name);
  return i > 0 ? argv[i + 1] : undefined;
}

/** What `npm run deploy` and `npm run doctor` start from: the repo, its `.env`, the environment id, the project. */
export function deployContext(): {
  root: string;
  dotenv: Record<string, string>;
  envId: string | undefined;
} {
  const root = path.resolve(cliOption('--repo') ?? process.cwd());
  const dotenv = readEnvFile(path.resolve(root, cliOption('--env-file') ?? '.env'));
  return { root, dotenv, envId: process.env.TCB_ENV_ID || dotenv.TCB_ENV_ID };
}
