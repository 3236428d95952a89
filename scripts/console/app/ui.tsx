// Small shared pieces: a readable key/value view of any document, sections, badges and a button that runs an
// action and shows its effect.

import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import { poke } from './live';

const isObject = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v);

/** Any JSON value as nested key/value rows (objects) and numbered rows (arrays). */
export function KeyValue({ value }: { value: unknown }) {
  if (Array.isArray(value)) {
    if (value.length === 0) return <span class="muted">[]</span>;
    return (
      <ol class="kv-list">
        {value.map((v, i) => (
          <li key={i}>
            <KeyValue value={v} />
          </li>
        ))}
      </ol>
    );
  }
  if (isObject(value)) {
    const entries = Object.entries(value);
    if (entries.length === 0) return <span class="muted">{'{}'}</span>;
    return (
      <dl class="kv">
        {entries.map(([k, v]) => (
          <div class="kv-row" key={k}>
            <dt>{k}</dt>
            <dd>
              <KeyValue value={v} />
            </dd>
          </div>
        ))}
      </dl>
    );
  }
  if (value === null || value === undefined) return <span class="muted">—</span>;
  return <span class="kv-scalar">{String(value)}</span>;
}

export function Section({
  title,
  children,
  id,
}: {
  title: string;
  children: ComponentChildren;
  id?: string;
}) {
  return (
    <section class="card" data-section={id}>
      <h2>{title}</h2>
      {children}
    </section>
  );
}

export function Status({ status, label }: { status: string; label: string }) {
  return <span class={`badge s-${status}`}>{label}</span>;
}

export function ErrorLine({ error }: { error: string | undefined }) {
  return error ? <p class="error">{error}</p> : null;
}

/** A button that runs `run`, then shows what it answered (or why it failed) next to it. */
export function Action({
  label,
  run,
  kind,
  testid,
}: {
  label: string;
  run: () => Promise<unknown>;
  kind?: 'primary' | 'danger';
  testid?: string;
}) {
  const [busy, setBusy] = useState(false);
  const [effect, setEffect] = useState<{ ok: boolean; text: string } | undefined>(undefined);
  const click = async () => {
    setBusy(true);
    try {
      const r = await run();
      setEffect({ ok: true, text: summarize(r) });
    } catch (e) {
      setEffect({ ok: false, text: e instanceof Error ? e.message : String(e) });
    } finally {
      setBusy(false);
      poke();
    }
  };
  return (
    <span class="action">
      <button type="button" class={kind ?? ''} disabled={busy} onClick={click} data-testid={testid}>
        {busy ? '…' : label}
      </button>
      {effect && <span class={effect.ok ? 'effect ok' : 'effect fail'}>{effect.text}</span>}
    </span>
  );
}

function summarize(v: unknown): string {
  if (v === undefined || v === null) return '✓';
  const s = JSON.stringify(v);
  return s.length > 160 ? `${s.slice(0, 160)}…` : s;
}
