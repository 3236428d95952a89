// Overview: functions (instances, invocations, last error), the sandbox's clock and active faults, collections.

import { docs, get, info, invocations, type OrderDoc, optional } from '../api';
import { beijing, statusLabel, yuan } from '../format';
import { useLive } from '../live';
import { ErrorLine, KeyValue, Section, Status } from '../ui';

async function load() {
  const [i, inv, inst, clock, faults, db, orders] = await Promise.all([
    info(),
    invocations(),
    get<{ instances: Record<string, number> }>('/instances'),
    optional<{ mode: string; time: string; now: number }>('/sandbox/clock'),
    optional<Array<Record<string, unknown>>>('/sandbox/faults'),
    get<{ collections: Array<{ name: string; count: number }> }>('/db'),
    docs<OrderDoc>('orders'),
  ]);
  const recent = [...orders].sort((a, b) => b.createdAt - a.createdAt).slice(0, 6);
  return { i, inv, inst: inst.instances, clock, faults, db: db.collections, recent };
}

export function Overview() {
  const { data, error } = useLive(load, []);
  if (!data) return <ErrorLine error={error} />;
  const { i, inv, inst, clock, faults, db, recent } = data;
  return (
    <div class="grid">
      <Section title="云函数 Functions" id="functions">
        <table>
          <thead>
            <tr>
              <th>函数</th>
              <th>实例 instances</th>
              <th>调用 calls</th>
              <th>最近错误 last error</th>
            </tr>
          </thead>
          <tbody>
            {Object.entries(i.functions).map(([name, f]) => {
              const mine = inv.filter((r) => r.function === name);
              const lastError = [...mine]
                .reverse()
                .find((r) => r.outcome === 'error' || r.outcome === 'timeout');
              return (
                <tr key={name} data-function={name}>
                  <td>
                    <a href={`#/invocations/${name}`}>{name}</a>
                    <div class="muted small">
                      {f.triggers.map((t) => `timer ${t.config}`).join(' ')} {f.httpUrls.length ? 'HTTP' : ''}
                    </div>
                  </td>
                  <td>{inst[name] ?? 0}</td>
                  <td data-testid={`calls-${name}`}>{mine.length}</td>
                  <td class="small">
                    {lastError ? `${beijing(lastError.startedAt)} ${lastError.error ?? ''}` : '—'}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </Section>
      <Section title="微信支付沙箱 Sandbox" id="sandbox">
        {clock ? (
          <>
            <p>
              虚拟时钟 clock: <b data-testid="sandbox-clock">{beijing(clock.now)}</b>{' '}
              <span class="muted">({clock.mode})</span>
            </p>
            <h3>生效的故障 Active faults</h3>
            {faults && faults.length > 0 ? <KeyValue value={faults} /> : <p class="muted">无 none</p>}
            <p>
              <a href="#/act">模拟微信与顾客 Act as WeChat →</a>
            </p>
          </>
        ) : (
          <p class="muted">沙箱未运行 not running (start with npm start)</p>
        )}
      </Section>
      <Section title="最近订单 Recent orders" id="recent-orders">
        {recent.length === 0 ? (
          <p class="muted">
            还没有订单 none yet — <a href="#/act">下单 create one</a>
          </p>
        ) : (
          <table class="small">
            <tbody>
              {recent.map((o) => (
                <tr key={o._id}>
                  <td>
                    <a href={`#/orders/${o._id}`} class="mono">
                      {o._id}
                    </a>
                  </td>
                  <td>
                    <Status status={o.status} label={statusLabel(o.status)} />
                  </td>
                  <td>{yuan(o.totalFee)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        <p>
          <a href="#/orders">全部订单 all orders →</a>
        </p>
      </Section>
      <Section title="最近调用 Recent invocations" id="recent-invocations">
        <table class="small">
          <tbody>
            {[...inv]
              .reverse()
              .slice(0, 8)
              .map((r) => (
                <tr key={r.requestId}>
                  <td>{r.function}</td>
                  <td>
                    <span class={`badge o-${r.outcome}`}>{r.outcome}</span>
                  </td>
                  <td>{r.durationMs} ms</td>
                  <td>{r.coldStart ? 'cold' : 'warm'}</td>
                  <td>DB {r.dbRequests}</td>
                </tr>
              ))}
          </tbody>
        </table>
        <p>
          <a href="#/invocations">全部调用 all invocations →</a>
        </p>
      </Section>
      <Section title="数据库 Database" id="collections">
        <ul class="plain">
          {db.map((c) => (
            <li key={c.name}>
              <a href={`#/db/${c.name}`}>{c.name}</a> <span class="muted">{c.count}</span>
            </li>
          ))}
        </ul>
        <p class="muted small">
          env {i.envId} · {i.baseUrl}
        </p>
      </Section>
    </div>
  );
}
