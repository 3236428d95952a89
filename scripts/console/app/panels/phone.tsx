// The merchant's phone: subscribe messages each openid received, shown like WeChat's service notifications
// (template fields, time, the page it opens) with the grants left per template; printed receipts as a 58 mm
// printer would print them; WeCom robot posts. Endpoints that have not landed show "not available".

import { get, messages, optional, type SubscribeMessage } from '../api';
import { beijing } from '../format';
import { useLive } from '../live';
import { KeyValue, Section } from '../ui';

async function load() {
  const [msgs, grants, jobs, posts] = await Promise.all([
    messages(),
    get<{ grants: Array<{ openid: string; templateId: string; remaining: number }> }>('/subscriptions'),
    optional<unknown>('/printer/feie/jobs'),
    optional<unknown>('/wecom/robot/posts'),
  ]);
  return { msgs, grants: grants.grants, jobs: listOf(jobs, 'jobs'), posts: listOf(posts, 'posts') };
}

/** The endpoint's list, whether it answers an array or {<key>: array}. undefined = not available. */
function listOf(v: unknown, key: string): unknown[] | undefined {
  if (v === undefined) return undefined;
  if (Array.isArray(v)) return v;
  const inner = (v as Record<string, unknown>)[key];
  return Array.isArray(inner) ? inner : [v];
}

function ServiceNotification({ m }: { m: SubscribeMessage }) {
  return (
    <div class="wx-card" data-testid="wx-message">
      <div class="wx-head">
        <span class="wx-app">服务通知</span>
        <span class="muted small">{beijing(m.sentAt)}</span>
      </div>
      <div class="wx-title">{m.templateId}</div>
      <dl class="wx-fields">
        {Object.entries(m.data).map(([k, v]) => (
          <div key={k}>
            <dt>{k}</dt>
            <dd>{v.value}</dd>
          </div>
        ))}
      </dl>
      <div class="wx-foot">
        进入小程序查看 <span class="muted small">{m.page ?? '(首页)'}</span> ›
      </div>
    </div>
  );
}

/** A Feie job's content with its markup tags (<BR>, <CB>, …) turned into lines, 32 columns wide. */
function Receipt({ job }: { job: unknown }) {
  const content = (job as { content?: unknown }).content;
  if (typeof content !== 'string') return <KeyValue value={job} />;
  const text = content
    .replace(/<BR>/gi, '\n')
    .replace(/<\/?[A-Z]+>/gi, '')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>');
  return (
    <pre class="receipt" data-testid="receipt">
      {text}
    </pre>
  );
}

export function Phone() {
  const { data, error } = useLive(load, []);
  if (!data) return error ? <p class="error">{error}</p> : null;
  const byUser = new Map<string, SubscribeMessage[]>();
  for (const m of data.msgs) byUser.set(m.touser, [...(byUser.get(m.touser) ?? []), m]);
  return (
    <div class="grid">
      <Section title="服务通知 Subscribe messages" id="messages">
        {byUser.size === 0 && (
          <p class="muted" data-testid="no-messages">
            还没有消息 no message sent yet
          </p>
        )}
        {[...byUser].map(([openid, list]) => (
          <div key={openid} class="phone">
            <div class="phone-bar mono small">{openid}</div>
            {[...list].reverse().map((m) => (
              <ServiceNotification key={m.id} m={m} />
            ))}
          </div>
        ))}
        <h3>剩余授权 Grants left</h3>
        {data.grants.length === 0 ? (
          <p class="muted">无 none</p>
        ) : (
          <table class="small">
            <tbody>
              {data.grants.map((g) => (
                <tr key={`${g.openid}/${g.templateId}`}>
                  <td class="mono">{g.openid}</td>
                  <td class="mono">{g.templateId}</td>
                  <td>{g.remaining}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Section>
      <Section title="小票打印 Printed receipts (58 mm)" id="receipts">
        {data.jobs === undefined ? (
          <p class="muted" data-testid="printer-unavailable">
            不可用 not available (GET /printer/feie/jobs answers 404 on this build)
          </p>
        ) : data.jobs.length === 0 ? (
          <p class="muted">还没有小票 none printed</p>
        ) : (
          data.jobs.map((j, i) => <Receipt key={i} job={j} />)
        )}
      </Section>
      <Section title="企业微信机器人 WeCom robot posts" id="wecom">
        {data.posts === undefined ? (
          <p class="muted" data-testid="wecom-unavailable">
            不可用 not available (GET /wecom/robot/posts answers 404 on this build)
          </p>
        ) : data.posts.length === 0 ? (
          <p class="muted">还没有消息 none posted</p>
        ) : (
          data.posts.map((p, i) => <KeyValue key={i} value={p} />)
        )}
      </Section>
    </div>
  );
}
