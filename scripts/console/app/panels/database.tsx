// Database: browse collections and documents; products and merchants can be edited (the rest is read-only: money).

import { useEffect, useState } from 'preact/hooks';
import { type Doc, docs, get, put } from '../api';
import { useLive } from '../live';
import { Action, ErrorLine, KeyValue, Section } from '../ui';

const EDITABLE = ['products', 'merchants'];

function Editor({ collection, doc }: { collection: string; doc: Doc }) {
  const stored = JSON.stringify(doc, null, 2);
  const [text, setText] = useState(stored);
  // Live reloads give a new object every time: only a change of the stored content resets the editor.
  useEffect(() => setText(stored), [stored]);
  return (
    <div>
      <textarea
        rows={8}
        value={text}
        onInput={(e) => setText((e.target as HTMLTextAreaElement).value)}
        data-testid={`edit-${doc._id}`}
      />
      <p class="buttons">
        <Action
          label="保存 Save"
          kind="primary"
          testid={`save-${doc._id}`}
          run={() => put(`/db/${collection}/${encodeURIComponent(doc._id)}`, JSON.parse(text))}
        />
      </p>
    </div>
  );
}

export function Database({ collection }: { collection?: string }) {
  const colls = useLive(() => get<{ collections: Array<{ name: string; count: number }> }>('/db'), []);
  const list = useLive(
    () => (collection ? docs(collection, undefined, 200) : Promise.resolve([])),
    [collection],
  );
  const editable = collection !== undefined && EDITABLE.includes(collection);
  return (
    <div class="split">
      <Section title="集合 Collections" id="collections">
        <ul class="plain">
          {(colls.data?.collections ?? []).map((c) => (
            <li key={c.name} class={c.name === collection ? 'active' : ''}>
              <a href={`#/db/${c.name}`}>{c.name}</a> <span class="muted">{c.count}</span>
              {EDITABLE.includes(c.name) && <span class="small muted"> ✎</span>}
            </li>
          ))}
        </ul>
      </Section>
      {collection && (
        <Section
          title={`${collection}${editable ? ' · 可编辑 editable' : ' · 只读 read-only'}`}
          id="documents"
        >
          <ErrorLine error={list.error} />
          {(list.data ?? []).map((d) => (
            <details key={d._id} class="doc">
              <summary class="mono">{d._id}</summary>
              {editable ? <Editor collection={collection} doc={d} /> : <KeyValue value={d} />}
            </details>
          ))}
          {list.data?.length === 0 && <p class="muted">空 empty</p>}
        </Section>
      )}
    </div>
  );
}
