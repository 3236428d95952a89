import { randomRequestId } from '../../logic/checkout';
import { alertFocus, createMerchantConsole, type MerchantView } from '../../logic/merchant';
import { realApi, realWx, stopRefresh } from '../../services/wx';

type Ctl = ReturnType<typeof createMerchantConsole>;
const id = (e: WechatMiniprogram.TouchEvent) => String(e.currentTarget.dataset.id);

Page({
  data: {} as Partial<MerchantView> & { logisticsNames: string[] },
  ctl: null as Ctl | null,
  /** `outTradeNo`: the order a merchant alert (subscribe message, ALERT_PAGE) opened the console on. */
  onLoad(query: Record<string, string | undefined>) {
    const focus = alertFocus(query);
    this.ctl = createMerchantConsole({
      api: realApi(),
      wx: realWx(),
      now: () => Date.now(),
      newRequestId: () => randomRequestId(),
      ...(focus ? { focus } : {}),
      render: (p) => this.setData(p),
    });
    this.setData({ ...this.ctl.state.view, logisticsNames: ['快递', '同城配送', '虚拟发货', '到店自提'] });
  },
  onShow() {
    void this.ctl?.load();
  },
  onPullDownRefresh() {
    void this.ctl?.load().finally(stopRefresh);
  },
  onApprove(e: WechatMiniprogram.TouchEvent) {
    void this.ctl?.approve(id(e));
  },
  onReject(e: WechatMiniprogram.TouchEvent) {
    const refundId = id(e);
    void wx
      .showModal({ title: '拒绝退款', editable: true, placeholderText: '请填写拒绝原因' })
      .then((r) => (r.confirm ? this.ctl?.reject(refundId, r.content ?? '') : undefined))
      .catch(() => undefined);
  },
  onRetry(e: WechatMiniprogram.TouchEvent) {
    void this.ctl?.retry(id(e), 'unsettled');
  },
  onRetryAvailable(e: WechatMiniprogram.TouchEvent) {
    void this.ctl?.retry(id(e), 'available');
  },
  onOpenStart(e: WechatMiniprogram.TouchEvent) {
    this.ctl?.openStart(String(e.currentTarget.dataset.no ?? ''));
  },
  onStartInput(e: WechatMiniprogram.Input) {
    const field = String(e.currentTarget.dataset.field) as 'outTradeNo' | 'amountText' | 'reason';
    this.ctl?.editStart(field, e.detail.value);
  },
  onCloseStart() {
    this.ctl?.closeStart();
  },
  onSubmitStart() {
    void this.ctl?.submitStart();
  },
  onOpenShip(e: WechatMiniprogram.TouchEvent) {
    this.ctl?.openShip(String(e.currentTarget.dataset.no));
  },
  onCloseShip() {
    this.ctl?.closeShip();
  },
  onLogistics(e: WechatMiniprogram.PickerChange) {
    this.ctl?.pickLogistics(Number(e.detail.value));
  },
  onCompany(e: WechatMiniprogram.PickerChange) {
    this.ctl?.pickCompany(Number(e.detail.value));
  },
  onShipInput(e: WechatMiniprogram.Input) {
    const field = String(e.currentTarget.dataset.field) as 'trackingNo' | 'receiverContact' | 'itemDesc';
    this.ctl?.editShip(field, e.detail.value);
  },
  onScan() {
    void this.ctl?.scanTrackingNo();
  },
  onSubmitShip() {
    void this.ctl?.submitShip();
  },
  onSubscribe() {
    void this.ctl?.subscribeAlerts();
  },
  onReprint(e: WechatMiniprogram.TouchEvent) {
    void this.ctl?.reprint(String(e.currentTarget.dataset.no));
  },
});
