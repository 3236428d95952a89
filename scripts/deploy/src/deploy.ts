/**
 * npm run deploy [-- --dry-run] — deploys the functions, HTTP routes, timer, collections, indexes and security
 * rules to the CloudBase environment TCB_ENV_ID, with the variables of the git-ignored `.env` (see
 * .env.example and docs/deploy.md). The plan is computed and checked first; a sandbox setting or an invalid
 * configuration refuses the whole deploy before anything is uploaded. `--dry-run` prints the plan and stops:
 * no credentials, no network. A real deploy then runs package:check, and uploads only if it passes.
 * Usage: node scripts/deploy/dist/deploy.js [--dry-run] [--env-file FILE] [--repo DIR]
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { executePlan } from './lib/cloud-deploy';
import { deployContext } from './lib/env-file';
import { formatPlan, makePlan, PlanRefused } from './lib/plan';
import { loadDeployProject } from './lib/project';

async function run(): Promise<number> {
  const { root, dotenv, envId } = deployContext();
  const project = loadDeployProject(root);
  let plan: ReturnType<typeof makePlan>;
  try {
    plan = makePlan(project, envId, dotenv);
  } catch (e) {
    if (e instanceof PlanRefused) {
      console.error(e.message);
      return 1;
    }
    throw e;
  }
  console.log(formatPlan(plan));
  if (process.argv.includes('--dry-run')) {
    console.log('\nDry run: nothing was uploaded.');
    return 0;
  }
  const secretId = process.env.TCB_SECRET_ID || dotenv.TCB_SECRET_ID;
  const secretKey = process.env.TCB_SECRET_KEY || dotenv.TCB_SECRET_KEY;
  if (!secretId || !secretKey) {
    console.error('deploy: set TCB_SECRET_ID and TCB_SECRET_KEY (a Tencent Cloud API key) to deploy');
    return 1;
  }
  // Every folder must load alone with its dependencies before anything is uploaded (npm registry, cached).
  const check = spawnSync(process.execPath, [path.join(__dirname, 'package-check.js'), '--repo', root], {
    stdio: 'inherit',
  });
  if (check.status !== 0) {
    console.error('deploy refused (nothing was uploaded): package:check failed');
    return 1;
  }
  await executePlan(plan, {
    root,
    functionRoot: path.join(root, 'cloudfunctions'),
    secretId,
    secretKey,
    log: (s) => console.log(`deploy: ${s}`),
  });
  console.log(
    '\nDeployed. Now run `npm run doctor -- --remote` and follow docs/deploy.md "First real payment".',
  );
  return 0;
}

run().then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    console.error(`deploy failed: ${(e as Error).message}`);
    process.exitCode = 1;
  },
);
