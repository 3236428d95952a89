// What the admin scripts need from a CloudBase environment — one small port, two adapters:
//  - emulator-adapter.ts: the local emulator's management API over HTTP (`--local`; tested here);
//  - cloud-adapter.ts: @cloudbase/manager-node + @cloudbase/node-sdk (untested here: no network to Tencent Cloud).
import type { IndexSpec } from '../project';

export type Doc = { _id: string } & Record<string, unknown>;

/** One atomic update of one document, in the operators both backends share. */
export interface DocUpdate {
  addToSet?: Record<string, string>;
  pull?: Record<string, string>;
  set?: Record<string, unknown>;
  unset?: string[];
}

export interface AdminPort {
  /** Creates the collection when missing; answers whether it was created. */
  createCollection(name: string): Promise<boolean>;
  setIndexes(collection: string, indexes: IndexSpec[]): Promise<void>;
  setRule(collection: string, rule: unknown): Promise<void>;
  /** Creates the document unless its _id exists (atomic: two concurrent creates, one wins); answers created. */
  createDoc(collection: string, doc: Doc): Promise<boolean>;
  /** Creates or replaces each document by _id. */
  putDocs(collection: string, docs: Doc[]): Promise<void>;
  getDoc(collection: string, id: string): Promise<Doc | undefined>;
  /** false when the document does not exist. */
  updateDoc(collection: string, id: string, update: DocUpdate): Promise<boolean>;
}
