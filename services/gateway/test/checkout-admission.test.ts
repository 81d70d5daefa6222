import { createApp, createLogger, finalizeApp, loadConfig } from '@globalmart/platform';
import { MemoryInvoker } from '@globalmart/platform/testing';
import type { RequestHandler } from 'express';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import type { GatewayAuth } from '../src/routes/gateway-auth.ts';
import { PolicyLimiter } from '../src/edge/rate-limits.ts';
import { ordersRoutes, type CheckoutAdmission } from '../src/routes/orders.routes.ts';

const logger = createLogger(loadConfig({}, { APP_ID: 'gateway', APP_PORT: '0', LOG_LEVEL: 'silent' }));
const pass: RequestHandler = (_req, _res, next) => next();
const auth: GatewayAuth = {
  authenticate: pass,
  requireCustomer: pass,
  requireAdmin: pass,
  forwardHeaders: () => ({ 'x-user-id': 'usr_0123456789abcdef01234567', 'x-user-role': 'customer' }),
};
const body = {
  payment_method: 'tok_visa',
  shipping_address: { name: 'A Shopper', line1: '1 Main Street', city: 'Springfield', postal_code: '12345', country: 'US' },
};
const checkout = (app: Parameters<typeof request>[0], key: string) =>
  request(app).post('/api/orders').set('idempotency-key', key).send(body);

/** An orders fake whose acceptances wait until released: what a busy orders service looks like from the gateway. */
function setup(
  answer: () => { status?: number; body: unknown } = () => ({ status: 201, body: { order_id: 'ord_1', status: 'PENDING' } }),
  admission: Partial<CheckoutAdmission> = {},
) {
  const waiting: (() => void)[] = [];
  const invoker = new MemoryInvoker().on(
    'orders',
    'orders',
    () =>
      new Promise((resolve) => {
        waiting.push(() => resolve(answer()));
      }),
    'POST',
  );
  const app = createApp({ config: {}, logger });
  app.use(ordersRoutes(invoker, auth, { maxInFlight: 2, acceptTimeoutMs: 2_000, ...admission }));
  finalizeApp(app, logger);
  return { app, invoker, waiting };
}

async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((r) => setImmediate(r));
}

describe('checkout admission at the gateway', () => {
  it('sheds the checkout beyond the in-flight bound with 503 CHECKOUT.BUSY and Retry-After, without calling orders', async () => {
    const { app, invoker, waiting } = setup();
    const first = checkout(app, 'attempt-0001').then((r) => r);
    const second = checkout(app, 'attempt-0002').then((r) => r);
    await until(() => waiting.length === 2);
    const shed = await checkout(app, 'attempt-0003');
    expect(shed.status).toBe(503);
    expect(shed.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(shed.headers['retry-after']).toBe('1');
    expect(shed.body).toMatchObject({ code: 'CHECKOUT.BUSY', status: 503 });
    expect(invoker.calls).toHaveLength(2);
    for (const release of waiting) release();
    expect((await first).status).toBe(201);
    expect((await second).status).toBe(201);
    // The bound frees as acceptances finish.
    const later = checkout(app, 'attempt-0004').then((r) => r);
    await until(() => waiting.length === 3);
    waiting[2]!();
    expect((await later).status).toBe(201);
  });

  it('turns a shed or broken answer from orders into 503 CHECKOUT.BUSY (retry with the same key), not a 502', async () => {
    for (const status of [500, 502, 503, 504]) {
      const { app, waiting } = setup(() => ({ status, body: { type: 'about:blank', title: 'x', status, code: 'ORDER.BUSY' } }));
      const pending = checkout(app, `attempt-${status}-x`).then((r) => r);
      await until(() => waiting.length === 1);
      waiting[0]!();
      const res = await pending;
      expect(res.status).toBe(503);
      expect(res.headers['retry-after']).toBe('1');
      expect(res.body.code).toBe('CHECKOUT.BUSY');
    }
  });

  it('passes a business refusal through unchanged and checks the request before admission', async () => {
    const { app, waiting, invoker } = setup(() => ({
      status: 409,
      body: { type: 'about:blank', title: 'Conflict', status: 409, code: 'CART.EMPTY' },
    }));
    const pending = checkout(app, 'attempt-409-x').then((r) => r);
    await until(() => waiting.length === 1);
    waiting[0]!();
    expect((await pending).status).toBe(409);
    const bad = await request(app).post('/api/orders').send(body);
    expect(bad.status).toBe(400);
    expect(bad.body.errors).toEqual([expect.objectContaining({ field: 'idempotency-key' })]);
    expect(invoker.calls).toHaveLength(1);
  });

  it('admits at most CHECKOUT_MAX_RATE checkouts per second; the next is shed at once with 503 CHECKOUT.BUSY', async () => {
    const rate = new PolicyLimiter({ name: 'checkout', points: 2, windowSeconds: 1 });
    const { app, invoker, waiting } = setup(() => ({ status: 201, body: { order_id: 'ord_1', status: 'PENDING' } }), { rate });
    const answers = [checkout(app, 'rate-0001').then((r) => r), checkout(app, 'rate-0002').then((r) => r)];
    await until(() => invoker.calls.length === 2);
    const shed = await checkout(app, 'rate-0003');
    expect(shed.status).toBe(503);
    expect(shed.headers['retry-after']).toBe('1');
    expect(shed.body).toMatchObject({ code: 'CHECKOUT.BUSY' });
    expect(invoker.calls).toHaveLength(2); // orders never saw the shed one
    for (const release of waiting) release();
    expect((await Promise.all(answers)).map((r) => r.status)).toEqual([201, 201]);
  });
});
