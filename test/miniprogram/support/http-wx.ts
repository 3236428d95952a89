/**
 * `wx` for the end-to-end test: `wx.cloud.callFunction` POSTs to the emulator over HTTP as the mini-program
 * user `openid` (its `/functions/<name>` endpoint answers like callFunction: `{result, errMsg}` or
 * `{errCode, errMsg}`, spec §6.2); `wx.requestPayment` is the sandbox's payer paying the prepay_id;
 * `wx.cloud.database()` is the emulator's client-side database (`POST /client-db/<collection>`) as the
 * same user, under the security rules of cloudbase-db.json (products readable by anyone, nothing else).
 */
import type { DatabasePort } from '../../../miniprogram/services/catalogue';
import type { WxPort } from '../../../miniprogram/services/wx-port';
import type { TestStack } from '../../support/stack';
import { fakeWx } from './fake-wx';

export function httpWx(s: TestStack, openid: string) {
  const base = s.emulator.info.baseUrl;
  const wx = fakeWx();
  const cloud: WxPort['cloud'] = {
    async callFunction({ name, data }) {
      wx.calls.push({ name, data: structuredClone(data) });
      const res = await fetch(`${base}/functions/${encodeURIComponent(name)}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-wx-openid': openid },
        body: JSON.stringify({ data }),
      });
      const reply = (await res.json()) as { result?: unknown; errMsg: string; errCode?: number };
      if (res.status !== 200 || reply.errMsg !== 'cloud.callFunction:ok') throw reply;
      return reply;
    },
  };
  const payments: string[] = [];
  wx.cloud = cloud;
  wx.requestPayment.mockImplementation(async (p) => {
    const prepayId = p.package.replace(/^prepay_id=/, '');
    payments.push(prepayId);
    await s.sandbox.control.pay({ prepayId, mchId: s.merchant.mchId });
    await s.sandbox.control.idle();
    return { errMsg: 'requestPayment:ok' };
  });
  const db: DatabasePort = {
    collection: (name) => ({
      where: (where) => ({
        limit: (limit) => ({
          async get() {
            const res = await fetch(`${base}/client-db/${encodeURIComponent(name)}`, {
              method: 'POST',
              headers: { 'content-type': 'application/json', 'x-wx-openid': openid },
              body: JSON.stringify({ action: 'get', where, limit }),
            });
            const reply = (await res.json()) as { data?: unknown[]; errMsg: string; errCode?: number };
            // A refusal is what the SDK rejects with: {errCode, errMsg} (e.g. -502003 permission denied).
            if (res.status !== 200 || !Array.isArray(reply.data)) throw reply;
            return { data: reply.data };
          },
        }),
      }),
    }),
  };
  return { wx, db, payments };
}
