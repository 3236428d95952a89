import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { AlertStandIns, alertEnv, generateAlertAccounts, PRINTER_PATH, ROBOT_PATH } from './stand-ins';

const NOW = Date.UTC(2026, 11, 5, 2, 0, 0);
const q = new URLSearchParams();

function printForm(s: AlertStandIns, over: Record<string, string> = {}): Buffer {
  const { user, ukey, sn } = s.accounts.printer;
  const stime = String(NOW / 1000);
  const sig = createHash('sha1')
    .update(user + ukey + stime)
    .digest('hex');
  return Buffer.from(
    new URLSearchParams({
      user,
      stime,
      sig,
      apiname: 'Open_printMsg',
      sn,
      content: '<CB>店</CB><BR><QR>SY1</QR><CUT>',
      times: '1',
      ...over,
    }).toString(),
  );
}

describe('alert channel stand-ins', () => {
  it('serve the Feie path, list jobs rendered as text, and take faults', () => {
    const s = new AlertStandIns(generateAlertAccounts(), () => NOW);
    const ok = s.handle('POST', PRINTER_PATH, q, printForm(s));
    expect(ok?.body).toMatchObject({ ret: 0, msg: 'ok', data: expect.stringMatching(/^\d+_\d{14}_\d+$/) });
    expect(s.handle('GET', '/printer/feie/jobs', q, Buffer.alloc(0))?.body).toMatchObject({
      jobs: [{ text: expect.stringContaining('[QR: SY1]'), printed: true }],
    });
    expect(s.handle('POST', '/printer/feie/faults', q, Buffer.from('{"mode":"melt"}'))?.status).toBe(400);
    expect(
      s.handle('POST', '/printer/feie/faults', q, Buffer.from('{"mode":"error","count":2}'))?.status,
    ).toBe(200);
    for (let i = 0; i < 2; i++)
      expect(s.handle('POST', PRINTER_PATH, q, printForm(s))?.body).toMatchObject({ ret: -1 });
    expect(s.handle('POST', PRINTER_PATH, q, printForm(s))?.body).toMatchObject({ ret: 0 });
    expect(s.handle('POST', PRINTER_PATH, q, printForm(s, { sig: 'f'.repeat(40) }))?.body).toMatchObject({
      ret: -2,
      data: null,
    });
    expect(s.handle('GET', '/elsewhere', q, Buffer.alloc(0))).toBeUndefined();
  });

  it('serve the WeCom robot: the right key only, posts recorded, faults', () => {
    const s = new AlertStandIns(generateAlertAccounts(), () => NOW);
    const key = new URLSearchParams({ key: s.accounts.robotKey });
    const msg = Buffer.from(JSON.stringify({ msgtype: 'markdown', markdown: { content: '**新订单**' } }));
    expect(s.handle('POST', ROBOT_PATH, new URLSearchParams({ key: 'wrong' }), msg)?.body).toEqual({
      errcode: 93000,
      errmsg: 'invalid webhook url',
    });
    expect(s.handle('POST', ROBOT_PATH, key, Buffer.from('{"msgtype":"image"}'))?.body).toMatchObject({
      errcode: 40008,
    });
    expect(s.handle('POST', ROBOT_PATH, key, msg)?.body).toEqual({ errcode: 0, errmsg: 'ok' });
    s.handle('POST', '/wecom/robot/faults', q, Buffer.from('{"mode":"error"}'));
    expect(s.handle('POST', ROBOT_PATH, key, msg)?.body).toMatchObject({ errcode: 45009 });
    s.handle('POST', '/wecom/robot/faults', q, Buffer.from('{"mode":"timeout","delayMs":10}'));
    expect(s.handle('POST', ROBOT_PATH, key, msg)).toMatchObject({ delayMs: 10, body: { errcode: 0 } });
    expect(s.handle('GET', '/wecom/robot/posts', q, Buffer.alloc(0))?.body).toMatchObject({
      posts: [{ msgtype: 'markdown' }, { msgtype: 'markdown', fault: 'timeout' }],
    });
  });

  it('wire orderAlert to the stand-ins through the variables alerts/config.ts reads', () => {
    const a = generateAlertAccounts();
    const env = alertEnv(a, 'http://127.0.0.1:9');
    expect(env).toEqual({
      PRINTER_URL: `http://127.0.0.1:9${PRINTER_PATH}`,
      PRINTER_USER: a.printer.user,
      PRINTER_UKEY: a.printer.ukey,
      PRINTER_SN: a.printer.sn,
      WECOM_WEBHOOK_URL: `http://127.0.0.1:9${ROBOT_PATH}?key=${a.robotKey}`,
    });
    expect(generateAlertAccounts().printer.ukey).not.toBe(a.printer.ukey); // generated per start, never committed
  });
});
