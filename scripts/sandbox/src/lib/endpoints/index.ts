import { closeOrder } from './close-order';
import type { Endpoint } from './endpoint';
import { orderQuery } from './order-query';
import { refund } from './refund';
import { refundQuery } from './refund-query';
import { unifiedOrder } from './unified-order';

export type { ApiRequest, Endpoint } from './endpoint';

/** The five merchant APIs, by path. */
export const ENDPOINTS: ReadonlyMap<string, Endpoint> = new Map(
  [unifiedOrder, orderQuery, closeOrder, refund, refundQuery].map((e) => [e.path, e]),
);
