import { ENV_ID } from './config';

App<IAppOption>({
  globalData: { envId: ENV_ID },
  onLaunch() {
    if (!wx.cloud) {
      console.error('请使用 2.2.3 或以上的基础库以使用云能力');
      return;
    }
    wx.cloud.init({ ...(ENV_ID ? { env: ENV_ID } : {}), traceUser: true });
  },
});
