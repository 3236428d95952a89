import { createShop, type ShopView } from '../../logic/shop';
import { go, realDatabase, realWx, stopRefresh } from '../../services/wx';

Page({
  data: {} as Partial<ShopView>,
  shop: null as ReturnType<typeof createShop> | null,
  onLoad() {
    this.shop = createShop({ db: realDatabase(), storage: realWx(), render: (p) => this.setData(p) });
    this.setData(this.shop.state.view);
  },
  onShow() {
    void this.shop?.load();
  },
  onPullDownRefresh() {
    void this.shop?.load().finally(stopRefresh);
  },
  onAdd(e: WechatMiniprogram.TouchEvent) {
    this.shop?.change(String(e.currentTarget.dataset.id), 1);
  },
  onRemove(e: WechatMiniprogram.TouchEvent) {
    this.shop?.change(String(e.currentTarget.dataset.id), -1);
  },
  onCheckout() {
    if (this.shop?.canCheckout()) go('navigateTo', '/pages/checkout/checkout');
  },
});
