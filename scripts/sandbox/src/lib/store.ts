/**
 * The sandbox's state: orders, refunds, notifications, the delivery log and merchant balances, kept in
 * memory and (unless persistence is off) written to `<stateDir>/state.json` — atomically (temp file +
 * rename), at most once per event-loop turn, and at once on `flush()` (stop).
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { ClockSnapshot } from './clock';
import type { Balances, DeliveryRecord, NotificationRecord, OrderRecord, RefundRecord } from './types';

const VERSION = 1;
/** The delivery log keeps the newest entries only. */
export const MAX_DELIVERIES = 10_000;

interface StateFile {
  version: number;
  clock?: ClockSnapshot;
  deliverySeq: number;
  notificationSeq: number;
  balances: Record<string, Balances>;
  orders: OrderRecord[];
  refunds: RefundRecord[];
  notifications: NotificationRecord[];
  deliveries: DeliveryRecord[];
}

const key = (mchId: string, no: string) => `${mchId}/${no}`;

export class Store {
  readonly orders = new Map<string, OrderRecord>();
  readonly refunds = new Map<string, RefundRecord>();
  readonly notifications = new Map<string, NotificationRecord>();
  deliveries: DeliveryRecord[] = [];
  balances: Record<string, Balances> = {};
  savedClock: ClockSnapshot | undefined;
  private deliverySeq = 0;
  private notificationSeq = 0;
  private readonly file: string | undefined;
  private pending: NodeJS.Immediate | undefined;
  private closed = false;
  clockSnapshot: () => ClockSnapshot | undefined = () => undefined;

  constructor(stateDir: string, persist: boolean) {
    this.file = persist ? path.join(stateDir, 'state.json') : undefined;
    if (this.file && existsSync(this.file)) this.load(this.file);
  }

  private load(file: string): void {
    const s = JSON.parse(readFileSync(file, 'utf8')) as StateFile;
    if (s.version !== VERSION)
      throw new Error(`${file}: unsupported state version ${s.version} (start with --clean)`);
    for (const o of s.orders) this.orders.set(key(o.mchId, o.outTradeNo), o);
    for (const r of s.refunds) this.refunds.set(key(r.mchId, r.outRefundNo), r);
    for (const n of s.notifications) this.notifications.set(n.id, n);
    this.deliveries = s.deliveries;
    this.balances = s.balances;
    this.deliverySeq = s.deliverySeq;
    this.notificationSeq = s.notificationSeq;
    this.savedClock = s.clock;
  }

  /** Marks the state changed; it is written at the end of the current event-loop turn. */
  touch(): void {
    if (!this.file || this.pending || this.closed) return;
    this.pending = setImmediate(() => {
      this.pending = undefined;
      this.write();
    });
  }

  flush(): void {
    if (this.pending) clearImmediate(this.pending);
    this.pending = undefined;
    this.write();
  }

  /** Final write (stop): later changes are not saved, so a restarted sandbox owns the file alone. */
  close(): void {
    if (this.closed) return;
    this.flush();
    this.closed = true;
  }

  private write(): void {
    if (!this.file) return;
    const s: StateFile = {
      version: VERSION,
      clock: this.clockSnapshot(),
      deliverySeq: this.deliverySeq,
      notificationSeq: this.notificationSeq,
      balances: this.balances,
      orders: [...this.orders.values()],
      refunds: [...this.refunds.values()],
      notifications: [...this.notifications.values()],
      deliveries: this.deliveries,
    };
    const tmp = `${this.file}.tmp`;
    writeFileSync(tmp, JSON.stringify(s), { mode: 0o600 });
    renameSync(tmp, this.file);
  }

  /** Forgets orders, refunds, notifications and deliveries; balances go back to the given values. */
  reset(balances: Record<string, Balances>): void {
    this.orders.clear();
    this.refunds.clear();
    this.notifications.clear();
    this.deliveries = [];
    this.balances = balances;
    this.touch();
  }

  balance(mchId: string, initial: Balances): Balances {
    let b = this.balances[mchId];
    if (!b) {
      b = { ...initial };
      this.balances[mchId] = b;
      this.touch();
    }
    return b;
  }

  // --- orders ---
  order(mchId: string, outTradeNo: string): OrderRecord | undefined {
    return this.orders.get(key(mchId, outTradeNo));
  }
  putOrder(o: OrderRecord): void {
    this.orders.set(key(o.mchId, o.outTradeNo), o);
    this.touch();
  }
  orderByTransactionId(mchId: string, transactionId: string): OrderRecord | undefined {
    for (const o of this.orders.values())
      if (o.mchId === mchId && o.transactionId === transactionId) return o;
    return undefined;
  }
  orderByPrepayId(prepayId: string): OrderRecord | undefined {
    for (const o of this.orders.values()) if (o.prepayIds.includes(prepayId)) return o;
    return undefined;
  }

  // --- refunds ---
  refund(mchId: string, outRefundNo: string): RefundRecord | undefined {
    return this.refunds.get(key(mchId, outRefundNo));
  }
  putRefund(r: RefundRecord): void {
    this.refunds.set(key(r.mchId, r.outRefundNo), r);
    this.touch();
  }
  refundById(mchId: string, refundId: string): RefundRecord | undefined {
    for (const r of this.refunds.values()) if (r.mchId === mchId && r.refundId === refundId) return r;
    return undefined;
  }
  /** Refunds of one order, oldest first. */
  refundsOf(mchId: string, outTradeNo: string): RefundRecord[] {
    return [...this.refunds.values()]
      .filter((r) => r.mchId === mchId && r.outTradeNo === outTradeNo)
      .sort((a, b) => a.createdAt - b.createdAt); // stable: creation order within the same instant
  }

  // --- notifications and deliveries ---
  newNotificationId(): string {
    this.notificationSeq += 1;
    return `n${this.notificationSeq}`;
  }
  putNotification(n: NotificationRecord): void {
    this.notifications.set(n.id, n);
    this.touch();
  }
  addDelivery(d: Omit<DeliveryRecord, 'seq'>): DeliveryRecord {
    this.deliverySeq += 1;
    const rec = { seq: this.deliverySeq, ...d };
    this.deliveries.push(rec);
    if (this.deliveries.length > MAX_DELIVERIES)
      this.deliveries.splice(0, this.deliveries.length - MAX_DELIVERIES);
    this.touch();
    return rec;
  }
}
