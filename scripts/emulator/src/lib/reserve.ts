// Reserving what a running emulator owns before it touches any file: the lock on its data directory, then its
// port (the HTTP server is bound here, answering 503 until the emulator is ready). A second `npm start` on the
// same data directory or port therefore fails with a clear message and changes nothing — not the running
// emulator's database file, emulator.json, nor the sandbox's state and sandbox.json.

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirLockProblem, lockDir } from '@shouyin/shared';

export const EMULATOR_LOCK_FILE = 'emulator.lock';

export interface EmulatorReservation {
  readonly server: Server;
  readonly host: string;
  readonly port: number;
  readonly dataDir?: string;
  /** Closes the server and releases the lock (when startEmulator did not take them over). */
  release(): Promise<void>;
}

export class PortInUseError extends Error {
  readonly code = 'PORT_IN_USE';
}

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

export async function reserveEmulator(opts: {
  host?: string;
  port?: number;
  dataDir?: string;
}): Promise<EmulatorReservation> {
  const host = opts.host ?? '127.0.0.1';
  // A locked data dir is the more telling refusal (npm start twice): checked first, without touching anything.
  const locked = opts.dataDir ? dirLockProblem(opts.dataDir, EMULATOR_LOCK_FILE) : undefined;
  if (locked) throw locked;
  const server = createServer((req, res) => {
    req.resume();
    res.writeHead(503, { 'content-type': 'application/json; charset=utf-8', 'retry-after': '1' });
    res.end(JSON.stringify({ error: 'the emulator is starting' }));
  });
  let port: number;
  try {
    port = await listen(server, opts.port ?? 0, host);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EADDRINUSE')
      throw new PortInUseError(
        `port ${opts.port} on ${host} is in use (another npm start or emulator?): stop it, or give another ` +
          `--port. Nothing was changed.`,
      );
    throw e;
  }
  // Then the lock itself (created with O_EXCL: of two racing starts, one loses here).
  let lock: ReturnType<typeof lockDir> | undefined;
  try {
    lock = opts.dataDir ? lockDir(opts.dataDir, EMULATOR_LOCK_FILE, 'an emulator') : undefined;
  } catch (e) {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    throw e;
  }
  let released = false;
  return {
    server,
    host,
    port,
    dataDir: opts.dataDir,
    release: async () => {
      if (released) return;
      released = true;
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      lock?.release();
    },
  };
}
