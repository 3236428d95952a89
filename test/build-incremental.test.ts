// scripts/build.mjs's incremental build (stamps of each target's inputs) and its function-folder checks.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { externalPackages, manifestProblems } from '../scripts/build/function-folder.mjs';
import { StampStore } from '../scripts/build/stamp.mjs';
import { REPO_ROOT } from './support/paths';

const root = mkdtempSync(path.join(os.tmpdir(), 'shouyin-build-test-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const file = (rel: string, text: string) => {
  const p = path.join(root, rel);
  mkdirSync(path.dirname(p), { recursive: true });
  writeFileSync(p, text);
  return p;
};

describe('build stamps', () => {
  it('a target is up to date until an input changes, an output disappears or the options change', () => {
    const src = file('src/a.ts', 'export const a = 1;');
    const out = file('dist/a.js', 'exports.a = 1;');
    const stamps = new StampStore(root);
    expect(stamps.staleReason('t', 'k1')).toBe('never built');
    stamps.record('t', 'k1', { inputs: [src], outputs: [out] });
    stamps.save();

    const again = new StampStore(root); // read back from disk
    expect(again.staleReason('t', 'k1')).toBeNull();
    expect(again.staleReason('t', 'k2')).toBe('build options changed');
    // touched but unchanged content: still up to date
    utimesSync(src, new Date(), new Date(Date.now() + 5000));
    expect(again.staleReason('t', 'k1')).toBeNull();
    writeFileSync(src, 'export const a = 2;');
    expect(again.staleReason('t', 'k1')).toBe('src/a.ts changed');
    again.record('t', 'k1', { inputs: [src], outputs: [out] });
    rmSync(out);
    expect(again.staleReason('t', 'k1')).toBe('dist/a.js missing');
    writeFileSync(out, 'x');
    rmSync(src);
    expect(again.staleReason('t', 'k1')).toBe('src/a.ts removed');
  });
});

describe('function folder manifest', () => {
  const fn = (deps: Record<string, string>, extra: object = {}) => {
    const dir = path.join(root, 'cloudfunctions', `f${Math.random().toString(36).slice(2)}`);
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      path.join(dir, 'package.json'),
      JSON.stringify({ main: 'index.js', dependencies: deps, ...extra }),
    );
    return dir;
  };

  it('lists the packages a bundle leaves external, without Node built-ins', () => {
    const metafile = {
      outputs: {
        'index.js': {
          imports: [
            { path: 'wx-server-sdk', external: true },
            { path: 'node:crypto', external: true },
            { path: 'fs', external: true },
            { path: '@scope/pkg/sub', external: true },
            { path: 'shared/src/x.ts' },
          ],
        },
      },
    };
    expect(externalPackages(metafile)).toEqual(['@scope/pkg', 'wx-server-sdk']);
  });

  it('wants every external package declared at an exact version, and nothing bundled declared', () => {
    expect(manifestProblems(fn({ 'wx-server-sdk': '4.0.2' }), ['wx-server-sdk'])).toEqual([]);
    expect(manifestProblems(fn({ 'wx-server-sdk': '^4.0.2' }), ['wx-server-sdk']).join()).toContain(
      'must be an exact version',
    );
    expect(manifestProblems(fn({}), ['wx-server-sdk']).join()).toContain(
      'add it to package.json dependencies',
    );
    expect(
      manifestProblems(fn({ 'wx-server-sdk': '4.0.2', 'fast-xml-parser': '5.0.0' }), [
        'wx-server-sdk',
      ]).join(),
    ).toContain('"fast-xml-parser" is bundled into index.js');
    expect(
      manifestProblems(fn({ 'wx-server-sdk': '4.0.2' }, { devDependencies: { x: '1' } }), [
        'wx-server-sdk',
      ]).join(),
    ).toContain('devDependencies');
  });
});

describe('scripts/build.mjs on this repository', () => {
  it('rebuilds nothing when nothing changed since the last build (global-setup just built)', () => {
    const r = spawnSync(process.execPath, [path.join(REPO_ROOT, 'scripts/build.mjs'), '--no-dts'], {
      cwd: REPO_ROOT,
      encoding: 'utf8',
    });
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/build: 0 rebuilt, \d+ up to date/);
    expect(r.stdout).toMatch(/functions \[.*createPayment \d+\.\d KiB.*payNotify \d+\.\d KiB/);
  });
});
