// Command-line flags of the emulator CLI (src/cli.ts). Pure: parses argv into options, or explains the error.

import type { ContextKeysMode } from './host/invocation-env';

export interface CliArgs {
  help: boolean;
  host: string;
  port: number;
  dataDir: string;
  clean: boolean;
  repoRoot: string;
  functions?: string[];
  maxInstances?: number;
  contextKeys: ContextKeysMode;
  base64Bodies: boolean;
  timers: boolean;
  timeoutScale?: number;
  quiet: boolean;
  sandbox: boolean;
  sandboxPort?: number;
  seedDemo: boolean;
  showChoices: boolean;
}

export const DEFAULT_PORT = 8560;

export const USAGE = `Usage: emulator [options]

Runs the built cloud function folders (cloudfunctions/<name>/index.js) in a local CloudBase emulator.

  --port N             port to listen on (default ${DEFAULT_PORT}; 0 = any free port)
  --host H             address to bind (default 127.0.0.1)
  --data-dir DIR       database and emulator.json (default ./.data)
  --clean              start with an empty database (and sandbox state)
  --repo DIR           repository root with cloudbaserc.json etc. (default: current directory)
  --functions a,b      load only these functions
  --max-instances N    instances per function (default 10)
  --context-keys M     getWXContext() in HTTP/timer calls: empty (default) | env-source
  --raw-bodies         pass non-JSON HTTP bodies as text instead of base64
  --no-timers          do not schedule timer triggers (POST /triggers/... still fires them)
  --timeout-scale X    multiply function timeouts
  --quiet              do not print function console output
  --sandbox            also start the WeChat Pay v2 sandbox and wire the functions to it
  --sandbox-port N     sandbox port (default any free port)
  --seed-demo          seed the demo catalogue and merchant (npm start)
  --show-choices       also print the emulator's choices on unconfirmed platform behaviour (emulator.json has them)
  --help               this text
`;

export class CliError extends Error {}

export function parseArgs(argv: string[], cwd: string): CliArgs {
  const args: CliArgs = {
    help: false,
    host: '127.0.0.1',
    port: DEFAULT_PORT,
    dataDir: './.data',
    clean: false,
    repoRoot: cwd,
    contextKeys: 'empty',
    base64Bodies: true,
    timers: true,
    quiet: false,
    sandbox: false,
    seedDemo: false,
    showChoices: false,
  };
  const rest = [...argv];
  const value = (flag: string): string => {
    const v = rest.shift();
    if (v === undefined || v.startsWith('--')) throw new CliError(`${flag} needs a value`);
    return v;
  };
  const int = (flag: string, min: number): number => {
    const n = Number(value(flag));
    if (!Number.isInteger(n) || n < min) throw new CliError(`${flag} needs an integer >= ${min}`);
    return n;
  };
  while (rest.length > 0) {
    const raw = rest.shift()!;
    const [flag, inline] = raw.includes('=') ? (raw.split(/=(.*)/s) as [string, string]) : [raw, undefined];
    if (inline !== undefined) rest.unshift(inline);
    switch (flag) {
      case '--help':
      case '-h':
        args.help = true;
        break;
      case '--port':
        args.port = int(flag, 0);
        break;
      case '--host':
        args.host = value(flag);
        break;
      case '--data-dir':
        args.dataDir = value(flag);
        break;
      case '--clean':
        args.clean = true;
        break;
      case '--repo':
        args.repoRoot = value(flag);
        break;
      case '--functions':
        args.functions = value(flag)
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean);
        break;
      case '--max-instances':
        args.maxInstances = int(flag, 1);
        break;
      case '--context-keys': {
        const m = value(flag);
        if (m !== 'empty' && m !== 'env-source') throw new CliError('--context-keys is empty or env-source');
        args.contextKeys = m;
        break;
      }
      case '--raw-bodies':
        args.base64Bodies = false;
        break;
      case '--no-timers':
        args.timers = false;
        break;
      case '--timeout-scale': {
        const x = Number(value(flag));
        if (!(x > 0)) throw new CliError('--timeout-scale needs a positive number');
        args.timeoutScale = x;
        break;
      }
      case '--quiet':
        args.quiet = true;
        break;
      case '--sandbox':
        args.sandbox = true;
        break;
      case '--sandbox-port':
        args.sandboxPort = int(flag, 0);
        break;
      case '--seed-demo':
        args.seedDemo = true;
        break;
      case '--show-choices':
        args.showChoices = true;
        break;
      default:
        throw new CliError(`unknown option ${raw}`);
    }
  }
  return args;
}
