export interface Fingerprint {
  size: number;
  mtimeMs: number;
  sha1: string;
}
export declare const STAMP_VERSION: number;
export declare function fingerprint(file: string, previous?: Fingerprint): Fingerprint | null;
export declare class StampStore {
  constructor(root: string, file?: string);
  stamps: Record<string, unknown>;
  staleReason(target: string, key: string): string | null;
  meta(target: string): unknown;
  record(target: string, key: string, r: { inputs: string[]; outputs: string[]; meta?: unknown }): void;
  forget(target: string): void;
  save(): void;
}
export declare function metafileInputs(root: string, metafile: { inputs: Record<string, unknown> }): string[];
