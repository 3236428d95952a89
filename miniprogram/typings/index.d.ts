/// <reference types="miniprogram-api-typings" />

/** The app instance (getApp<IAppOption>()), as in WeChat's TypeScript template. */
interface IAppOption {
  globalData: {
    /** The CloudBase environment the app calls (miniprogram/config.ts). */
    envId: string;
  };
}
