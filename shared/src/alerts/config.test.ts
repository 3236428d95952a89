import { describe, expect, it } from 'vitest';
import { ConfigError } from '../errors';
import { loadAlertConfig } from './config';

const PRINTER = {
  PRINTER_USER: 'shop@example.com',
  PRINTER_UKEY: 'UKEYsecret123456',
  PRINTER_SN: '960812345',
};
const TEMPLATES = JSON.stringify({
  order: {
    id: 'tmpl-order',
    fields: { thing1: 'title', amount2: 'amount', time3: 'time', phrase5: 'status' },
  },
});

describe('alert configuration', () => {
  it('is empty without variables: no channel gets deliveries', () => {
    const c = loadAlertConfig({});
    expect(c).toMatchObject({
      templates: {},
      page: 'pages/merchant/merchant',
      miniprogramState: 'formal',
      timeoutMs: 3000,
    });
    expect(c.printer).toBeUndefined();
    expect(c.wecom).toBeUndefined();
  });

  it('reads the printer (default Feie URL) and keeps the UKEY and robot key out of JSON', () => {
    const c = loadAlertConfig({
      ...PRINTER,
      ALERT_TEMPLATES: TEMPLATES,
      WECOM_WEBHOOK_URL: 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=robot-secret-key',
    });
    expect(c.printer).toMatchObject({
      url: 'https://api.feieyun.cn/Api/Open/',
      user: PRINTER.PRINTER_USER,
      sn: PRINTER.PRINTER_SN,
      copies: 1,
    });
    expect(c.printer?.ukey).toBe(PRINTER.PRINTER_UKEY);
    expect(c.wecom?.url).toContain('robot-secret-key');
    expect(JSON.stringify(c)).not.toContain('UKEYsecret');
    expect(JSON.stringify(c)).not.toContain('robot-secret-key');
    expect(c.templates.order?.id).toBe('tmpl-order');
  });

  it('refuses a non-Feie printer URL and a non-WeCom webhook unless local gateways are allowed', () => {
    const env = {
      ...PRINTER,
      PRINTER_URL: 'http://127.0.0.1:9/printer/feie/Api/Open/',
      WECOM_WEBHOOK_URL: 'http://127.0.0.1:9/wecom/robot/send?key=k',
    };
    expect(() => loadAlertConfig(env)).toThrow(/PRINTER_URL.*WECOM_WEBHOOK_URL/);
    expect(loadAlertConfig({ ...env, SHOUYIN_ALLOW_LOCAL_GATEWAY: 'true' }).printer?.url).toBe(
      env.PRINTER_URL,
    );
    expect(() => loadAlertConfig({ ...PRINTER, PRINTER_URL: 'https://evil.example.com/Api/Open/' })).toThrow(
      ConfigError,
    );
  });

  it('names every bad variable, never a value', () => {
    try {
      loadAlertConfig({
        PRINTER_USER: 'u',
        PRINTER_UKEY: 'short!',
        ALERT_TEMPLATES: JSON.stringify({
          order: { id: 'x', fields: { amount2: 'title', car_number3: 'title' } },
          coupons: {},
        }),
      });
      expect.unreachable();
    } catch (e) {
      const m = (e as Error).message;
      expect(m).toContain('PRINTER_UKEY');
      expect(m).toContain('PRINTER_SN');
      expect(m).toContain('an amount key takes amount');
      expect(m).toContain('car_number3');
      expect(m).toContain('unknown slot');
      expect(m).not.toContain('short!');
    }
  });
});
