/**
 * A typed fake of the few `wx` APIs the mini-program uses (miniprogram/services/wx-port.ts): cloud
 * functions answered by per-action handlers (every call recorded), requestPayment / subscribe / scanCode /
 * openBusinessView as scriptable mocks, storage in a Map.
 */
import { vi } from 'vitest';
import type {
  ActionInput,
  ActionName,
  ActionOutput,
  FunctionName,
} from '../../../miniprogram/services/client';
import type { WxPort } from '../../../miniprogram/services/wx-port';

export interface RecordedCall {
  name: string;
  data: Record<string, unknown>;
}

type Handler = (data: Record<string, unknown>) => unknown;

export interface FakeWx extends WxPort {
  calls: RecordedCall[];
  /** The calls of one function.action. */
  callsOf(fn: string, action: string): Record<string, unknown>[];
  /** Answer `fn.action` with `{ok: true, data: out(input)}`. */
  answer<F extends FunctionName, A extends ActionName<F>>(
    fn: F,
    action: A,
    out: (input: ActionInput<F, A>) => ActionOutput<F, A> | Promise<ActionOutput<F, A>>,
  ): void;
  /** Answer `fn.action` with a raw result, or make callFunction itself fail (throw from the handler). */
  raw(fn: string, action: string, handler: Handler): void;
  storage: Map<string, unknown>;
  requestPayment: ReturnType<typeof vi.fn<WxPort['requestPayment']>>;
  requestSubscribeMessage: ReturnType<typeof vi.fn<WxPort['requestSubscribeMessage']>>;
  scanCode: ReturnType<typeof vi.fn<WxPort['scanCode']>>;
  openBusinessView: ReturnType<typeof vi.fn<WxPort['openBusinessView']>>;
}

export function fakeWx(): FakeWx {
  const handlers = new Map<string, Handler>();
  const calls: RecordedCall[] = [];
  const storage = new Map<string, unknown>();
  const fake: FakeWx = {
    calls,
    storage,
    callsOf: (fn, action) =>
      calls.filter((c) => c.name === fn && c.data.action === action).map((c) => c.data),
    answer(fn, action, out) {
      handlers.set(`${fn}.${action}`, async (data) => ({
        ok: true,
        data: await out(data as ActionInput<typeof fn, typeof action>),
      }));
    },
    raw(fn, action, handler) {
      handlers.set(`${fn}.${action}`, handler);
    },
    cloud: {
      async callFunction({ name, data }) {
        calls.push({ name, data: structuredClone(data) });
        await Promise.resolve();
        const h = handlers.get(`${name}.${String(data.action)}`);
        if (!h) {
          throw {
            errCode: -404011,
            errMsg: `cloud.callFunction:fail no fake for ${name}.${String(data.action)}`,
          };
        }
        return { result: await h(data), errMsg: 'cloud.callFunction:ok' };
      },
    },
    requestPayment: vi.fn<WxPort['requestPayment']>(async () => ({ errMsg: 'requestPayment:ok' })),
    requestSubscribeMessage: vi.fn<WxPort['requestSubscribeMessage']>(async () => ({
      errMsg: 'requestSubscribeMessage:ok',
    })),
    scanCode: vi.fn<WxPort['scanCode']>(async () => ({ result: 'SF1234567890' })),
    openBusinessView: vi.fn<WxPort['openBusinessView']>(async () => ({ errMsg: 'openBusinessView:ok' })),
    getStorageSync: (k) => (storage.has(k) ? structuredClone(storage.get(k)) : ''),
    setStorageSync: (k, v) => {
      storage.set(k, structuredClone(v));
    },
  };
  return fake;
}

/** A recorder for a controller's render patches (the page's setData). */
export function recorder<V>() {
  const patches: Partial<V>[] = [];
  return { patches, render: (p: Partial<V>) => patches.push(p) };
}
