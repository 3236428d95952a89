/**
 * The Feie adapter against the emulator's Feie stand-in (its request handler, without sockets): the form,
 * the signature in Unix seconds, the answers; and the stand-in refusing what Feie refuses.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { FeiePrinterStandIn } from '../../../scripts/emulator/src/lib/alerts/feie-printer';
import { feieForm, feiePrinter, feieSignature } from './feie';
import { AlertTransportError, type HttpPost } from './transport';

const ACCOUNT = { user: 'shop@example.com', ukey: 'UKEYsecret123456', sn: '960812345' };
const NOW = Date.UTC(2026, 11, 5, 2, 0, 0);

function wired(standIn: FeiePrinterStandIn): { post: HttpPost; sent: string[] } {
  const sent: string[] = [];
  return {
    sent,
    post: async (req) => {
      sent.push(req.body);
      const r = standIn.handle(new URLSearchParams(req.body));
      if (r.delayMs && r.delayMs > req.timeoutMs) throw new AlertTransportError('timeout', 'no answer');
      return { status: r.status, text: JSON.stringify(r.body) };
    },
  };
}

describe('Feie open API', () => {
  it('signs sha1(user + UKEY + stime) in lower-case hex with stime in seconds', () => {
    const form = new URLSearchParams(feieForm(ACCOUNT, 'Open_printMsg', { sn: ACCOUNT.sn }, NOW + 999));
    expect(form.get('stime')).toBe(String(NOW / 1000));
    expect(form.get('sig')).toBe(
      createHash('sha1')
        .update(`${ACCOUNT.user}${ACCOUNT.ukey}${NOW / 1000}`)
        .digest('hex'),
    );
    expect(form.get('sig')).toMatch(/^[0-9a-f]{40}$/);
    expect(form.toString()).not.toContain(ACCOUNT.ukey);
  });

  it('prints, stores the job id, and asks whether it printed', async () => {
    const standIn = new FeiePrinterStandIn(ACCOUNT, () => NOW);
    const { post } = wired(standIn);
    const printer = feiePrinter(
      { url: 'x', ...ACCOUNT, copies: 1, timeoutMs: 1000 },
      { post, now: () => NOW },
    );
    const r = await printer.print('<CB>店</CB><BR>拿铁<CUT>');
    expect(r.kind).toBe('accepted');
    const jobId = (r as { jobId: string }).jobId;
    expect(standIn.listJobs()).toMatchObject([
      { id: jobId, sn: ACCOUNT.sn, text: expect.stringContaining('拿铁') },
    ]);
    expect(await printer.queryJob(jobId)).toEqual({ kind: 'printed' });
    standIn.addFault({ mode: 'never-print' });
    const r2 = await printer.print('x');
    expect(await printer.queryJob((r2 as { jobId: string }).jobId)).toEqual({ kind: 'not-printed' });
  });

  it('reads faults as the policy needs them: error ret = refused (retryable), timeout = unknown', async () => {
    const standIn = new FeiePrinterStandIn(ACCOUNT, () => NOW);
    const printer = feiePrinter(
      { url: 'x', ...ACCOUNT, copies: 1, timeoutMs: 1000 },
      { post: wired(standIn).post, now: () => NOW },
    );
    standIn.addFault({ mode: 'error' });
    expect(await printer.print('x')).toMatchObject({ kind: 'refused', retryable: true, errCode: -1 });
    expect(standIn.listJobs()).toHaveLength(0);
    standIn.addFault({ mode: 'timeout', delayMs: 5000 });
    expect(await printer.print('x')).toMatchObject({ kind: 'timeout' });
    expect(standIn.listJobs()).toHaveLength(1); // it did print: which is why it is never blindly resent
  });

  it('the stand-in refuses a forged signature, a stale stime, a millisecond stime, a foreign SN', () => {
    const standIn = new FeiePrinterStandIn(ACCOUNT, () => NOW);
    const ret = (body: string) => (standIn.handle(new URLSearchParams(body)).body as { ret: number }).ret;
    const ok = feieForm(ACCOUNT, 'Open_printMsg', { sn: ACCOUNT.sn, content: 'x', times: '1' }, NOW);
    expect(ret(ok)).toBe(0);
    expect(
      ret(
        feieForm(
          { ...ACCOUNT, ukey: 'forgedUKEY000000' },
          'Open_printMsg',
          { sn: ACCOUNT.sn, content: 'x', times: '1' },
          NOW,
        ),
      ),
    ).not.toBe(0);
    expect(
      ret(feieForm(ACCOUNT, 'Open_printMsg', { sn: ACCOUNT.sn, content: 'x', times: '1' }, NOW - 120_000)),
    ).not.toBe(0);
    const ms = String(NOW);
    const msForm = new URLSearchParams({
      user: ACCOUNT.user,
      stime: ms,
      sig: feieSignature(ACCOUNT.user, ACCOUNT.ukey, ms),
      apiname: 'Open_printMsg',
      sn: ACCOUNT.sn,
      content: 'x',
      times: '1',
    });
    expect(ret(msForm.toString())).not.toBe(0);
    expect(
      ret(feieForm(ACCOUNT, 'Open_printMsg', { sn: '111111111', content: 'x', times: '1' }, NOW)),
    ).not.toBe(0);
    expect(
      ret(
        feieForm(ACCOUNT, 'Open_printMsg', { sn: ACCOUNT.sn, content: '字'.repeat(1700), times: '1' }, NOW),
      ),
    ).not.toBe(0);
    expect(standIn.listJobs()).toHaveLength(1);
  });
});
