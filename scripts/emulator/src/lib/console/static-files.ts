// Serves the console's built files (scripts/console/dist: index.html, console.js, console.css) — nothing else:
// a fixed set of names, so no path from the URL ever reaches the file system.

import { existsSync, readFileSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import path from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
};
export const CONSOLE_FILES = ['index.html', 'console.js', 'console.css', 'console.js.map'] as const;

export function serveConsoleFile(dir: string, name: string, res: ServerResponse): boolean {
  if (!(CONSOLE_FILES as readonly string[]).includes(name)) return false;
  const file = path.join(dir, name);
  if (!existsSync(file)) {
    res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
    res.end(`console not built: ${file} is missing (run npm run build)`);
    return true;
  }
  res.writeHead(200, {
    'content-type': TYPES[path.extname(name)] ?? 'application/octet-stream',
    'cache-control': 'no-cache',
  });
  res.end(readFileSync(file));
  return true;
}
