import { CUSTOMER_TEMPLATE_IDS } from '../../config';
import { createOrderDetail, type OrderDetailView } from '../../logic/order-detail';
import { realApi, realWx, stopRefresh } from '../../services/wx';

Page({
  data: {} as Partial<OrderDetailView>,
  detail: null as ReturnType<typeof createOrderDetail> | null,
  onLoad(query: Record<string, string | undefined>) {
    this.detail = createOrderDetail({
      api: realApi(),
      wx: realWx(),
      templates: CUSTOMER_TEMPLATE_IDS,
      outTradeNo: decodeURIComponent(query.outTradeNo ?? ''),
      now: () => Date.now(),
      render: (p) => this.setData(p),
    });
    this.setData(this.detail.state.view);
    void this.detail.load();
  },
  onPullDownRefresh() {
    void this.detail?.load().finally(stopRefresh);
  },
  onPay() {
    void this.detail?.pay();
  },
  onOpenRefund() {
    this.detail?.openRefundForm();
  },
  onCloseRefund() {
    this.detail?.closeRefundForm();
  },
  onRefundAmount(e: WechatMiniprogram.Input) {
    this.detail?.editRefundForm('amountText', e.detail.value);
  },
  onRefundReason(e: WechatMiniprogram.Input) {
    this.detail?.editRefundForm('reason', e.detail.value);
  },
  onSubmitRefund() {
    void this.detail?.submitRefund();
  },
  onCancelRefund(e: WechatMiniprogram.TouchEvent) {
    void this.detail?.cancelRefund(String(e.currentTarget.dataset.id));
  },
  onConfirmReceipt() {
    void this.detail?.confirmReceipt();
  },
});
