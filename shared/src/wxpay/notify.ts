/**
 * Notification replies (WeChat Pay v2 notes §4.4, pitfall 13): the exact compact XML, nothing else.
 */
import { escapeCdata } from './xml';

export const NOTIFY_SUCCESS_XML =
  '<xml><return_code><![CDATA[SUCCESS]]></return_code><return_msg><![CDATA[OK]]></return_msg></xml>';

export function notifyReplyXml(
  outcome: 'SUCCESS' | 'FAIL',
  message = outcome === 'SUCCESS' ? 'OK' : 'FAIL',
): string {
  if (outcome === 'SUCCESS' && message === 'OK') return NOTIFY_SUCCESS_XML;
  return `<xml><return_code><![CDATA[${outcome}]]></return_code><return_msg><![CDATA[${escapeCdata(message)}]]></return_msg></xml>`;
}
