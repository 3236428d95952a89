import { describe, expect, it } from 'vitest';
import {
  itemLines,
  MAX_CONTENT_BYTES,
  RECEIPT_COLUMNS,
  receiptAsText,
  renderOrderReceipt,
  renderRefundReceipt,
  textWidth,
  wrap,
} from './receipt';

const AT = Date.UTC(2026, 11, 5, 2, 7);

describe('58 mm receipts', () => {
  it('counts Chinese characters double width and wraps by columns', () => {
    expect(textWidth('拿铁abc')).toBe(7);
    expect(textWidth('（１）')).toBe(6);
    expect(wrap('重乳酪蛋糕重乳酪蛋糕', 14)).toEqual(['重乳酪蛋糕重乳', '酪蛋糕']);
  });

  it('aligns item lines to exactly 32 columns, a long name on its own lines', () => {
    const [line] = itemLines({ name: '拿铁咖啡', unitFee: 1800, quantity: 2, lineFee: 3600 });
    expect(textWidth(line!)).toBe(RECEIPT_COLUMNS);
    expect(line).toBe(`拿铁咖啡${' '.repeat(4)}${' '.repeat(3)}18.00${' '.repeat(4)}2${' '.repeat(2)}36.00`);
    const long = itemLines({
      name: '限定月饼礼盒（双黄莲蓉）超大',
      unitFee: 16800,
      quantity: 10,
      lineFee: 168000,
    });
    expect(long).toHaveLength(3);
    expect(textWidth(long.at(-1)!)).toBe(RECEIPT_COLUMNS);
  });

  it('has shop, order number, time, lines, total, remark and a QR code of the order number', () => {
    const c = renderOrderReceipt({
      shopName: '收银示例咖啡馆',
      title: '新订单已支付',
      outTradeNo: 'SY20261205100700ABC',
      at: AT,
      lines: [{ name: '拿铁咖啡', unitFee: 1800, quantity: 2, lineFee: 3600 }],
      totalFee: 3600,
      remark: '少冰 <CUT> 谢谢',
    });
    expect(c.startsWith('<CB>收银示例咖啡馆</CB><BR>')).toBe(true);
    expect(c).toContain('订单号：SY20261205100700ABC<BR>');
    const longNo = renderOrderReceipt({
      shopName: '店',
      title: 't',
      outTradeNo: 'SY2026120518302644FZCRRKNPFG',
      at: AT,
      lines: [],
      totalFee: 0,
    });
    expect(longNo).toContain('订单号：<BR>SY2026120518302644FZCRRKNPFG<BR>'); // never split mid-number
    expect(c).toContain('时间：2026-12-05 10:07<BR>');
    expect(c).toContain('<B>合计：¥36.00</B><BR>');
    expect(c).toContain('<QR>SY20261205100700ABC</QR>');
    expect(c.match(/<CUT>/g)).toHaveLength(1); // the remark's "<CUT>" cannot cut the paper
    expect(receiptAsText(c)).toContain('备注：少冰 ＜CUT＞ 谢谢');
  });

  it('stays within 5000 bytes however many lines the order has', () => {
    const lines = Array.from({ length: 50 }, (_, i) => ({
      name: `超长的商品名称第${i}号加一些描述文字再加一些描述文字和更多的描述文字`,
      unitFee: 100,
      quantity: 999,
      lineFee: 99900,
    }));
    const c = renderOrderReceipt({
      shopName: '店',
      title: '新订单',
      outTradeNo: 'SY1',
      at: AT,
      lines,
      totalFee: 4995000,
    });
    expect(Buffer.byteLength(c, 'utf8')).toBeLessThanOrEqual(MAX_CONTENT_BYTES);
    expect(c).toMatch(/其余 \d+ 行见订单/);
    expect(c).toContain('<QR>SY1</QR>');
  });

  it('renders refund receipts with the refund amount and reason', () => {
    const c = renderRefundReceipt({
      shopName: '店',
      title: '顾客申请退款',
      outTradeNo: 'SY1',
      outRefundNo: 'RF1',
      at: AT,
      refundFee: 1200,
      totalFee: 4800,
      reason: '烤焦了',
    });
    expect(receiptAsText(c)).toContain('退款单号：RF1\n');
    expect(c).toContain('<B>退款：¥12.00</B>');
    expect(c).toContain('原因：烤焦了');
  });
});
