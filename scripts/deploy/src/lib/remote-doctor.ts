// doctor --remote: asks the CloudBase environment whether what the deploy plan creates exists. Uses
// @cloudbase/manager-node, required lazily (not a dependency of this repository).
// UNTESTED HERE: nothing in this repository can reach Tencent Cloud. Calls: database.checkCollectionExists,
// commonService DescribeSafeRule, functions.getFunctionDetail (runtime, timeout, triggers), access.getAccessList.
// Openapi permissions cannot be read back through manager-node: check them in the console (Merchant-ops notes §5).

import { createRequire } from 'node:module';
import type { Finding } from './doctor';
import { RUNTIME } from './plan';
import { type DeployProject, ruleFor } from './project';

// biome-ignore lint/suspicious/noExplicitAny: manager-node is an untyped optional SDK
type Any = Record<string, any>;

export async function remoteFindings(
  root: string,
  project: DeployProject,
  envId: string | undefined,
  env: Record<string, string>,
): Promise<Finding[]> {
  const f: Finding[] = [];
  const secretId = process.env.TCB_SECRET_ID || env.TCB_SECRET_ID;
  const secretKey = process.env.TCB_SECRET_KEY || env.TCB_SECRET_KEY;
  if (!envId || !secretId || !secretKey)
    return [
      {
        level: 'fail',
        topic: 'remote',
        text: 'set TCB_ENV_ID, TCB_SECRET_ID and TCB_SECRET_KEY for --remote',
      },
    ];
  let Manager: new (o: unknown) => Any;
  try {
    const mod = createRequire(`${root}/package.json`)('@cloudbase/manager-node');
    Manager = mod.default ?? mod;
  } catch {
    return [
      {
        level: 'fail',
        topic: 'remote',
        text: 'npm install --no-save @cloudbase/manager-node@5.6.5, then retry',
      },
    ];
  }
  const m = new Manager({ secretId, secretKey, envId });
  for (const c of project.collections) {
    const exists = (await m.database.checkCollectionExists(c))?.Exists === true;
    f.push({
      level: exists ? 'ok' : 'fail',
      topic: 'collection',
      text: `${c} ${exists ? 'exists' : 'is missing (-502005 on first write)'}`,
    });
    if (!exists) continue;
    const r = await m
      .commonService()
      .call({ Action: 'DescribeSafeRule', Param: { EnvId: envId, CollectionName: c } });
    const same =
      r?.Rule !== undefined && JSON.stringify(JSON.parse(r.Rule)) === JSON.stringify(ruleFor(project, c));
    f.push({
      level: same ? 'ok' : 'fail',
      topic: 'security rule',
      text: `${c}: ${same ? 'as in cloudbase-db.json' : 'differs from cloudbase-db.json'}`,
    });
  }
  for (const fn of project.functions) {
    let d: Any | undefined;
    try {
      d = await m.functions.getFunctionDetail(fn.name);
    } catch {
      d = undefined;
    }
    if (!d) {
      f.push({ level: 'fail', topic: 'function', text: `${fn.name} is not deployed` });
      continue;
    }
    f.push({
      level: d.Runtime === RUNTIME ? 'ok' : 'fail',
      topic: 'function',
      text: `${fn.name}: runtime ${d.Runtime}, timeout ${d.Timeout} s`,
    });
    for (const t of fn.triggers) {
      const has = (d.Triggers ?? []).some((x: Any) => x.TriggerName === t.name);
      f.push({
        level: has ? 'ok' : 'fail',
        topic: 'timer',
        text: `${fn.name}/${t.name} ${has ? 'exists' : 'missing: tcb fn trigger create ' + fn.name}`,
      });
    }
  }
  const access: Any[] = (await m.access.getAccessList())?.APISet ?? [];
  for (const r of project.routes) {
    const has = access.some((a) => a.Path === r.path);
    f.push({
      level: has ? 'ok' : 'fail',
      topic: 'route',
      text: `${r.path} → ${r.function} ${has ? 'exists' : 'missing'}`,
    });
  }
  f.push({
    level: 'warn',
    topic: 'permissions',
    text: 'openapi permissions cannot be read back: compare config.json with the console',
  });
  return f;
}
