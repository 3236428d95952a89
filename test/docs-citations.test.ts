/**
 * Issue 9 item 13: docs and code cite the protocol facts by what they say or by a section of docs/protocol-notes.md
 * — never by paths of reference files that are not in the repository — every cited section exists there, and the
 * sandbox's curl examples use the state dir `npm start` actually uses.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseArgs } from '../scripts/emulator/src/lib/cli-args';
import { REPO_ROOT } from './support/paths';

const SKIP = new Set(['node_modules', 'dist', '.git', '.data', '.sandbox']);

function sources(dir = REPO_ROOT): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    if (SKIP.has(name)) continue;
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) out.push(...sources(p));
    else if (/\.(ts|mjs|json|md)$/.test(name) && !/^cloudfunctions\/[^/]+\/index\.js/.test(name)) out.push(p);
  }
  return out;
}

const NOT_OURS = new Set(['package-lock.json']);
const files = sources().filter((f) => !NOT_OURS.has(path.relative(REPO_ROOT, f)));
const rel = (f: string) => path.relative(REPO_ROOT, f);
const NOTES = readFileSync(path.join(REPO_ROOT, 'docs/protocol-notes.md'), 'utf8');
const [wxpayPart, rest] = NOTES.split('## CloudBase') as [string, string];
const [cloudbasePart, merchantPart] = rest.split('## Merchant operations') as [string, string];

describe('citations', () => {
  it('no doc, comment or config cites the reference files by path', () => {
    const offenders = files.flatMap((f) =>
      readFileSync(f, 'utf8')
        .split('\n')
        .map((line, i) => ({ line, at: `${rel(f)}:${i + 1}` }))
        .filter(({ line }) => /spec\/|wxpay-v2\.md|cloudbase\.md|merchant-ops\.md/.test(line))
        .map(({ at, line }) => `${at}: ${line.trim()}`),
    );
    expect(offenders).toEqual([]);
  });

  it('every cited section exists in docs/protocol-notes.md', () => {
    const sections = (part: string) => new Set([...part.matchAll(/^### §(\d+)/gm)].map((m) => m[1]));
    const have = {
      'WeChat Pay v2 notes': sections(wxpayPart),
      'CloudBase notes': sections(cloudbasePart),
      'Merchant-ops notes': sections(merchantPart),
    };
    const missing: string[] = [];
    for (const f of files) {
      const text = readFileSync(f, 'utf8');
      for (const m of text.matchAll(/(WeChat Pay v2 notes|CloudBase notes|Merchant-ops notes) §(\d+)/g)) {
        const [, part, n] = m as unknown as [string, keyof typeof have, string];
        if (!have[part].has(n)) missing.push(`${rel(f)}: ${part} §${n}`);
      }
    }
    expect(have['WeChat Pay v2 notes'].size).toBeGreaterThan(8);
    expect(have['CloudBase notes'].size).toBeGreaterThan(8);
    expect(have['Merchant-ops notes'].size).toBe(5);
    expect(missing).toEqual([]);
  });
});

describe('docs/sandbox.md', () => {
  const doc = readFileSync(path.join(REPO_ROOT, 'docs/sandbox.md'), 'utf8');
  it('curl examples read the sandbox.json npm start writes (<data dir>/sandbox/sandbox.json)', () => {
    const npmStartFile = path.join(parseArgs(['--seed-demo'], REPO_ROOT).dataDir, 'sandbox', 'sandbox.json');
    expect(doc).toContain(`SB=${path.normalize(npmStartFile)} `);
    expect(doc).toContain('curl --cacert "$CA" "$C"');
  });
  it('says that clock/advance persists', () => {
    expect(doc).toMatch(/`clock\/advance` moves the sandbox's virtual clock for good.*persisted state/s);
  });
});
