// Orders: filter by status and customer; each row opens the order's timeline.

import { useState } from 'preact/hooks';
import { docs, type OrderDoc } from '../api';
import { beijing, STATUS_LABELS, statusLabel, yuan } from '../format';
import { useLive } from '../live';
import { ErrorLine, Section, Status } from '../ui';

export function Orders() {
  const [status, setStatus] = useState('');
  const [customer, setCustomer] = useState('');
  const { data, error } = useLive(() => docs<OrderDoc>('orders'), []);
  const all = [...(data ?? [])].sort((a, b) => b.createdAt - a.createdAt);
  const customers = [...new Set(all.map((o) => o._openid))];
  const shown = all.filter((o) => (!status || o.status === status) && (!customer || o._openid === customer));
  return (
    <Section title="订单 Orders" id="orders">
      <div class="filters">
        <label>
          状态 status{' '}
          <select
            value={status}
            onChange={(e) => setStatus((e.target as HTMLSelectElement).value)}
            data-testid="filter-status"
          >
            <option value="">全部 all</option>
            {Object.entries(STATUS_LABELS).map(([k, v]) => (
              <option key={k} value={k}>
                {v} {k}
              </option>
            ))}
          </select>
        </label>
        <label>
          顾客 customer{' '}
          <select
            value={customer}
            onChange={(e) => setCustomer((e.target as HTMLSelectElement).value)}
            data-testid="filter-customer"
          >
            <option value="">全部 all</option>
            {customers.map((c) => (
              <option key={c} value={c}>
                {c}
              </option>
            ))}
          </select>
        </label>
        <span class="muted">
          {shown.length} / {all.length}
        </span>
      </div>
      <ErrorLine error={error} />
      <table class="orders">
        <thead>
          <tr>
            <th>订单号 out_trade_no</th>
            <th>状态</th>
            <th>金额</th>
            <th class="hide-narrow">顾客</th>
            <th class="hide-narrow">下单时间</th>
          </tr>
        </thead>
        <tbody>
          {shown.map((o) => (
            <tr key={o._id} data-order={o._id}>
              <td>
                <a href={`#/orders/${o._id}`} class="mono">
                  {o._id}
                </a>
              </td>
              <td>
                <Status status={o.status} label={statusLabel(o.status)} />
              </td>
              <td>{yuan(o.totalFee)}</td>
              <td class="hide-narrow mono small">{o._openid}</td>
              <td class="hide-narrow small">{beijing(o.createdAt)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {all.length === 0 && (
        <p class="muted">
          还没有订单 — <a href="#/act">下单 create one</a>
        </p>
      )}
    </Section>
  );
}
