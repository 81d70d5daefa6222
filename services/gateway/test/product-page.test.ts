import { eventTypes, ProductDetail } from '@globalmart/contracts';
import { createApp, createLogger, finalizeApp, loadConfig, type EventPublisher } from '@globalmart/platform';
import { MemoryInvoker, MemoryPublisher } from '@globalmart/platform/testing';
import type { RequestHandler, Response } from 'express';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import type { GatewayAuth } from '../src/routes/gateway-auth.ts';
import { productsRoutes } from '../src/routes/products.routes.ts';

const logger = createLogger(loadConfig({}, { APP_ID: 'gateway', APP_PORT: '0', LOG_LEVEL: 'silent' }));
const product = {
  id: 'prd_000007',
  name: 'Trail shoe',
  description: 'Light',
  price: 89.9,
  currency: 'USD',
  category: 'running-shoes',
  image_url: 'https://img.example/7.jpg',
  tags: ['trail'],
};
const recs = {
  engine: 'test/1',
  items: [
    { product_id: 'prd_000008', score: 3, reason: 'co-purchase' },
    { product_id: 'prd_000009', score: 1, reason: 'popular' },
  ],
};

/** A signed-in customer when `userId` is given (the real auth middleware is tested in auth.*.test.ts). */
function fakeAuth(userId?: string): GatewayAuth {
  const pass: RequestHandler = (_req, _res, next) => next();
  return {
    authenticate: pass,
    requireCustomer: pass,
    requireAdmin: pass,
    forwardHeaders: (_res: Response): Record<string, string> => (userId ? { 'x-user-id': userId, 'x-user-role': 'customer' } : {}),
  };
}

type Part = 'ok' | 'down' | 'garbage';
function setup(parts: { inventory?: Part; recommendations?: Part } = {}, opts: { userId?: string; publisher?: EventPublisher } = {}) {
  const answer = (part: Part | undefined, body: unknown) =>
    part === 'down' ? { status: 503 } : part === 'garbage' ? { body: { items: 'nope' } } : { body };
  const invoker = new MemoryInvoker()
    .on('catalog', 'products/prd_000007', () => ({ body: product }))
    .on('catalog', 'products/prd_000404', () => ({ status: 404, body: { type: 'about:blank', title: 'Not Found', status: 404 } }))
    .on('inventory', 'stock/prd_000007', () => answer(parts.inventory, { product_id: product.id, stock_qty: 27 }))
    .on('recommendations', 'recommendations', () => answer(parts.recommendations, recs));
  const publisher = opts.publisher ?? new MemoryPublisher();
  const app = createApp({ config: {}, logger });
  app.use(productsRoutes({ invoker, publisher, auth: fakeAuth(opts.userId), logger }));
  finalizeApp(app, logger);
  return { app, invoker, publisher };
}

describe('product page (catalog + stock + recommendations in parallel)', () => {
  it('aggregates the three parts and publishes ProductViewed with the signed-in user', async () => {
    const { app, invoker, publisher } = setup({}, { userId: 'usr_0123456789abcdef01234567' });
    const res = await request(app).get('/api/products/prd_000007');
    expect(res.status).toBe(200);
    const page = ProductDetail.parse(res.body);
    expect(page).toMatchObject({ id: product.id, stock_qty: 27, degraded: [] });
    expect(page.recommendations).toEqual([
      { product_id: 'prd_000008', reason: 'co-purchase' },
      { product_id: 'prd_000009', reason: 'popular' },
    ]);
    const recCall = invoker.calls.find((c) => c.appId === 'recommendations');
    expect(recCall?.request.query).toMatchObject({ product_id: product.id, user_id: 'usr_0123456789abcdef01234567', limit: 6 });
    expect(recCall?.request.timeoutMs).toBe(250);
    const [viewed] = (publisher as MemoryPublisher).ofType(eventTypes.ProductViewed);
    expect(viewed).toMatchObject({ topic: 'catalog', data: { product_id: product.id, user_id: 'usr_0123456789abcdef01234567' } });
    expect(viewed?.id).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('answers without recommendations, flagged, when the engine is down or answers outside the contract', async () => {
    for (const part of ['down', 'garbage'] as const) {
      const res = await request(setup({ recommendations: part }).app).get('/api/products/prd_000007');
      expect(res.status).toBe(200);
      expect(ProductDetail.parse(res.body)).toMatchObject({ stock_qty: 27, recommendations: [], degraded: ['recommendations'] });
    }
  });

  it('answers with product only when stock and recommendations are both down', async () => {
    const res = await request(setup({ inventory: 'down', recommendations: 'down' }).app).get('/api/products/prd_000007');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: product.id, stock_qty: null, recommendations: [], degraded: ['inventory', 'recommendations'] });
  });

  it('still answers when the view cannot be published, and publishes nothing for an unknown product', async () => {
    const failing: EventPublisher = { publish: () => Promise.reject(new Error('broker down')) };
    expect((await request(setup({}, { publisher: failing }).app).get('/api/products/prd_000007')).status).toBe(200);
    const { app, publisher } = setup();
    expect((await request(app).get('/api/products/prd_000404')).status).toBe(404);
    expect((publisher as MemoryPublisher).published).toEqual([]);
  });
});
