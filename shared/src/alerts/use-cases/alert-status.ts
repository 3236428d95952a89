/**
 * `status` (merchant only): for the calling merchant — estimated grants per template and whether a
 * re-subscribe is needed (a 43101 was answered since the last accept), pending and failed alerts, the last
 * delivery, recent failures with their reasons, the printer's last job.
 */
import { requireMerchant } from '../../orders/merchants';
import type { AlertDeps } from '../deps';
import type { MerchantAlertFields } from '../records';
import { countDeliveries, findDeliveries } from '../store';
import { TEMPLATE_SLOTS, type TemplateSlot } from '../table';

export interface AlertStatus {
  openid: string;
  /** The caller is in some merchant document's alertOpenids. */
  receivesAlerts: boolean;
  templates: Array<{ slot: TemplateSlot; templateId: string; estimatedGrants: number; exhausted: boolean }>;
  resubscribe: boolean;
  pending: number;
  failed: number;
  lastDeliveryAt: number | null;
  recentFailures: Array<{ id: string; kind: string; channel: string; reason: string; at: number }>;
  printer: { configured: boolean; id?: string; lastJob?: { status: string; jobId?: string; at: number } };
  robot: { configured: boolean };
}

const ACTIVE = ['PENDING', 'SENDING', 'CONFIRMING', 'CHECKING'];

export async function alertStatus(deps: AlertDeps, openid: string): Promise<AlertStatus> {
  const { db } = deps;
  const _ = db.command;
  const merchant = (await requireMerchant(db, openid)) as Awaited<ReturnType<typeof requireMerchant>> &
    MerchantAlertFields;
  const ledger = merchant.alertLedger?.[openid];
  const templates = TEMPLATE_SLOTS.flatMap((slot) => {
    const t = deps.settings.templates[slot];
    if (!t) return [];
    const g = ledger?.templates?.[t.id];
    return [
      {
        slot,
        templateId: t.id,
        estimatedGrants: Math.max(0, g?.grants ?? 0),
        exhausted: g?.exhausted ?? false,
      },
    ];
  });
  const [pending, failed, recent, lastPrint, lastSent] = await Promise.all([
    countDeliveries(db, { status: _.in(ACTIVE) }),
    countDeliveries(db, { status: 'FAILED' }),
    findDeliveries(db, { status: 'FAILED' }, 5),
    deps.printer ? findDeliveries(db, { channel: 'printer' }, 1) : Promise.resolve([]),
    findDeliveries(db, { status: 'SENT' }, 1),
  ]);
  const print = lastPrint[0];
  return {
    openid,
    receivesAlerts: (merchant.alertOpenids ?? []).includes(openid),
    templates,
    resubscribe: templates.some((t) => t.exhausted),
    pending,
    failed,
    lastDeliveryAt: lastSent[0]?.deliveredAt ?? null,
    recentFailures: recent.map((d) => ({
      id: d._id,
      kind: d.kind,
      channel: d.channel,
      reason: d.failReason ?? '',
      at: d.attempts.at(-1)?.at ?? d.createdAt,
    })),
    printer: {
      configured: deps.printer !== undefined,
      ...(deps.printer ? { id: deps.printer.id } : {}),
      ...(print
        ? {
            lastJob: {
              status: print.status,
              jobId: print.printJobId,
              at: print.attempts.at(-1)?.at ?? print.createdAt,
            },
          }
        : {}),
    },
    robot: { configured: deps.robot !== undefined },
  };
}
