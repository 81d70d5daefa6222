import { createApp, createLogger, finalizeApp, loadConfig } from '@globalmart/platform';
import { MemoryInvoker } from '@globalmart/platform/testing';
import type { RequestHandler } from 'express';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { cartRoutes } from '../src/routes/cart.routes.ts';
import type { GatewayAuth } from '../src/routes/gateway-auth.ts';

const logger = createLogger(loadConfig({}, { APP_ID: 'gateway', APP_PORT: '0', LOG_LEVEL: 'silent' }));
const CUSTOMER = { 'x-user-id': 'usr_0123456789abcdef01234567', 'x-user-role': 'customer' };
const cartPath = `carts/${CUSTOMER['x-user-id']}`;

function setup() {
  const pass: RequestHandler = (_req, _res, next) => next();
  const auth: GatewayAuth = { authenticate: pass, requireCustomer: pass, requireAdmin: pass, forwardHeaders: () => ({ ...CUSTOMER }) };
  const cart = { body: { user_id: CUSTOMER['x-user-id'], items: [], total: 0, currency: 'USD', item_count: 0 } };
  const invoker = new MemoryInvoker()
    .on('cart', cartPath, () => cart)
    .on('cart', `${cartPath}/items`, () => cart, 'POST')
    .on('cart', `${cartPath}/items/prd_000001`, () => cart, 'PATCH')
    .on('cart', `${cartPath}/items/prd_000001`, () => cart, 'DELETE');
  const app = createApp({ config: {}, logger });
  app.use(cartRoutes(invoker, auth));
  finalizeApp(app, logger);
  return { app, invoker };
}
const keyOf = (invoker: MemoryInvoker, i: number) => invoker.calls[i]?.request.headers?.['idempotency-key'];

describe('cart routes: every change travels with an Idempotency-Key', () => {
  it("forwards the client's key, and mints one per request otherwise (the same for each of Dapr's attempts)", async () => {
    const { app, invoker } = setup();
    const add = { product_id: 'prd_000001', quantity: 1 };
    await request(app).post('/api/cart/items').set('idempotency-key', 'client-key-0001').send(add);
    await request(app).post('/api/cart/items').send(add);
    await request(app).post('/api/cart/items').send(add);
    await request(app).patch('/api/cart/items/prd_000001').send({ quantity: 2 });
    await request(app).delete('/api/cart/items/prd_000001');
    await request(app).get('/api/cart');
    expect(invoker.calls.map((c) => c.request.httpMethod ?? 'GET')).toEqual(['POST', 'POST', 'POST', 'PATCH', 'DELETE', 'GET']);
    expect(keyOf(invoker, 0)).toBe('client-key-0001');
    const minted = [1, 2, 3, 4].map((i) => keyOf(invoker, i));
    for (const key of minted) expect(key).toMatch(/^[0-9a-f-]{36}$/);
    expect(new Set(minted).size).toBe(4);
    expect(keyOf(invoker, 5)).toBeUndefined();
    expect(invoker.calls[0]?.request.headers).toMatchObject(CUSTOMER);
  });

  it('refuses a malformed key with 400 naming the header, before calling the cart', async () => {
    const { app, invoker } = setup();
    const res = await request(app).post('/api/cart/items').set('idempotency-key', 'short').send({ product_id: 'prd_000001', quantity: 1 });
    expect(res.status).toBe(400);
    expect(res.body.errors.map((e: { field: string }) => e.field)).toEqual(['idempotency-key']);
    expect(invoker.calls).toHaveLength(0);
  });
});
