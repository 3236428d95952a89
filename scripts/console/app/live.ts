// Live data: one EventSource on the emulator's /events stream; every panel reloads what it shows when an event
// arrives (throttled), so the page follows the stack without a manual refresh.

import { useEffect, useRef, useState } from 'preact/hooks';

type Listener = (type: string) => void;
const listeners = new Set<Listener>();
let source: EventSource | undefined;
const statusListeners = new Set<(up: boolean) => void>();
let connected = false;

function ensureSource(): void {
  if (source) return;
  source = new EventSource('/events');
  const fire = (type: string) => () => {
    for (const l of listeners) l(type);
  };
  for (const t of ['db', 'invocation', 'sandbox', 'subscriptions']) source.addEventListener(t, fire(t));
  // (Re)connected, e.g. after the emulator restarted: what is on screen may be stale.
  source.onopen = () => {
    setConnected(true);
    fire('open')();
  };
  source.onerror = () => setConnected(false);
}

function setConnected(up: boolean): void {
  connected = up;
  for (const l of statusListeners) l(up);
}

/** Whether the event stream is connected. */
export function useConnected(): boolean {
  const [up, setUp] = useState(connected);
  useEffect(() => {
    ensureSource();
    statusListeners.add(setUp);
    return () => void statusListeners.delete(setUp);
  }, []);
  return up;
}

/** Something the console did itself: reload now rather than wait for the stream. */
export function poke(): void {
  for (const l of listeners) l('local');
}

export interface Live<T> {
  data: T | undefined;
  error: string | undefined;
  reload(): void;
}

/** Loads `load()` now, whenever `deps` change and after stack events (at most every 200 ms). */
export function useLive<T>(load: () => Promise<T>, deps: unknown[]): Live<T> {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  const loader = useRef(load);
  loader.current = load;
  const state = useRef({
    running: false,
    again: false,
    timer: 0 as unknown as ReturnType<typeof setTimeout> | 0,
    alive: true,
  });

  const run = () => {
    const s = state.current;
    if (s.running) {
      s.again = true;
      return;
    }
    s.running = true;
    loader
      .current()
      .then(
        (v) => {
          if (!s.alive) return;
          setData(v);
          setError(undefined);
        },
        (e: unknown) => s.alive && setError(e instanceof Error ? e.message : String(e)),
      )
      .finally(() => {
        s.running = false;
        if (s.again && s.alive) {
          s.again = false;
          schedule();
        }
      });
  };
  const schedule = () => {
    const s = state.current;
    if (s.timer) return;
    s.timer = setTimeout(() => {
      s.timer = 0;
      run();
    }, 200);
  };

  useEffect(() => {
    state.current.alive = true;
    run();
    ensureSource();
    const l: Listener = () => schedule();
    listeners.add(l);
    return () => {
      state.current.alive = false;
      listeners.delete(l);
    };
  }, deps);

  return { data, error, reload: run };
}
