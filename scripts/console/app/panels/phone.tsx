// The merchant's phone: subscribe messages each openid received, shown like WeChat's service notifications
// (template fields, time, the page it opens) with the grants left per template; printed receipts as a 58 mm
// printer would print them (32 columns); WeCom robot posts. An emulator without the alert stand-ins shows
// "not available" for the printer and the robot.

import {
  callFunction,
  get,
  grantSubscription,
  merchantOpenids,
  messages,
  optional,
  type SubscribeMessage,
} from '../api';
import { beijing } from '../format';
import { useLive } from '../live';
import { printedLines } from '../receipt';
import { Action, KeyValue, Section } from '../ui';

async function load() {
  const [msgs, grants, jobs, posts, merchants] = await Promise.all([
    messages(),
    get<{ grants: Array<{ openid: string; templateId: string; remaining: number }> }>('/subscriptions'),
    optional<unknown>('/printer/feie/jobs'),
    optional<unknown>('/wecom/robot/posts'),
    merchantOpenids(),
  ]);
  return {
    msgs,
    grants: grants.grants,
    jobs: listOf(jobs, 'jobs'),
    posts: listOf(posts, 'posts'),
    merchant: merchants[0]!,
  };
}

/**
 * The merchant taps "allow" on WeChat's subscribe dialog for each alert template orderAlert uses: WeChat keeps
 * one grant per template (the emulator's control call) and the mini-program reports the dialog's answer to
 * orderAlert `subscribe` — the same two steps as on a phone.
 */
async function subscribeAsMerchant(openid: string): Promise<unknown> {
  const status = (await callFunction('orderAlert', { action: 'status' }, openid)).result as {
    ok?: boolean;
    data?: { templates?: Array<{ templateId: string }> };
    error?: { code?: string };
  };
  if (!status.ok) throw new Error(`orderAlert status: ${status.error?.code ?? 'failed'}`);
  const ids = (status.data?.templates ?? []).map((t) => t.templateId);
  for (const id of ids) await grantSubscription(openid, id, 1);
  const results = Object.fromEntries([
    ...ids.map((id) => [id, 'accept']),
    ['errMsg', 'requestSubscribeMessage:ok'],
  ]);
  const r = (await callFunction('orderAlert', { action: 'subscribe', results }, openid)).result as {
    ok?: boolean;
    data?: { accepted?: string[] };
    error?: { code?: string };
  };
  if (!r.ok) throw new Error(`orderAlert subscribe: ${r.error?.code ?? 'failed'}`);
  return { accepted: r.data?.accepted };
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

/** A Feie job as the 58 mm printer prints it: 32 columns, double-size and centred lines, the QR code drawn. */
function Receipt({ job }: { job: unknown }) {
  const j = job as { content?: unknown; receivedAt?: unknown; printed?: unknown; fault?: unknown };
  if (typeof j.content !== 'string') return <KeyValue value={job} />;
  return (
    <figure class="receipt-job">
      <div class="receipt" data-testid="receipt">
        {printedLines(j.content).map((l, i) =>
          l.kind === 'qr' ? (
            <div key={i} class="r-qr" data-qr={l.value} title={l.value}>
              <span>QR</span>
            </div>
          ) : l.kind === 'cut' ? (
            <div key={i} class="r-cut" />
          ) : (
            <div
              key={i}
              class={`r-line${l.size === 2 ? ' r-big' : ''}${l.center ? ' r-center' : ''}`}
              data-size={l.size}
            >
              {l.text || '\u00a0'}
            </div>
          ),
        )}
      </div>
      <figcaption class="muted small">
        {beijing(j.receivedAt)} · {j.printed === false ? '未打印 not printed' : '已打印 printed'}
        {typeof j.fault === 'string' ? ` · 故障 ${j.fault}` : ''}
      </figcaption>
    </figure>
  );
}

const FONT_COLORS: Record<string, string> = { info: 'wc-info', comment: 'wc-comment', warning: 'wc-warning' };

/**
 * The subset of markdown WeCom's group robot renders: **bold**, <font color="info|comment|warning">, `> ` quote
 * lines. Everything else stays text (Preact escapes it: nothing in a post becomes markup).
 */
function WecomMarkdown({ text }: { text: string }) {
  const inline = (line: string) =>
    line.split(/(\*\*[^*]+\*\*|<font color="[a-z]+">.*?<\/font>)/).map((seg, i) => {
      const bold = /^\*\*([^*]+)\*\*$/.exec(seg);
      if (bold) return <b key={i}>{bold[1]}</b>;
      const font = /^<font color="([a-z]+)">(.*?)<\/font>$/.exec(seg);
      if (font)
        return (
          <span key={i} class={FONT_COLORS[font[1]!] ?? ''}>
            {font[2]}
          </span>
        );
      return seg;
    });
  return (
    <>
      {text.split('\n').map((line, i) => {
        const quote = line.startsWith('> ');
        return (
          <div key={i} class={quote ? 'wc-quote' : ''}>
            {inline(quote ? line.slice(2) : line)}
          </div>
        );
      })}
    </>
  );
}

/** A WeCom group robot post, as the group chat shows it (markdown as text). */
function RobotPost({ post }: { post: unknown }) {
  const p = post as { msgtype?: unknown; content?: unknown; receivedAt?: unknown; fault?: unknown };
  if (typeof p.content !== 'string') return <KeyValue value={post} />;
  return (
    <div class="wecom-post" data-testid="wecom-post">
      <div class="muted small">
        群机器人 robot · {beijing(p.receivedAt)} · {String(p.msgtype ?? '')}
        {typeof p.fault === 'string' ? ` · 故障 ${p.fault}` : ''}
      </div>
      <div class="wecom-bubble">
        {p.msgtype === 'markdown' ? <WecomMarkdown text={p.content} /> : p.content}
      </div>
    </div>
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
        <p class="buttons">
          <Action
            label="作为商家订阅提醒 Subscribe as the merchant"
            testid="subscribe-merchant"
            run={() => subscribeAsMerchant(data.merchant)}
          />
          <span class="muted small">{data.merchant}</span>
        </p>
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
            不可用 not available (GET /printer/feie/jobs answers 404: no printer stand-in)
          </p>
        ) : data.jobs.length === 0 ? (
          <p class="muted">还没有小票 none printed</p>
        ) : (
          [...data.jobs].reverse().map((j, i) => <Receipt key={i} job={j} />)
        )}
      </Section>
      <Section title="企业微信机器人 WeCom robot posts" id="wecom">
        {data.posts === undefined ? (
          <p class="muted" data-testid="wecom-unavailable">
            不可用 not available (GET /wecom/robot/posts answers 404: no robot stand-in)
          </p>
        ) : data.posts.length === 0 ? (
          <p class="muted">还没有消息 none posted</p>
        ) : (
          [...data.posts].reverse().map((p, i) => <RobotPost key={i} post={p} />)
        )}
      </Section>
    </div>
  );
}
