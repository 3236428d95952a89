/**
 * npm run doctor [-- --remote] — checks the deploy configuration in `.env` before `npm run deploy`, in plain
 * words (lib/doctor.ts). `--remote` (needs TCB_SECRET_ID/TCB_SECRET_KEY) also asks the environment whether the
 * collections, security rules, routes, functions, permissions and timer exist (lib/remote-doctor.ts, untested
 * here). Exit code 1 when something must be fixed.
 * Usage: node scripts/deploy/dist/doctor.js [--env-file FILE] [--repo DIR] [--remote]
 */
import { diagnose, forgeP12Reader, formatFindings } from './lib/doctor';
import { deployContext } from './lib/env-file';
import { loadDeployProject } from './lib/project';
import { remoteFindings } from './lib/remote-doctor';

async function run(): Promise<number> {
  const { root, dotenv, envId } = deployContext();
  const project = loadDeployProject(root);
  const findings = diagnose({ root, project, dotenv, envId, readP12: forgeP12Reader() });
  if (process.argv.includes('--remote'))
    findings.push(...(await remoteFindings(root, project, envId, dotenv)));
  console.log(formatFindings(findings));
  return findings.some((f) => f.level === 'fail') ? 1 : 0;
}

run().then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    console.error(`doctor failed: ${(e as Error).message}`);
    process.exitCode = 1;
  },
);
