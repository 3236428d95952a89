export * from './answer';
export * from './api';
export * from './config';
export * from './errors';
export * from './log';
export * from './orders';
export * from './refunds';
export * from './wxpay';
