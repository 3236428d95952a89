// Act as WeChat and the customer: the control API as buttons, each showing its effect next to it.

import { useState } from 'preact/hooks';
import {
  callFunction,
  confirmReceiptInWeChat,
  docs,
  type OrderDoc,
  optional,
  reconcileNow,
  sandbox,
} from '../api';
import { beijing, yuan } from '../format';
import { useLive } from '../live';
import { Action, KeyValue, Section } from '../ui';
import { confirmReceiptAsBuyer } from './order-actions';

const CUSTOMERS = ['o-demo-customer-alice', 'o-demo-customer-bob'];
const API_TARGETS = ['*', 'unifiedorder', 'orderquery', 'closeorder', 'refund', 'refundquery'];
const NOTIFY_TARGETS = ['pay-notify', 'refund-notify', 'notify'];
const KINDS: Record<string, string[]> = {
  api: ['SYSTEMERROR', 'BIZERR_NEED_RETRY', 'FREQUENCY_LIMITED', 'hang', 'reset', 'badsign'],
  notify: ['drop', 'delay', 'duplicate', 'reorder'],
};
const MIN = 60_000;

async function load() {
  const [products, orders, refunds, clock, shipped] = await Promise.all([
    docs<{ _id: string; name: string; priceFee: number; onSale: boolean }>('products'),
    docs<OrderDoc>('orders', { status: 'NOTPAY' }),
    optional<Array<Record<string, unknown>>>('/sandbox/refunds'),
    optional<{ now: number; mode: string }>('/sandbox/clock'),
    docs<OrderDoc>('orders', { 'fulfilment.status': 'SHIPPED' }),
  ]);
  return { products, orders, refunds, clock, shipped };
}

function CreateOrder({
  products,
}: {
  products: Array<{ _id: string; name: string; priceFee: number; onSale: boolean }>;
}) {
  const [openid, setOpenid] = useState(CUSTOMERS[0]!);
  const [qty, setQty] = useState<Record<string, number>>({ latte: 1 });
  const [created, setCreated] = useState<string | undefined>(undefined);
  const items = Object.entries(qty)
    .filter(([, q]) => q > 0)
    .map(([productId, quantity]) => ({ productId, quantity }));
  const create = async () => {
    const r = await callFunction(
      'createPayment',
      { action: 'create', requestId: `console-${crypto.randomUUID()}`, items },
      openid,
    );
    const out = (r.result as { ok?: boolean; data?: { outTradeNo?: string } }).data?.outTradeNo;
    setCreated(out);
    return r.result;
  };
  return (
    <Section title="作为顾客下单 Create an order as a customer" id="create">
      <label>
        顾客 openid{' '}
        <input
          list="customers"
          value={openid}
          onInput={(e) => setOpenid((e.target as HTMLInputElement).value)}
          data-testid="customer"
        />
        <datalist id="customers">
          {CUSTOMERS.map((c) => (
            <option key={c} value={c} />
          ))}
        </datalist>
      </label>
      <table class="small">
        <tbody>
          {products.map((p) => (
            <tr key={p._id}>
              <td>
                {p.name} {p.onSale ? '' : <span class="muted">(下架 off sale)</span>}
              </td>
              <td>{yuan(p.priceFee)}</td>
              <td>
                <input
                  type="number"
                  min="0"
                  class="qty"
                  value={qty[p._id] ?? 0}
                  data-testid={`qty-${p._id}`}
                  onInput={(e) => setQty({ ...qty, [p._id]: Number((e.target as HTMLInputElement).value) })}
                />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <p class="buttons">
        <Action label="下单 createPayment create" kind="primary" testid="create-order" run={create} />
      </p>
      {created && (
        <p>
          新订单 new order:{' '}
          <a href={`#/orders/${created}`} class="mono" data-testid="created-order">
            {created}
          </a>
        </p>
      )}
    </Section>
  );
}

function Faults() {
  const [target, setTarget] = useState('pay-notify');
  const [kind, setKind] = useState('drop');
  const [count, setCount] = useState(1);
  const kinds = NOTIFY_TARGETS.includes(target) ? KINDS.notify! : KINDS.api!;
  return (
    <Section title="注入故障 Faults" id="faults">
      <p class="buttons">
        <Action
          label="丢弃下一条支付通知 Drop next pay notification"
          testid="drop-notify"
          run={() => sandbox.injectFault({ target: 'pay-notify', kind: 'drop' })}
        />
        <Action
          label="下一条通知延迟 10 分钟 Delay next by 10 min"
          run={() => sandbox.injectFault({ target: 'notify', kind: 'delay', delayMs: 10 * MIN })}
        />
      </p>
      <p class="buttons">
        <select value={target} onChange={(e) => setTarget((e.target as HTMLSelectElement).value)}>
          {[...NOTIFY_TARGETS, ...API_TARGETS].map((t) => (
            <option key={t}>{t}</option>
          ))}
        </select>
        <select
          value={kinds.includes(kind) ? kind : kinds[0]}
          onChange={(e) => setKind((e.target as HTMLSelectElement).value)}
        >
          {kinds.map((k) => (
            <option key={k}>{k}</option>
          ))}
        </select>
        <input
          type="number"
          min="1"
          class="qty"
          value={count}
          onInput={(e) => setCount(Number((e.target as HTMLInputElement).value))}
        />
        <Action
          label="注入 Inject"
          run={() => sandbox.injectFault({ target, kind: kinds.includes(kind) ? kind : kinds[0], count })}
        />
        <Action label="清除全部 Clear all" kind="danger" run={() => sandbox.clearFaults()} />
      </p>
    </Section>
  );
}

function CallAny() {
  const [fn, setFn] = useState('createPayment');
  const [openid, setOpenid] = useState(CUSTOMERS[0]!);
  const [data, setData] = useState('{"action":"list"}');
  return (
    <Section title="调用云函数 Call a function as a user" id="call">
      <p class="small muted">
        例如 e.g. fulfilOrder {'{"action":"status"}'} as o-demo-merchant-owner. 确认收货、发货、退款 Confirm
        receipt, ship and refund have buttons on the order's timeline.
      </p>
      <p class="buttons">
        <input value={fn} onInput={(e) => setFn((e.target as HTMLInputElement).value)} />
        <input value={openid} onInput={(e) => setOpenid((e.target as HTMLInputElement).value)} />
      </p>
      <textarea rows={3} value={data} onInput={(e) => setData((e.target as HTMLTextAreaElement).value)} />
      <p class="buttons">
        <Action
          label="调用 callFunction"
          run={() => callFunction(fn, JSON.parse(data), openid).then((r) => r.result)}
        />
      </p>
    </Section>
  );
}

export function Act() {
  const { data } = useLive(load, []);
  if (!data) return null;
  const { products, orders, refunds, clock, shipped } = data;
  const processing = (refunds ?? []).filter((r) => r.status === 'PROCESSING');
  return (
    <div class="grid">
      <CreateOrder products={products} />
      <Section title="作为付款人 Pay as the payer" id="payer">
        {clock === undefined && <p class="muted">沙箱未运行 sandbox not running</p>}
        {orders.length === 0 && <p class="muted">没有待支付订单 no unpaid orders</p>}
        <ul class="plain">
          {orders.map((o) => (
            <li key={o._id} data-order={o._id}>
              <a href={`#/orders/${o._id}`} class="mono small">
                {o._id}
              </a>{' '}
              {yuan(o.totalFee)}{' '}
              <Action label="支付" kind="primary" run={() => sandbox.pay(o._id, 'success')} />
              <Action label="失败" run={() => sandbox.pay(o._id, 'fail')} />
              <Action label="放弃" run={() => sandbox.pay(o._id, 'abandon')} />
            </li>
          ))}
        </ul>
      </Section>
      <Section title="虚拟时钟与对账 Clock and reconcile" id="clock">
        <p>
          沙箱时间 <b>{clock ? beijing(clock.now) : '—'}</b>
        </p>
        <p class="buttons">
          <Action label="+1 分钟" run={() => sandbox.advance(MIN)} />
          <Action label="+15 分钟" testid="advance-15m" run={() => sandbox.advance(15 * MIN)} />
          <Action label="+1 小时" run={() => sandbox.advance(60 * MIN)} />
          <Action label="+1 天" run={() => sandbox.advance(24 * 60 * MIN)} />
        </p>
        <p class="buttons">
          <Action
            label="立即对账 Run reconcile now"
            kind="primary"
            testid="reconcile"
            run={() => reconcileNow().then((r) => r.invocation.answer ?? r.invocation.error)}
          />
        </p>
      </Section>
      <Faults />
      <Section title="退款结算 Settle refunds" id="refund-settle">
        {processing.length === 0 ? (
          <p class="muted">没有处理中的退款 no refund PROCESSING</p>
        ) : (
          processing.map((r) => (
            <div key={String(r.outRefundNo)} data-refund={String(r.outRefundNo)}>
              <KeyValue
                value={{ outRefundNo: r.outRefundNo, outTradeNo: r.outTradeNo, refundFee: r.refundFee }}
              />
              <p class="buttons">
                <Action
                  label="SUCCESS"
                  kind="primary"
                  run={() => sandbox.settle(String(r.outRefundNo), 'SUCCESS', r.mchId as string | undefined)}
                />
                <Action
                  label="CHANGE"
                  run={() => sandbox.settle(String(r.outRefundNo), 'CHANGE', r.mchId as string | undefined)}
                />
                <Action
                  label="REFUNDCLOSE"
                  run={() =>
                    sandbox.settle(String(r.outRefundNo), 'REFUNDCLOSE', r.mchId as string | undefined)
                  }
                />
              </p>
            </div>
          ))
        )}
      </Section>
      <Section title="作为买家确认收货 Confirm receipt as the buyer" id="receipt">
        {shipped.length === 0 && <p class="muted">没有已发货的订单 no order shipped</p>}
        <ul class="plain">
          {shipped.map((o) => (
            <li key={o._id} data-order={o._id}>
              <a href={`#/orders/${o._id}`} class="mono small">
                {o._id}
              </a>{' '}
              <span class="muted small">{o._openid}</span>{' '}
              <Action label="确认收货" kind="primary" run={() => confirmReceiptAsBuyer(o)} />
              <Action label="在微信中确认" run={() => confirmReceiptInWeChat(o._id)} />
            </li>
          ))}
        </ul>
      </Section>
      <CallAny />
    </div>
  );
}
