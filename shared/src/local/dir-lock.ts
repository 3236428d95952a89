// An exclusive lock on a directory the local tools own (the emulator's data dir, the sandbox's state dir), taken
// before any file in it is touched, so a second `npm start` (or a second emulator/sandbox) on the same directory
// fails with a clear message and changes nothing. The lock is a file created with O_EXCL holding the owner's pid;
// a lock whose process is gone (a crash, kill -9) is stale and taken over.

import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import path from 'node:path';

export interface DirLock {
  readonly file: string;
  /** Removes the lock file (only if it is still ours). Idempotent. */
  release(): void;
}

export class DirLockedError extends Error {
  readonly code = 'DIR_LOCKED';
}

interface LockContent {
  pid: number;
  owner: string;
  since: string;
}

function readLock(file: string): LockContent | undefined {
  try {
    const v = JSON.parse(readFileSync(file, 'utf8')) as Partial<LockContent>;
    return typeof v.pid === 'number' && Number.isInteger(v.pid) ? (v as LockContent) : undefined;
  } catch {
    return undefined;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function lockedMessage(dir: string, held: LockContent): string {
  return (
    `${dir} is in use by ${held.owner} (pid ${held.pid}${held.pid === process.pid ? ', this process' : ''}, since ${held.since}): ` +
    `another npm start, emulator or sandbox runs on this directory. Stop it first, or give another directory ` +
    `(--data-dir / --state-dir). Nothing was changed.`
  );
}

/** The DirLockedError a lockDir() would throw now, or undefined; touches nothing (not even a missing dir). */
export function dirLockProblem(dir: string, name: string): DirLockedError | undefined {
  const file = path.join(path.resolve(dir), name);
  const held = readLock(file);
  return held && alive(held.pid) ? new DirLockedError(lockedMessage(path.dirname(file), held)) : undefined;
}

/**
 * Takes `<dir>/<name>` for `owner` (e.g. "emulator"). Throws DirLockedError naming the holder when a live process
 * holds it (this process included: two emulators of one process on one directory are refused too).
 * Creates `dir` when missing (an existing directory is left as it is).
 */
export function lockDir(dir: string, name: string, owner: string): DirLock {
  const file = path.join(path.resolve(dir), name);
  mkdirSync(path.dirname(file), { recursive: true });
  const content = JSON.stringify({ pid: process.pid, owner, since: new Date().toISOString() });
  for (let attempt = 0; attempt < 2; attempt++) {
    let fd: number;
    try {
      fd = openSync(file, 'wx', 0o600);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const held = readLock(file);
      if (held && alive(held.pid)) {
        throw new DirLockedError(lockedMessage(path.dirname(file), held));
      }
      // Stale: its process is gone (or the file is unreadable). Take it over; a racing taker loses on O_EXCL.
      rmSync(file, { force: true });
      continue;
    }
    try {
      writeSync(fd, content);
    } finally {
      closeSync(fd);
    }
    let released = false;
    return {
      file,
      release: () => {
        if (released) return;
        released = true;
        const held = readLock(file);
        if (held?.pid === process.pid) rmSync(file, { force: true });
      },
    };
  }
  throw new DirLockedError(`${path.dirname(file)}: another process took the lock ${name} at the same time`);
}
