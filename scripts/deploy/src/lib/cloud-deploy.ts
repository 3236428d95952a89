// Carries out a DeployPlan on Tencent CloudBase with @cloudbase/manager-node (required lazily: it is not a
// dependency of this repository; `npm run deploy` tells you to install it when missing).
// UNTESTED HERE: nothing in this repository can reach Tencent Cloud. Every call is the thinnest use of
// manager-node's documented API (functions.createFunction / updateFunctionConfig / createFunctionTriggers,
// database.createCollectionIfNotExists / updateCollection, commonService ModifySafeRule, access.createAccess);
// the plan it executes is what the tested dry run prints. Read back in the console what matters: the timer,
// the routes and the openapi permissions (Merchant-ops notes §5 — not confirmed that deploys register them).

import { createRequire } from 'node:module';
import type { DeployPlan } from './plan';

type Manager = {
  functions: {
    createFunction(o: unknown): Promise<unknown>;
    createFunctionTriggers(name: string, triggers: unknown[]): Promise<unknown>;
  };
  database: {
    createCollectionIfNotExists(name: string): Promise<unknown>;
    updateCollection(name: string, o: unknown): Promise<unknown>;
  };
  commonService(service?: string): { call(o: unknown): Promise<unknown> };
  access: { createAccess(o: unknown): Promise<unknown> };
};

export const MANAGER_PACKAGE = '@cloudbase/manager-node@5.6.5';

function loadManager(root: string, envId: string, secretId: string, secretKey: string): Manager {
  let mod: { default?: unknown } & Record<string, unknown>;
  try {
    mod = createRequire(`${root}/package.json`)('@cloudbase/manager-node');
  } catch {
    throw new Error(
      `@cloudbase/manager-node is not installed: run  npm install --no-save ${MANAGER_PACKAGE}`,
    );
  }
  const CloudBase = (mod.default ?? mod) as new (o: unknown) => Manager;
  return new CloudBase({ secretId, secretKey, envId });
}

export async function executePlan(
  plan: DeployPlan,
  opts: { root: string; functionRoot: string; secretId: string; secretKey: string; log: (s: string) => void },
): Promise<void> {
  const m = loadManager(opts.root, plan.envId, opts.secretId, opts.secretKey);
  for (const c of plan.collections) {
    opts.log(`collection ${c.name}`);
    await m.database.createCollectionIfNotExists(c.name);
    await m.commonService().call({
      Action: 'ModifySafeRule',
      Param: { EnvId: plan.envId, CollectionName: c.name, AclTag: 'CUSTOM', Rule: JSON.stringify(c.rule) },
    });
    if (c.indexes.length > 0) {
      await m.database.updateCollection(c.name, {
        CreateIndexes: c.indexes.map((ix) => ({
          IndexName: ix.name,
          MgoKeySchema: {
            MgoIsUnique: ix.unique === true,
            MgoIndexKeys: ix.keys.map(([Name, d]) => ({ Name, Direction: String(d) })),
          },
        })),
      });
    }
  }
  for (const f of plan.functions) {
    opts.log(`function ${f.name} (${f.runtime}, ${f.timeout} s)`);
    await m.functions.createFunction({
      func: {
        name: f.name,
        runtime: f.runtime,
        handler: f.handler,
        timeout: f.timeout,
        memorySize: f.memorySize,
        installDependency: true,
        ignore: ['src', 'src/**', '*.map', 'node_modules'],
        envVariables: f.envVariables,
      },
      functionRootPath: opts.functionRoot,
      force: true,
    });
    if (f.triggers.length > 0)
      await idempotent(
        () => m.functions.createFunctionTriggers(f.name, f.triggers),
        opts.log,
        `timer of ${f.name}`,
      );
  }
  for (const r of plan.routes) {
    opts.log(`route ${r.path} → ${r.function}`);
    await idempotent(
      () => m.access.createAccess({ name: r.function, path: r.path }),
      opts.log,
      `route ${r.path}`,
    );
  }
}

/** A re-deploy meets what the first one created: "already exists" is success (untested wording match). */
async function idempotent(
  call: () => Promise<unknown>,
  log: (s: string) => void,
  what: string,
): Promise<void> {
  try {
    await call();
  } catch (e) {
    if (!/exist/i.test(String((e as Error).message))) throw e;
    log(`${what} already exists`);
  }
}
