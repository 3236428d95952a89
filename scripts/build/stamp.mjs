// Incremental builds for scripts/build.mjs: a target is rebuilt only when its build options, one of the input
// files the last build read (esbuild's metafile inputs, or the listed files for tsc), or one of its outputs
// changed or disappeared. The stamps live in node_modules/.cache/shouyin-build/stamps.json (never committed).
//
// A file is re-hashed only when its size or mtime differs from the stamp; its content hash decides. The key of
// a target holds everything else its output depends on (entry points, output paths, esbuild version, the
// build script itself), so a new entry file or an option change rebuilds.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export const STAMP_VERSION = 1;

function sha1(file) {
  return createHash('sha1').update(readFileSync(file)).digest('hex');
}

/** Fingerprint of one file: size, mtime and content hash (null when it does not exist). */
export function fingerprint(file, previous) {
  let st;
  try {
    st = statSync(file);
  } catch {
    return null;
  }
  if (previous && previous.size === st.size && previous.mtimeMs === st.mtimeMs) return previous;
  return { size: st.size, mtimeMs: st.mtimeMs, sha1: sha1(file) };
}

export class StampStore {
  constructor(root, file = path.join(root, 'node_modules/.cache/shouyin-build/stamps.json')) {
    this.root = root;
    this.file = file;
    this.stamps = {};
    try {
      const raw = JSON.parse(readFileSync(file, 'utf8'));
      if (raw?.version === STAMP_VERSION && raw.targets && typeof raw.targets === 'object') {
        this.stamps = raw.targets;
      }
    } catch {
      // no stamps yet (or unreadable): everything builds
    }
  }

  /** Why `target` must be rebuilt, or null when it is up to date. */
  staleReason(target, key) {
    const s = this.stamps[target];
    if (!s) return 'never built';
    if (s.key !== key) return 'build options changed';
    for (const out of s.outputs) if (!existsSync(path.join(this.root, out))) return `${out} missing`;
    for (const [rel, prev] of Object.entries(s.inputs)) {
      const now = fingerprint(path.join(this.root, rel), prev);
      if (now === null) return `${rel} removed`;
      if (now.sha1 !== prev.sha1) return `${rel} changed`;
      s.inputs[rel] = now; // refresh size/mtime so the next check needs no hash
    }
    return null;
  }

  meta(target) {
    return this.stamps[target]?.meta;
  }

  record(target, key, { inputs, outputs, meta }) {
    const fps = {};
    for (const abs of inputs) {
      const rel = path.relative(this.root, path.resolve(this.root, abs));
      const fp = fingerprint(path.join(this.root, rel));
      if (fp) fps[rel] = fp;
    }
    this.stamps[target] = {
      key,
      inputs: fps,
      outputs: outputs.map((o) => path.relative(this.root, path.resolve(this.root, o))),
      ...(meta === undefined ? {} : { meta }),
    };
  }

  forget(target) {
    delete this.stamps[target];
  }

  save() {
    mkdirSync(path.dirname(this.file), { recursive: true });
    const tmp = `${this.file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify({ version: STAMP_VERSION, targets: this.stamps }));
    renameSync(tmp, this.file);
  }
}

/** Real files among esbuild metafile inputs (paths relative to absWorkingDir). */
export function metafileInputs(root, metafile) {
  return Object.keys(metafile.inputs)
    .filter((p) => !p.includes(':'))
    .map((p) => path.resolve(root, p));
}
