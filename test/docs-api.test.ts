/** docs/api.md stays true to the code: every stable error code of shared/src/api.ts is in its table. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ERROR_CODES } from '@shouyin/shared';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from './support/paths';

describe('docs/api.md', () => {
  const doc = readFileSync(path.join(REPO_ROOT, 'docs/api.md'), 'utf8');
  const table = doc.slice(doc.indexOf('## Error codes'));
  it('documents every error code an answer can carry, and none that does not exist', () => {
    const documented = [...table.matchAll(/^\| `([A-Z_]+)`/gm)].map((m) => m[1]);
    expect(new Set(documented)).toEqual(new Set(Object.keys(ERROR_CODES)));
  });
});
