// The console's only way to the stack: the emulator's JSON APIs and the sandbox's control API (forwarded by the
// emulator under /sandbox/), same origin. Answers are typed loosely on purpose: documents are shown as they are.

export type Doc = Record<string, unknown> & { _id: string };

export interface HistoryEntry {
  from: string | null;
  to: string;
  by: string;
  at: number;
  why: string;
}

export interface OrderDoc extends Doc {
  _openid: string;
  status: string;
  totalFee: number;
  lines?: Array<{ productId: string; name: string; unitFee: number; quantity: number; lineFee: number }>;
  history?: HistoryEntry[];
  unifiedOrder?: Record<string, unknown>;
  createdAt: number;
  expireAt?: number;
  fulfilment?: Record<string, unknown>;
}

export interface Invocation {
  requestId: string;
  function: string;
  source: string;
  trigger?: string;
  parentId?: string;
  startedAt: string;
  durationMs: number;
  dbRequests: number;
  outcome: 'running' | 'ok' | 'error' | 'timeout';
  error?: string;
  coldStart: boolean;
  instanceId?: string;
  logs: string[];
  warnings: string[];
  answer?: string;
}

export interface SubscribeMessage {
  id: string;
  touser: string;
  templateId: string;
  page?: string;
  data: Record<string, { value: string }>;
  sentAt: string;
  function?: string;
}

export interface Notification {
  id: string;
  kind: string;
  outTradeNo: string;
  outRefundNo?: string;
  createdAt: number;
  state: string;
  attempts: number;
  nextAt?: number;
  faults: string[];
}

export interface Delivery {
  seq: number;
  notificationId: string;
  attempt: number;
  copy: number;
  time: string;
  latencyMs: number;
  outcome: string;
  httpStatus?: number;
  reply?: string;
  error?: string;
}

export interface EmulatorInfo {
  baseUrl: string;
  envId: string;
  functions: Record<string, { triggers: Array<{ name: string; config: string }>; httpUrls: string[] }>;
  sandbox?: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

async function call<T>(
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<T> {
  const res = await fetch(path, {
    method,
    headers: {
      accept: 'application/json',
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...headers,
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    /* not JSON: keep the text */
  }
  if (!res.ok) {
    const e = parsed as
      | { error?: { message?: string } | string; message?: string; errMsg?: string }
      | undefined;
    const msg =
      (typeof e?.error === 'object' ? e.error.message : undefined) ??
      e?.message ??
      e?.errMsg ??
      (typeof e?.error === 'string' ? e.error : undefined) ??
      `HTTP ${res.status}`;
    throw new ApiError(res.status, msg);
  }
  return parsed as T;
}

export const get = <T>(path: string) => call<T>('GET', path);
export const post = <T>(path: string, body?: unknown, headers?: Record<string, string>) =>
  call<T>('POST', path, body, headers);
export const put = <T>(path: string, body: unknown) => call<T>('PUT', path, body);

/** Documents of a collection; an absent collection (its part has not landed) is an empty list. */
export async function docs<T extends Doc = Doc>(
  collection: string,
  where?: Record<string, unknown>,
  limit = 1000,
): Promise<T[]> {
  const q = new URLSearchParams({ limit: String(limit) });
  if (where) q.set('where', JSON.stringify(where));
  try {
    return (await get<{ data: T[] }>(`/db/${encodeURIComponent(collection)}?${q}`)).data;
  } catch (e) {
    if (e instanceof ApiError && e.status === 404) return [];
    throw e;
  }
}

/** A JSON endpoint that may not exist on this branch: undefined on 404. */
export async function optional<T>(path: string): Promise<T | undefined> {
  try {
    return await get<T>(path);
  } catch (e) {
    if (e instanceof ApiError && e.status === 404) return undefined;
    throw e;
  }
}

export const info = () => get<EmulatorInfo>('/');
export const invocations = () =>
  get<{ invocations: Invocation[] }>('/invocations').then((r) => r.invocations);
export const messages = () => get<{ messages: SubscribeMessage[] }>('/messages').then((r) => r.messages);

/** callFunction as a mini-program user (the emulator takes the OPENID from the header, as the platform would). */
export const callFunction = (name: string, data: unknown, openid: string) =>
  post<{ result: unknown; requestID: string }>(
    `/functions/${encodeURIComponent(name)}`,
    { data },
    openid ? { 'x-wx-openid': openid } : {},
  );

export const sandbox = {
  clock: () => get<{ mode: string; now: number; time: string }>('/sandbox/clock'),
  advance: (ms: number) => post<unknown>('/sandbox/clock/advance', { ms }),
  pay: (outTradeNo: string, outcome: 'success' | 'fail' | 'abandon') =>
    post<unknown>('/sandbox/pay', { outTradeNo, outcome }),
  /** `mchId`: the refund's merchant (the sandbox needs it when it has several). */
  settle: (outRefundNo: string, status: 'SUCCESS' | 'CHANGE' | 'REFUNDCLOSE', mchId?: string) =>
    post<unknown>('/sandbox/refunds/settle', { outRefundNo, status, ...(mchId ? { mchId } : {}) }),
  refunds: (outTradeNo?: string) =>
    get<Array<Record<string, unknown>>>(
      `/sandbox/refunds${outTradeNo ? `?outTradeNo=${encodeURIComponent(outTradeNo)}` : ''}`,
    ),
  notifications: (outTradeNo: string) =>
    get<Notification[]>(`/sandbox/notifications?outTradeNo=${encodeURIComponent(outTradeNo)}`),
  deliveries: (outTradeNo: string) =>
    get<Delivery[]>(`/sandbox/deliveries?outTradeNo=${encodeURIComponent(outTradeNo)}`),
  faults: () => get<Array<Record<string, unknown>>>('/sandbox/faults'),
  injectFault: (spec: Record<string, unknown>) => post<unknown>('/sandbox/faults', spec),
  clearFaults: () => post<unknown>('/sandbox/faults/clear'),
};

export const reconcileNow = () => post<{ invocation: Invocation }>('/triggers/reconcile/reconcileTimer');

/** WeChat's side of fulfilment: the buyer confirms receipt in WeChat (the shipping-info service stand-in). */
export const confirmReceiptInWeChat = (outTradeNo: string) =>
  post<unknown>('/control/shipping/confirm-receipt', { outTradeNo });

/** The user tapping "allow" on WeChat's subscribe dialog (the emulator's grants, as WeChat keeps them). */
export const grantSubscription = (openid: string, templateId: string, count: number) =>
  post<unknown>('/control/subscriptions', { openid, templateId, count });

/** The shop's merchants: the openids in `merchants` documents' reviewerOpenids (the demo owner if none). */
export async function merchantOpenids(): Promise<string[]> {
  const ids = (await docs<Doc & { reviewerOpenids?: string[] }>('merchants')).flatMap(
    (m) => m.reviewerOpenids ?? [],
  );
  return ids.length ? [...new Set(ids)] : ['o-demo-merchant-owner'];
}
