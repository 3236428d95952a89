import { describe, expect, it } from 'vitest';
import { NOTIFY_SUCCESS_XML, notifyReplyXml } from './notify';
import { parseXml } from './xml';

describe('notification replies (spec §4.4, pitfall 13)', () => {
  it('success is the exact compact XML', () => {
    const exact =
      '<xml><return_code><![CDATA[SUCCESS]]></return_code><return_msg><![CDATA[OK]]></return_msg></xml>';
    expect(NOTIFY_SUCCESS_XML).toBe(exact);
    expect(notifyReplyXml('SUCCESS')).toBe(exact);
  });

  it('failure has the same shape with FAIL and a short reason', () => {
    expect(notifyReplyXml('FAIL', 'signature')).toBe(
      '<xml><return_code><![CDATA[FAIL]]></return_code><return_msg><![CDATA[signature]]></return_msg></xml>',
    );
    expect(notifyReplyXml('FAIL')).toBe(
      '<xml><return_code><![CDATA[FAIL]]></return_code><return_msg><![CDATA[FAIL]]></return_msg></xml>',
    );
  });

  it('a reason containing ]]> or Chinese still parses back exactly', () => {
    const xml = notifyReplyXml('FAIL', '参数格式校验错误]]>');
    expect(parseXml(xml)).toStrictEqual({ return_code: 'FAIL', return_msg: '参数格式校验错误]]>' });
    expect(xml).not.toMatch(/\n/);
  });
});
