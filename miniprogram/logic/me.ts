/** Who am I: the openid a shop owner registers with the admin script, and whether the console is mine. */
import type { WhoAmI } from '../services/api-types';
import { type Api, userMessage } from '../services/client';
import { viewState } from './view-state';

export interface MeView {
  loading: boolean;
  error: string;
  openid: string;
  isMerchant: boolean;
  shopName: string;
}

/** The one question every merchant screen asks first (a NOT_MERCHANT answer anywhere means the same). */
export function whoAmI(api: Api): Promise<WhoAmI> {
  return api.call('whoami', 'get', {});
}

export function createMe(deps: { api: Api; render(patch: Partial<MeView>): void }) {
  const state = viewState<MeView>(
    { loading: true, error: '', openid: '', isMerchant: false, shopName: '' },
    deps.render,
  );
  return {
    state,
    async load(): Promise<void> {
      state.set({ loading: true, error: '' });
      try {
        const me = await whoAmI(deps.api);
        state.set({ openid: me.openid, isMerchant: me.merchant !== null, shopName: me.merchant?.name ?? '' });
      } catch (e) {
        state.set({ error: userMessage(e) });
      } finally {
        state.set({ loading: false });
      }
    },
  };
}
