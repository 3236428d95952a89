import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// `npm run shots` only (scripts/miniprogram-shots.mjs): renders the pages to HTML for the screenshots.
export default defineConfig({
  root: fileURLToPath(new URL('../../..', import.meta.url)),
  test: { include: ['test/miniprogram/shots/*.shots.ts'], testTimeout: 30_000 },
});
