import { createMe, type MeView } from '../../logic/me';
import { copy, go, realApi } from '../../services/wx';

Page({
  data: {} as Partial<MeView>,
  me: null as ReturnType<typeof createMe> | null,
  onLoad() {
    this.me = createMe({ api: realApi(), render: (p) => this.setData(p) });
    this.setData(this.me.state.view);
  },
  onShow() {
    void this.me?.load();
  },
  onCopy() {
    if (this.data.openid) copy(this.data.openid);
  },
  onConsole() {
    go('navigateTo', '/pages/merchant/merchant');
  },
});
