// The console's live event stream (server-sent events, GET /events): database changes, invocations starting and
// ending, and what the WeChat Pay sandbox did. Events are hints to refetch from the JSON APIs — they carry ids,
// never documents — so the console keeps one source of truth.

import type { ServerResponse } from 'node:http';
import type { JournalRecord } from '../../db/journal';

export type ConsoleEvent =
  | { type: 'db'; changes: Array<{ collection: string; id?: string }> }
  | { type: 'invocation'; requestId: string; function: string; outcome: string }
  | { type: 'sandbox'; what: string }
  | { type: 'subscriptions' };

/** The collection and _id of each document a committed change wrote or removed. */
export function changesOf(record: JournalRecord): Array<{ collection: string; id?: string }> {
  if (record.t === 'b') return record.ops.flatMap(changesOf);
  if (record.t === 'p') return [{ collection: record.c, id: record.d._id as string }];
  if (record.t === 'd') return [{ collection: record.c, id: record.id }];
  return [{ collection: record.c }];
}

/** Comment lines keep idle connections (and proxies) from timing out. */
const HEARTBEAT_MS = 15_000;

export class EventHub {
  private readonly clients = new Set<ServerResponse>();
  private seq = 0;
  private heartbeat: NodeJS.Timeout | undefined;

  /** Turns the response into an event stream that stays open until the client leaves or the hub closes. */
  subscribe(res: ServerResponse): void {
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
    });
    res.write('retry: 1000\n\n');
    this.clients.add(res);
    res.on('close', () => this.clients.delete(res));
    this.heartbeat ??= setInterval(() => {
      for (const c of this.clients) c.write(': keep-alive\n\n');
    }, HEARTBEAT_MS).unref();
  }

  publish(event: ConsoleEvent): void {
    if (this.clients.size === 0) return;
    const frame = `id: ${++this.seq}\nevent: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`;
    for (const c of this.clients) c.write(frame);
  }

  get size(): number {
    return this.clients.size;
  }

  close(): void {
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = undefined;
    for (const c of this.clients) c.end();
    this.clients.clear();
  }
}
