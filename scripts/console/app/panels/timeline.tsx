// One order's story on one screen: its transitions, the unifiedorder parameters as sent, the notifications WeChat
// (the sandbox) sent for it with every attempt and our answer, its refunds, shipment and alerts, with the
// merchant's and the buyer's actions on it (refund, ship, confirm receipt) as buttons.

import {
  type Delivery,
  type Doc,
  docs,
  merchantOpenids,
  type Notification,
  type OrderDoc,
  optional,
  sandbox,
} from '../api';
import { ACTOR_LABELS, beijing, FULFILMENT_LABELS, REFUND_LABELS, statusLabel, yuan } from '../format';
import { useLive } from '../live';
import { Action, ErrorLine, KeyValue, Section, Status } from '../ui';
import { OrderActions } from './order-actions';

async function load(id: string) {
  const [orders, refunds, anomalies, deliveriesOfAlerts, notifications, deliveries, merchants] =
    await Promise.all([
      docs<OrderDoc>('orders', { _id: id }, 1),
      docs('refunds', { outTradeNo: id }),
      docs('alerts', { outTradeNo: id }),
      docs('alerts', { 'facts.outTradeNo': id }),
      optional<Notification[]>(`/sandbox/notifications?outTradeNo=${encodeURIComponent(id)}`),
      optional<Delivery[]>(`/sandbox/deliveries?outTradeNo=${encodeURIComponent(id)}`),
      merchantOpenids(),
    ]);
  const alerts = [...anomalies, ...deliveriesOfAlerts.filter((d) => !anomalies.some((a) => a._id === d._id))];
  return { order: orders[0], refunds, alerts, notifications, deliveries, merchant: merchants[0]! };
}

/** One refund: its state, number, amount and who asked; the whole document folded. */
function RefundRow({ r }: { r: Doc }) {
  const status = String(r.status);
  return (
    <div class="refund" data-refund={r._id} data-status={status}>
      <p>
        <Status status={status} label={`${REFUND_LABELS[status] ?? status} ${status}`} />{' '}
        <span class="mono small">{r._id}</span> <b>{yuan(r.refundFee)}</b>{' '}
        <span class="muted small">
          {String(r.requestedBy ?? '')} · {String(r.reason ?? '')}
        </span>
      </p>
      <details>
        <summary class="small muted">退款文档 document</summary>
        <KeyValue value={r} />
      </details>
    </div>
  );
}

/** The order's shipment (its `fulfilment`): state, how it was shipped, received by whom. */
function Shipment({ f }: { f: Record<string, unknown> }) {
  const status = String(f.status);
  const upload = f.upload as { status?: string } | undefined;
  return (
    <div data-testid="shipment" data-status={status}>
      <p>
        <Status status={status} label={`${FULFILMENT_LABELS[status] ?? status} ${status}`} />{' '}
        {f.shippedAt ? (
          <span class="muted small">
            发货 shipped {beijing(f.shippedAt)} · {String(f.shippedBy ?? '')}
          </span>
        ) : null}
      </p>
      {f.receivedAt ? (
        <p class="small">
          收货 received {beijing(f.receivedAt)} ·{' '}
          {f.receivedBy === 'wechat' ? '微信确认 in WeChat' : '买家确认 buyer'}
        </p>
      ) : null}
      {upload?.status ? <p class="small muted">微信发货信息 upload: {upload.status}</p> : null}
      <details>
        <summary class="small muted">发货记录 fulfilment</summary>
        <KeyValue value={f} />
      </details>
    </div>
  );
}

export function Timeline({ id }: { id: string }) {
  const { data, error } = useLive(() => load(id), [id]);
  if (!data) return <ErrorLine error={error} />;
  const { order, refunds, alerts, notifications, deliveries, merchant } = data;
  if (!order) return <p class="error">没有这个订单 no order {id}</p>;
  return (
    <div class="timeline">
      <Section title={`订单 ${order._id}`} id="order-head">
        <p>
          <span data-testid="order-status">
            <Status status={order.status} label={statusLabel(order.status)} />
          </span>{' '}
          {refunds.map((r) => (
            <span key={r._id} class="small">
              <Status
                status={String(r.status)}
                label={REFUND_LABELS[String(r.status)] ?? String(r.status)}
              />{' '}
            </span>
          ))}
          {order.fulfilment ? (
            <span class="small">
              <Status
                status={String(order.fulfilment.status)}
                label={FULFILMENT_LABELS[String(order.fulfilment.status)] ?? String(order.fulfilment.status)}
              />{' '}
            </span>
          ) : null}
          <b>{yuan(order.totalFee)}</b> <span class="muted mono small">{order._openid}</span>
        </p>
        <ul class="plain small">
          {(order.lines ?? []).map((l) => (
            <li key={l.productId}>
              {l.name} × {l.quantity} = {yuan(l.lineFee)}
            </li>
          ))}
        </ul>
        {order.status === 'NOTPAY' && (
          <p class="buttons">
            <span class="muted small">作为付款人 as the payer:</span>
            <Action
              label="支付 Pay"
              kind="primary"
              testid="pay-success"
              run={() => sandbox.pay(order._id, 'success')}
            />
            <Action label="支付失败 Fail" run={() => sandbox.pay(order._id, 'fail')} />
            <Action label="放弃 Abandon" run={() => sandbox.pay(order._id, 'abandon')} />
          </p>
        )}
        <OrderActions order={order} merchant={merchant} />
      </Section>
      <Section title="状态变化 Transitions" id="history">
        <ol class="steps" data-testid="history">
          {(order.history ?? []).map((h) => (
            <li key={`${h.at}-${h.to}`} data-to={h.to}>
              <b>
                {h.from ? `${statusLabel(h.from)} → ` : ''}
                {statusLabel(h.to)}
              </b>{' '}
              <span class="muted">
                {ACTOR_LABELS[h.by] ?? h.by} · {beijing(h.at)}
              </span>
              <div class="small">{h.why}</div>
            </li>
          ))}
        </ol>
      </Section>
      <Section title="微信通知 Notifications WeChat sent" id="notifications">
        {notifications === undefined ? (
          <p class="muted">沙箱未运行 sandbox not running</p>
        ) : notifications.length === 0 ? (
          <p class="muted">无 none yet</p>
        ) : (
          notifications.map((n) => (
            <div key={n.id} class="notification" data-state={n.state}>
              <p>
                <b>{n.kind}</b> {n.state} · {n.attempts} 次尝试 attempts{' '}
                {n.faults.length ? `· 故障 ${n.faults.join(',')}` : ''}
                {n.nextAt ? <span class="muted"> · next {beijing(n.nextAt)}</span> : null}
              </p>
              <table class="small">
                <tbody>
                  {(deliveries ?? [])
                    .filter((d) => d.notificationId === n.id)
                    .map((d) => (
                      <tr key={d.seq}>
                        <td>#{d.attempt}</td>
                        <td>{beijing(d.time)}</td>
                        <td class={d.outcome === 'success' ? 'ok' : 'fail'}>{d.outcome}</td>
                        <td>{d.httpStatus ?? ''}</td>
                        <td class="mono">{d.reply ?? d.error ?? ''}</td>
                      </tr>
                    ))}
                </tbody>
              </table>
            </div>
          ))
        )}
      </Section>
      <Section title="统一下单参数 unifiedorder as sent" id="unifiedorder">
        <KeyValue value={order.unifiedOrder} />
      </Section>
      <Section title="退款 Refunds" id="refunds">
        {refunds.length ? refunds.map((r) => <RefundRow key={r._id} r={r} />) : <p class="muted">无 none</p>}
      </Section>
      <Section title="发货 Shipment" id="shipment">
        {order.fulfilment ? <Shipment f={order.fulfilment} /> : <p class="muted">无 none</p>}
      </Section>
      <Section title="提醒 Alerts" id="alerts">
        {alerts.length ? (
          alerts.map((a) => (
            <details key={a._id} class="alert-row" data-alert={a._id}>
              <summary class="small">
                <b>{String(a.channel ?? a.kind ?? 'alert')}</b> {String(a.recipient ?? '')} ·{' '}
                {String(a.status ?? '')}
              </summary>
              <KeyValue value={a} />
            </details>
          ))
        ) : (
          <p class="muted">无 none</p>
        )}
      </Section>
      <details class="card">
        <summary>整个文档 whole document</summary>
        <KeyValue value={order} />
      </details>
    </div>
  );
}
