export * from './common.ts';
export * from './products.ts';
export * from './events.ts';
export * from './registry.ts';
export * from './routes.ts';
export * from './openapi.ts';
