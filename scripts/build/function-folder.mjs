// What makes a built cloudfunctions/<name>/ folder deployable as it is (CloudBase notes §1.2–§1.4), checked by
// scripts/build.mjs after bundling:
//  - every package the bundle leaves external (wx-server-sdk, nothing else today) is a dependency of the
//    folder's package.json, at an exact version (the cloud installs it from there: an exact version makes the
//    cloud run what package:check loaded);
//  - package.json declares nothing the bundle does not need (everything else is bundled in) and has
//    "main": "index.js".
// package:check (scripts/deploy) then installs those dependencies in an empty directory and loads the bundle.
import { readFileSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import path from 'node:path';

export const EXACT_VERSION = /^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?$/;

/** Package name of a bare import path ('@a/b/c' → '@a/b', 'x/y' → 'x'). */
export function packageOf(spec) {
  const parts = spec.split('/');
  return spec.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

/** Packages (not Node built-ins) a bundle imports at run time, from esbuild's metafile. */
export function externalPackages(metafile) {
  const out = new Set();
  for (const o of Object.values(metafile.outputs)) {
    for (const imp of o.imports ?? []) {
      if (!imp.external || isBuiltin(imp.path)) continue;
      out.add(packageOf(imp.path));
    }
  }
  return [...out].sort();
}

/** Problems with a function folder's package.json given the packages its bundle needs at run time. */
export function manifestProblems(dir, externals) {
  const name = path.basename(dir);
  let pkg;
  try {
    pkg = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8'));
  } catch (e) {
    return [`${name}/package.json: cannot be read (${e.message})`];
  }
  const problems = [];
  const deps = pkg.dependencies ?? {};
  if (pkg.main !== undefined && pkg.main !== 'index.js')
    problems.push(`${name}/package.json: "main" must be "index.js"`);
  if (pkg.devDependencies && Object.keys(pkg.devDependencies).length > 0)
    problems.push(`${name}/package.json: devDependencies are not installed by the cloud; remove them`);
  for (const dep of externals) {
    if (!(dep in deps))
      problems.push(`${name}: the bundle requires "${dep}" at run time; add it to package.json dependencies`);
  }
  for (const [dep, version] of Object.entries(deps)) {
    if (!externals.includes(dep))
      problems.push(
        `${name}/package.json: "${dep}" is bundled into index.js (or unused); remove it from dependencies`,
      );
    else if (typeof version !== 'string' || !EXACT_VERSION.test(version))
      problems.push(`${name}/package.json: "${dep}": "${version}" must be an exact version like "4.0.2"`);
  }
  return problems;
}

export function formatSize(bytes) {
  return bytes < 1024 ? `${bytes} B` : `${(bytes / 1024).toFixed(1)} KiB`;
}
