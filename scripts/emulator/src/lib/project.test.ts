import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadProject } from './project';

let root: string;
const write = (rel: string, content: unknown) => {
  const file = path.join(root, rel);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
};

beforeEach(() => {
  root = mkdtempSync(path.join(tmpdir(), 'emu-project-'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('loadProject', () => {
  it('merges cloudbaserc.json, the local secrets file, and reads config.json triggers and permissions', () => {
    write('cloudbaserc.json', {
      envId: 'env-1',
      functionRoot: './fns',
      functions: [{ name: 'pay', timeout: 20, memorySize: 512, envVariables: { A: 'rc', B: 'rc', N: 5 } }],
    });
    write('cloudbaserc.local.json', {
      envVariables: { B: 'local-all', KEY: 'secret' },
      functions: { pay: { envVariables: { A: 'local-pay' } } },
    });
    write('fns/pay/index.js', 'exports.main = () => 1;');
    write('fns/pay/config.json', {
      permissions: { openapi: ['subscribeMessage.send'] },
      triggers: [{ name: 'timer1', type: 'timer', config: '0 */5 * * * * *' }],
    });
    write('fns/plain/index.js', 'exports.main = () => 1;');
    write('fns/unbuilt/package.json', '{}');
    write('cloudbase-routes.json', { routes: [{ path: 'notify', function: 'pay' }] });
    write('cloudbase-db.json', { collections: ['orders'] });

    const p = loadProject({ repoRoot: root });
    expect(p.envId).toBe('env-1');
    expect(p.functions.map((f) => f.name)).toEqual(['pay', 'plain']);
    const pay = p.functions[0]!;
    expect(pay).toMatchObject({
      timeoutMs: 20_000,
      memoryMb: 512,
      handler: 'index.main',
      env: { A: 'local-pay', B: 'local-all', N: '5', KEY: 'secret' },
      triggers: [{ name: 'timer1', type: 'timer', config: '0 */5 * * * * *' }],
      openapiPermissions: ['subscribeMessage.send'],
    });
    expect(p.functions[1]).toMatchObject({
      timeoutMs: 3000,
      memoryMb: 256,
      triggers: [],
      env: { B: 'local-all', KEY: 'secret' },
    });
    expect(p.functions[1]!.openapiPermissions).toBeUndefined();
    expect(p.warnings.join()).toMatch(/unbuilt: no index.js/);
    expect(p.routes).toEqual([{ path: '/notify', function: 'pay' }]);
    expect(p.collections).toEqual(['orders']);
  });

  it('defaults without cloudbaserc.json, and can load a subset', () => {
    write('cloudfunctions/a/index.js', '');
    write('cloudfunctions/b/index.js', '');
    const p = loadProject({ repoRoot: root, only: ['b', 'zzz'] });
    expect(p.envId).toBe('shouyin-local');
    expect(p.functions.map((f) => f.name)).toEqual(['b']);
    expect(p.warnings.join()).toMatch(/zzz: requested but not found/);
  });

  it('refuses non-timer triggers and malformed routes', () => {
    write('cloudfunctions/a/index.js', '');
    write('cloudfunctions/a/config.json', { triggers: [{ name: 't', type: 'cos', config: 'x' }] });
    expect(() => loadProject({ repoRoot: root })).toThrow(/only "timer"/);
  });
});
