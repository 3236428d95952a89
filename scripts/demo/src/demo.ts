/**
 * `npm run demo`: the payment story end to end, printed as a timeline with the order state at each step —
 * checkout (NOTPAY) → a retried create (same order) → a forged notification (FAIL, nothing changed) → the
 * payer pays at the sandbox → WeChat's notification reaches payNotify → PAID → the merchant alert queued
 * → confirm → list. Against a running `npm start` (found through <data-dir>/emulator.json), or a local
 * stack of its own. Exits non-zero when any step does not reach the state it expects.
 *
 * Usage: node scripts/demo/dist/demo.js [--data-dir DIR] [--own]
 */
import path from 'node:path';
import { Timeline } from './lib/format';
import { runStory, StepFailure } from './lib/story';
import { acquireTarget, findRepoRoot, type Target } from './lib/target';

const USAGE = `Usage: node scripts/demo/dist/demo.js [--data-dir DIR] [--own]
  --data-dir DIR  where a running npm start keeps emulator.json (default ./.data)
  --own           ignore a running stack: start a local one (in memory, temp sandbox) and stop it after`;

function parseArgs(argv: string[]): { dataDir: string; own: boolean } | 'help' {
  let dataDir = '.data';
  let own = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--help' || a === '-h') return 'help';
    else if (a === '--own') own = true;
    else if (a === '--data-dir' && argv[i + 1]) dataDir = argv[++i] as string;
    else if (a?.startsWith('--data-dir=')) dataDir = a.slice('--data-dir='.length);
    else throw new Error(`unknown argument ${a}\n${USAGE}`);
  }
  return { dataDir: path.resolve(dataDir), own };
}

async function main(): Promise<number> {
  // `npm run demo | head`: a closed pipe must not kill the demo before it stops the stack it started.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code !== 'EPIPE') throw e;
  });
  const args = parseArgs(process.argv.slice(2));
  if (args === 'help') {
    console.log(USAGE);
    return 0;
  }
  const t0 = performance.now();
  console.log(
    'Shouyin demo: one mini-program payment, end to end through the emulator and the WeChat Pay sandbox',
  );
  let target: Target;
  try {
    target = await acquireTarget({ repoRoot: findRepoRoot(__dirname), ...args });
  } catch (e) {
    console.error(`demo: cannot reach or start a stack: ${(e as Error).message}`);
    return 1;
  }
  for (const n of target.notes) console.log(`  ${n}`);
  console.log(`  stack ready in ${((performance.now() - t0) / 1000).toFixed(2)} s; the timeline starts now`);
  const tl = new Timeline();
  let code = 0;
  try {
    await runStory(target, tl);
    tl.line();
    tl.line(`✓ every step reached its expected state (${tl.elapsed()})`);
  } catch (e) {
    code = 1;
    tl.line();
    if (e instanceof StepFailure) tl.line(`✗ ${e.message}`);
    else tl.line(`✗ the demo broke: ${(e as Error)?.stack ?? String(e)}`);
  } finally {
    if (target.origin === 'own') {
      try {
        await target.stop();
        tl.line('  (stopped the local stack the demo started)');
      } catch (e) {
        console.error(`demo: stopping the local stack failed: ${(e as Error).message}`);
        code = 1;
      }
    }
  }
  return code;
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error(`demo: ${(e as Error)?.message ?? String(e)}`);
    process.exit(1);
  },
);
