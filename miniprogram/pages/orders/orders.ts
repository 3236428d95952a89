import { CUSTOMER_TEMPLATE_IDS } from '../../config';
import { createOrders, type OrdersView } from '../../logic/orders';
import { go, realApi, realWx, stopRefresh } from '../../services/wx';

Page({
  data: {} as Partial<OrdersView>,
  orders: null as ReturnType<typeof createOrders> | null,
  onLoad() {
    this.orders = createOrders({
      api: realApi(),
      wx: realWx(),
      templates: CUSTOMER_TEMPLATE_IDS,
      now: () => Date.now(),
      render: (p) => this.setData(p),
    });
    this.setData(this.orders.state.view);
  },
  onShow() {
    void this.orders?.load();
  },
  onPullDownRefresh() {
    void this.orders?.load().finally(stopRefresh);
  },
  onReachBottom() {
    void this.orders?.loadMore();
  },
  onOpen(e: WechatMiniprogram.TouchEvent) {
    const no = String(e.currentTarget.dataset.no);
    go('navigateTo', `/pages/order/order?outTradeNo=${encodeURIComponent(no)}`);
  },
  onPay(e: WechatMiniprogram.TouchEvent) {
    void this.orders?.pay(String(e.currentTarget.dataset.no));
  },
});
