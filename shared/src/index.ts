export * from './errors';
export * from './wxpay';
