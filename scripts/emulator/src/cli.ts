// CLI of the local CloudBase emulator (npm run emulator; npm start adds --seed-demo):
// starts the emulator (and with --sandbox the WeChat Pay sandbox wired to it), prints every URL, and runs until
// interrupted. Flags: see lib/cli-args.ts or --help.

import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Doc } from './db/values';
import { type CliArgs, CliError, parseArgs, USAGE } from './lib/cli-args';
import type { Emulator } from './lib/emulator';
import { type LocalStack, startLocalStack } from './lib/local-stack';

/**
 * `--seed-demo` (npm start): puts the demo catalogue and merchant of scripts/demo/seed.json into the database —
 * every top-level array of documents becomes that collection, upserted by _id, so a restart without --clean
 * seeds again harmlessly. Extend here if the demo needs more (e.g. subscription grants).
 */
async function seedDemo(stack: LocalStack, repoRoot: string): Promise<string[]> {
  const file = path.join(repoRoot, 'scripts/demo/seed.json');
  if (!existsSync(file)) return [`demo seeding: ${file} not found`];
  const seed = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  const lines: string[] = [];
  for (const [name, value] of Object.entries(seed)) {
    if (name.startsWith('$') || !Array.isArray(value) || value.length === 0) continue;
    if (
      !value.every(
        (d) => d !== null && typeof d === 'object' && typeof (d as { _id?: unknown })._id === 'string',
      )
    )
      continue;
    await stack.emulator.db.collection(name).put(value as Doc[]);
    lines.push(`seeded ${value.length} ${name}`);
  }
  return [`demo seed from ${path.relative(repoRoot, file)}: ${lines.join(', ') || 'nothing to seed'}`];
}

function describe(emulator: Emulator, stack: LocalStack, args: CliArgs): string {
  const i = emulator.info;
  const lines = [
    `Console      ${i.baseUrl}/   ← open in a browser (docs/console.md)`,
    '',
    `CloudBase emulator (env ${i.envId}) at ${i.baseUrl}`,
  ];
  if (i.dataDir) lines.push(`  data dir     ${i.dataDir} (emulator.json there)`);
  else lines.push('  data         in memory');
  lines.push('', 'Functions (callFunction: POST {"data": …} with x-wx-openid):');
  for (const [name, f] of Object.entries(i.functions)) {
    lines.push(`  ${name.padEnd(14)} ${f.callFunctionUrl}`);
    for (const u of f.httpUrls) lines.push(`  ${''.padEnd(14)} HTTP ${u}`);
    for (const t of f.triggers)
      lines.push(`  ${''.padEnd(14)} timer ${t.name} "${t.config}" → POST ${t.fireUrl}`);
  }
  if (Object.keys(i.functions).length === 0) lines.push('  (none built: run npm run build)');
  lines.push('', 'Control:');
  for (const [k, v] of Object.entries(i.control)) lines.push(`  ${k.padEnd(18)} ${v}`);
  if (args.showChoices) {
    lines.push('', 'Choices on unconfirmed platform behaviour:');
    for (const [k, v] of Object.entries(i.choices)) lines.push(`  ${k.padEnd(24)} ${JSON.stringify(v)}`);
  } else {
    lines.push(
      '',
      `Choices on unconfirmed platform behaviour: ${Object.keys(i.choices).length}, in emulator.json and docs/emulator.md (--show-choices prints them)`,
    );
  }
  if (stack.sandbox) {
    const s = stack.sandbox.info;
    lines.push('', `WeChat Pay sandbox at ${s.baseUrl}`, `  CA file      ${s.caFile}`);
    if (i.sandbox) lines.push(`  sandbox.json ${i.sandbox}`);
    for (const m of s.merchants)
      lines.push(`  merchant     appid ${m.appid} mch_id ${m.mchId} (${m.signType})`);
    if (s.controlUrl) lines.push(`  control      ${s.controlUrl}`);
  } else if (!args.sandbox) {
    lines.push('', 'No WeChat Pay sandbox (add --sandbox).');
  }
  return lines.join('\n');
}

/** Problems and notices (configuration errors, replaced local values): just before what to do next. */
function warnings(emulator: Emulator): string {
  const w = emulator.info.warnings;
  return w.length === 0 ? '' : ['', ...w.map((x) => `warning: ${x}`)].join('\n');
}

/** A path as typed from the current directory (relative when inside it). */
function shown(p: string): string {
  const rel = path.relative(process.cwd(), p);
  return rel.startsWith('..') || path.isAbsolute(rel) ? p : rel;
}

/** Ready-to-paste commands for the sandbox's control API (docs/sandbox.md "Control API"). */
function sandboxLines(stack: LocalStack): string[] {
  const s = stack.sandbox?.info;
  if (!s?.controlUrl) return [];
  return [
    `  WeChat Pay sandbox control API (also in ${shown(path.join(stack.sandbox!.stateDir, 'sandbox.json'))}):`,
    `    C=${s.controlUrl}; CA=${shown(s.caFile)}`,
    `    curl -s --cacert "$CA" "$C"            # index of every control call`,
    `    curl -s --cacert "$CA" "$C/orders"     # orders WeChat has seen (clock/advance persists across restarts)`,
  ];
}

function nextSteps(emulator: Emulator, stack: LocalStack, args: CliArgs): string {
  const base = emulator.info.baseUrl;
  const rel = path.relative(process.cwd(), path.resolve(args.dataDir));
  const dataDir = rel.startsWith('..') ? path.resolve(args.dataDir) : rel;
  if (!args.seedDemo)
    return [
      '',
      'What to try next:',
      `  curl -s ${base}/           every URL and control call (emulator.json)`,
      ...sandboxLines(stack),
      'Ctrl-C stops the emulator.',
    ].join('\n');
  return [
    '',
    'What to try next:',
    `  npm run demo${dataDir === '.data' ? '' : ` -- --data-dir ${dataDir}`}    plays the whole story against this stack (pay → ship → alerts → refunds)`,
    `  curl -s -X POST ${base}/functions/createPayment -H 'content-type: application/json' \\`,
    `       -H 'x-wx-openid: o-demo-customer-alice' \\`,
    `       -d '{"data":{"action":"create","requestId":"try-0001","items":[{"productId":"latte","quantity":1}]}}'`,
    `  curl -s ${base}/db/orders       inspect the orders collection`,
    ...sandboxLines(stack),
    'Ctrl-C stops the emulator and the sandbox.',
  ].join('\n');
}

async function main(argv: string[]): Promise<void> {
  let args: CliArgs;
  try {
    args = parseArgs(argv, process.cwd());
  } catch (e) {
    if (e instanceof CliError) {
      console.error(`${e.message}\n\n${USAGE}`);
      process.exit(2);
    }
    throw e;
  }
  if (args.help) {
    console.log(USAGE);
    return;
  }
  const withSandbox = args.sandbox || args.seedDemo;
  const dataDir = path.resolve(args.dataDir);
  const stack = await startLocalStack({
    host: args.host,
    port: args.port,
    repoRoot: path.resolve(args.repoRoot),
    dataDir,
    clean: args.clean,
    functions: args.functions,
    maxInstancesPerFunction: args.maxInstances,
    contextKeysMode: args.contextKeys,
    base64Bodies: args.base64Bodies,
    runTimers: args.timers,
    timeoutScale: args.timeoutScale,
    functionLogs: args.quiet ? 'silent' : 'print',
    // Each function's cold start (its configuration validation) runs now: errors at start, not at the first call.
    checkFunctionsAtStart: true,
    ...(withSandbox
      ? {
          sandbox: {
            port: args.sandboxPort,
            log: args.quiet ? undefined : (line: string) => console.log(`[sandbox] ${line}`),
          },
        }
      : {}),
  });
  console.log(describe(stack.emulator, stack, args));
  if (args.seedDemo) for (const line of await seedDemo(stack, path.resolve(args.repoRoot))) console.log(line);
  const w = warnings(stack.emulator);
  if (w) console.log(w);
  // Last: what to do next.
  console.log(nextSteps(stack.emulator, stack, args));

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${signal}: stopping`);
    stack.stop().then(
      () => process.exit(0),
      (e: unknown) => {
        console.error(e);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

main(process.argv.slice(2)).catch((e: unknown) => {
  console.error(`emulator: ${(e as Error)?.message ?? String(e)}`);
  process.exit(1);
});
