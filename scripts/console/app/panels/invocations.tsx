// Invocations: each call with duration, cold or warm, database requests, logs (secrets redacted by the emulator)
// and the answer. Newest first.

import { invocations } from '../api';
import { beijing } from '../format';
import { useLive } from '../live';
import { ErrorLine, Section } from '../ui';

export function Invocations({ fn }: { fn?: string }) {
  const { data, error } = useLive(invocations, []);
  const list = [...(data ?? [])]
    .filter((r) => !fn || r.function === fn)
    .reverse()
    .slice(0, 200);
  return (
    <Section title={`调用记录 Invocations${fn ? ` · ${fn}` : ''}`} id="invocations">
      <ErrorLine error={error} />
      {fn && <a href="#/invocations">全部 all</a>}
      {list.map((r) => (
        <details key={r.requestId} class="inv" data-outcome={r.outcome} data-function={r.function}>
          <summary>
            <b>{r.function}</b>{' '}
            <span class="muted small">
              {r.source}
              {r.trigger ? `:${r.trigger}` : ''}
            </span>{' '}
            <span class={`badge o-${r.outcome}`}>{r.outcome}</span> {r.durationMs} ms ·{' '}
            {r.coldStart ? '冷启动 cold' : '热 warm'} · DB {r.dbRequests}{' '}
            <span class="muted small hide-narrow">{beijing(r.startedAt)}</span>
          </summary>
          <p class="small mono muted">{r.requestId}</p>
          {r.error && <p class="error">{r.error}</p>}
          {r.warnings.length > 0 && <pre class="warn">{r.warnings.join('\n')}</pre>}
          <h4>日志 logs</h4>
          <pre>{r.logs.join('\n') || '—'}</pre>
          <h4>返回 answer</h4>
          <pre>{r.answer ? pretty(r.answer) : '—'}</pre>
        </details>
      ))}
    </Section>
  );
}

function pretty(json: string): string {
  try {
    return JSON.stringify(JSON.parse(json), null, 2);
  } catch {
    return json;
  }
}
