/**
 * The one door to the server's types: shared/src/api.ts, read through the declarations `npm run build`
 * writes to shared/dist (type-only: DevTools erases these imports, nothing of shared reaches the app; the
 * declarations, unlike the sources, do not drag Node's types into the mini-program's type check).
 */
export type {
  ApiAnswer,
  CartItemInput,
  CreatePaymentActions,
  ErrorCode,
  OrderRefInput,
  OrderStatus,
  OrderView,
  PaymentStart,
  RequestPaymentParams,
  WhoAmI,
  WhoAmIActions,
} from '../../shared/dist/api';
