/**
 * The part of wx-server-sdk 4.0.2 that Shouyin's functions use (CloudBase notes §3, §4), declared so
 * TypeScript checks the functions against it. Result shapes follow the SDK: `{data}` from get,
 * `{stats: {updated}}` from update, `{_id}` from add, `{total}` from count; failures reject with an Error
 * carrying `errCode`/`errMsg` (§3.4). The emulator's stand-in implements the same surface; in the cloud the
 * real package is installed from each function's package.json. Keep it to what the functions call.
 */
declare module 'wx-server-sdk' {
  /** "The environment this function runs in" (§3.1). */
  export const DYNAMIC_CURRENT_ENV: symbol;

  export interface ICloudConfig {
    env?: string | symbol | { database?: string; functions?: string; storage?: string; default?: string };
    traceUser?: boolean;
    timeout?: number;
    throwOnNotFound?: boolean;
  }
  /** Runs once per process; later calls return immediately (§3.1). */
  export function init(config?: ICloudConfig): void;

  /** Computed from the per-invocation environment; `{}` without WX_CONTEXT_KEYS (§3.2). */
  export interface WXContext {
    OPENID?: string;
    APPID?: string;
    UNIONID?: string;
    ENV?: string;
    SOURCE?: string;
    CLIENTIP?: string;
    CLIENTIPV6?: string;
    FROM_OPENID?: string;
    FROM_APPID?: string;
    FROM_UNIONID?: string;
  }
  export function getWXContext(): WXContext;

  export function callFunction(options: {
    name: string;
    data?: object;
    config?: { env?: string };
  }): Promise<{ result: unknown; errMsg: string; requestID: string }>;

  export function database(config?: { env?: string; throwOnNotFound?: boolean }): DB.Database;

  /** Cloud storage download (the merchant certificate when kept as WXPAY_CERT_FILE_ID/WXPAY_KEY_FILE_ID). */
  export function downloadFile(options: { fileID: string }): Promise<{ fileContent: Buffer }>;

  export namespace DB {
    type Document = Record<string, unknown>;

    interface Query {
      where(condition: object): Query;
      orderBy(field: string, direction: 'asc' | 'desc'): Query;
      limit(n: number): Query;
      skip(n: number): Query;
      field(projection: Record<string, boolean | 0 | 1>): Query;
      get(): Promise<{ data: Document[]; errMsg: string }>;
      count(): Promise<{ total: number; errMsg: string }>;
      update(options: { data: object; multi?: boolean }): Promise<{ stats: { updated: number }; errMsg: string }>;
      remove(options?: { multi?: boolean }): Promise<{ stats: { removed: number }; errMsg: string }>;
    }

    interface DocumentReference {
      /** Rejects for a missing document unless throwOnNotFound is false (§4.1). */
      get(): Promise<{ data: Document; errMsg: string }>;
      set(options: { data: object }): Promise<{ _id: string; stats: { updated: number; created: number }; errMsg: string }>;
      update(options: { data: object }): Promise<{ stats: { updated: number }; errMsg: string }>;
      remove(): Promise<{ stats: { removed: number }; errMsg: string }>;
    }

    interface CollectionReference extends Query {
      doc(id: string): DocumentReference;
      add(options: { data: object }): Promise<{ _id: string | number; errMsg: string }>;
    }

    interface Command {
      eq(v: unknown): unknown;
      neq(v: unknown): unknown;
      lt(v: unknown): unknown;
      lte(v: unknown): unknown;
      gt(v: unknown): unknown;
      gte(v: unknown): unknown;
      in(values: unknown[]): unknown;
      nin(values: unknown[]): unknown;
      and(...conditions: unknown[]): unknown;
      or(...conditions: unknown[]): unknown;
      exists(v: boolean): unknown;
      set(v: unknown): unknown;
      remove(): unknown;
      inc(n: number): unknown;
      push(values: unknown): unknown;
    }

    interface Database {
      collection(name: string): CollectionReference;
      readonly command: Command;
      serverDate(options?: { offset?: number }): unknown;
      createCollection(name: string): Promise<{ errMsg: string }>;
    }
  }

  /**
   * cloud.openapi (云调用, Merchant-ops notes §1): a generic proxy — any property path is the API name
   * (`cloud.openapi.wxa.sec.order.uploadShippingInfo(data)` calls `wxa.sec.order.uploadShippingInfo`); keys
   * are converted camelCase → snake_case unless `cloud.openapi({convertCase: false})`; a non-zero errcode
   * rejects with `{errCode, errMsg}`. The function's config.json must list the API in permissions.openapi.
   */
  export interface OpenApiCall {
    (data?: object): Promise<Record<string, unknown>>;
  }
  export interface OpenApi {
    (options: { convertCase?: boolean; appid?: string }): OpenApi;
    /** Subscribe messages (CloudBase notes §3.5): orderAlert's only cloud call. */
    subscribeMessage: {
      send(data: {
        touser: string;
        templateId: string;
        page?: string;
        data: Record<string, { value: string }>;
        miniprogramState?: 'developer' | 'trial' | 'formal';
        lang?: string;
      }): Promise<{ errCode: number; errMsg: string }>;
    };
    wxa: { sec: { order: Record<'uploadShippingInfo' | 'getOrder' | 'isTradeManaged', OpenApiCall> } };
  }
  export const openapi: OpenApi;
}
