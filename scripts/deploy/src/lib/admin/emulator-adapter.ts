// The AdminPort on a running emulator: its management API (scripts/emulator/src/lib/http/admin.ts) over HTTP.
import type { IndexSpec } from '../project';
import type { AdminPort, Doc, DocUpdate } from './port';

export class EmulatorAdmin implements AdminPort {
  constructor(private readonly baseUrl: string) {}

  private async call(
    method: string,
    path: string,
    body?: unknown,
  ): Promise<{ status: number; body: Record<string, unknown> }> {
    const res = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers: { 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const json = (await res.json().catch(() => ({}))) as Record<string, unknown>;
    if (res.status >= 400 && res.status !== 404)
      throw new Error(
        `emulator ${method} ${path}: ${res.status} ${String(json.message ?? json.error ?? '')}`,
      );
    return { status: res.status, body: json };
  }

  private c = (name: string) => `/admin/collections/${encodeURIComponent(name)}`;

  async createCollection(name: string): Promise<boolean> {
    return (await this.call('POST', '/admin/collections', { name })).body.created === true;
  }

  async setIndexes(collection: string, indexes: IndexSpec[]): Promise<void> {
    await this.must('PUT', `${this.c(collection)}/indexes`, { indexes });
  }

  async setRule(collection: string, rule: unknown): Promise<void> {
    await this.must('PUT', `${this.c(collection)}/rule`, { rule });
  }

  async createDoc(collection: string, doc: Doc): Promise<boolean> {
    const r = await this.call('POST', `${this.c(collection)}/docs`, { doc });
    if (r.status === 404) throw new Error(`emulator: ${String(r.body.message ?? 'not found')}`);
    return r.body.created === true;
  }

  async putDocs(collection: string, docs: Doc[]): Promise<void> {
    await this.must('PUT', `${this.c(collection)}/docs`, { docs });
  }

  async getDoc(collection: string, id: string): Promise<Doc | undefined> {
    const r = await this.call('GET', `${this.c(collection)}/docs/${encodeURIComponent(id)}`);
    return r.status === 404 ? undefined : (r.body.data as Doc);
  }

  async updateDoc(collection: string, id: string, u: DocUpdate): Promise<boolean> {
    const update: Record<string, unknown> = {};
    if (u.addToSet) update.$addToSet = u.addToSet;
    if (u.pull) update.$pull = u.pull;
    if (u.set) update.$set = u.set;
    if (u.unset) update.$unset = Object.fromEntries(u.unset.map((k) => [k, '']));
    const r = await this.call('POST', `${this.c(collection)}/docs/${encodeURIComponent(id)}/update`, {
      update,
    });
    return r.status !== 404;
  }

  private async must(method: string, path: string, body: unknown): Promise<void> {
    const r = await this.call(method, path, body);
    if (r.status === 404) throw new Error(`emulator: ${String(r.body.message ?? 'not found')}`);
  }
}
