import { CUSTOMER_TEMPLATE_IDS } from '../../config';
import { cartLines, readCart, writeCart } from '../../logic/cart';
import { type CheckoutView, createCheckout, randomRequestId } from '../../logic/checkout';
import { productsOnSale } from '../../services/catalogue';
import { userMessage } from '../../services/client';
import { go, realApi, realDatabase, realWx } from '../../services/wx';

Page({
  data: { loading: true, error: '' } as Partial<CheckoutView> & { loading: boolean; error: string },
  checkout: null as ReturnType<typeof createCheckout> | null,
  async onLoad() {
    const port = realWx();
    try {
      const lines = cartLines(readCart(port), await productsOnSale(realDatabase()));
      this.checkout = createCheckout({
        api: realApi(),
        wx: port,
        storage: port,
        lines,
        templates: CUSTOMER_TEMPLATE_IDS,
        newRequestId: () => randomRequestId(),
        onPaid: () => writeCart(port, {}),
        render: (p) => this.setData(p),
      });
      this.setData({ ...this.checkout.state.view, loading: false });
    } catch (e) {
      this.setData({ loading: false, error: `结算信息加载失败：${userMessage(e)}` });
    }
  },
  onPay() {
    void this.checkout?.pay();
  },
  onViewOrder() {
    const no = this.data.outTradeNo;
    if (no) go('redirectTo', `/pages/order/order?outTradeNo=${encodeURIComponent(no)}`);
  },
});
