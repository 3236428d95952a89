#!/usr/bin/env node
// npm run shots: the mini-program's pages, rendered from their WXML with test data (miniprogram-simulate,
// test/miniprogram/shots), shot in headless Chromium into docs/miniprogram/<page>.png (375 px wide).
// Needs a Chromium: CHROMIUM=/path, default /usr/bin/chromium (apt-get install -y chromium).
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const htmlDir = mkdtempSync(path.join(os.tmpdir(), 'shouyin-shots-'));
const outDir = path.join(root, 'docs/miniprogram');

try {
  execFileSync(
    process.execPath,
    [
      path.join(root, 'node_modules/vitest/vitest.mjs'),
      'run',
      '--config',
      'test/miniprogram/shots/vitest.config.ts',
    ],
    { cwd: root, stdio: 'inherit', env: { ...process.env, SHOTS_HTML_DIR: htmlDir } },
  );
  mkdirSync(outDir, { recursive: true });
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--no-first-run',
      '--disable-background-networking',
    ],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 375, height: 667 }, deviceScaleFactor: 1.5 });
    for (const f of readdirSync(htmlDir)
      .filter((n) => n.endsWith('.html'))
      .sort()) {
      await page.goto(pathToFileURL(path.join(htmlDir, f)).href);
      const file = path.join(outDir, f.replace(/\.html$/, '.png'));
      await page.screenshot({ path: file, fullPage: true });
      console.log(`shots: ${path.relative(root, file)}`);
    }
  } finally {
    await browser.close();
  }
} finally {
  rmSync(htmlDir, { recursive: true, force: true });
}
