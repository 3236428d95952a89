// Append-only journal of the embedded database: one JSON line per committed change (a batch — a multi-document
// update or a transaction commit — is one line, so it is replayed all or nothing). On open the journal is
// replayed and, when it holds more lines than live records, rewritten as a snapshot (write + rename).
// Lines are written with writeSync before the change is acknowledged: a crashed emulator loses nothing it
// reported as done; a torn last line (crash mid-write) is ignored on replay. No fsync: power loss is out of scope.

import { closeSync, existsSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import path from 'node:path';
import { type Doc, decodeJson, encodeJson } from './values';

export type JournalRecord =
  | { t: 'c'; c: string } // collection created
  | { t: 'p'; c: string; d: Doc } // document put (insert or replace)
  | { t: 'd'; c: string; id: string } // document deleted
  | { t: 'b'; ops: JournalRecord[] }; // batch, applied atomically

export class Journal {
  private fd: number;
  private lines = 0;

  private constructor(
    readonly file: string,
    lines: number,
  ) {
    this.fd = openSync(file, 'a');
    this.lines = lines;
  }

  /** Opens (creating) the journal and returns the records it holds. */
  static open(file: string): { journal: Journal; records: JournalRecord[] } {
    mkdirSync(path.dirname(file), { recursive: true });
    const records: JournalRecord[] = [];
    if (existsSync(file)) {
      const text = readFileSync(file, 'utf8');
      const lines = text.split('\n');
      for (let i = 0; i < lines.length; i++) {
        const line = lines[i]!;
        if (line.trim() === '') continue;
        try {
          records.push(decodeJson(line) as JournalRecord);
        } catch (err) {
          // Only the last line may be torn by a crash; anything earlier is corruption we must not hide.
          if (i >= lines.length - 2) break;
          throw new Error(`corrupt database journal ${file} at line ${i + 1}: ${(err as Error).message}`);
        }
      }
    }
    return { journal: new Journal(file, records.length), records };
  }

  get lineCount(): number {
    return this.lines;
  }

  append(record: JournalRecord): void {
    writeSync(this.fd, `${encodeJson(record)}\n`);
    this.lines++;
  }

  /** Replaces the journal by a snapshot (the given records) atomically. */
  rewrite(records: Iterable<JournalRecord>): void {
    const tmp = `${this.file}.tmp`;
    const fd = openSync(tmp, 'w');
    let n = 0;
    try {
      let chunk = '';
      for (const r of records) {
        chunk += `${encodeJson(r)}\n`;
        n++;
        if (chunk.length > 1 << 20) {
          writeSync(fd, chunk);
          chunk = '';
        }
      }
      if (chunk) writeSync(fd, chunk);
    } finally {
      closeSync(fd);
    }
    closeSync(this.fd);
    renameSync(tmp, this.file);
    this.fd = openSync(this.file, 'a');
    this.lines = n;
  }

  close(): void {
    closeSync(this.fd);
  }
}
