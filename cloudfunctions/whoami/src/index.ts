/**
 * whoami (callFunction from the mini-program): `get` answers the caller's OPENID from the call context and
 * the merchant account it acts for, so the "Me" page can show the openid a shop owner registers with the
 * admin script, and the app knows whether to offer the merchant console. Reads nothing from the request.
 */
import { answer, callerOpenid, createLogger, routeActions, whoAmI } from '@shouyin/shared';
import * as cloud from 'wx-server-sdk';

cloud.init({ env: cloud.DYNAMIC_CURRENT_ENV });
const log = createLogger({ fn: 'whoami' });
const db = cloud.database();

const actions = routeActions({
  get: (_e, openid: string) => whoAmI(db, openid),
});

export const main = answer((event) => actions(event, callerOpenid(cloud.getWXContext())), log);
