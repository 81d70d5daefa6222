import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { createApp, finalizeApp } from '@globalmart/platform';
import { inventoryEventRoutes } from '../src/inventory.events.routes.ts';
import { reservationRoutes } from '../src/reservations.routes.ts';
import { stockRoutes } from '../src/stock.routes.ts';
import { inventoryFixture, logger } from './inventory.fixture.ts';

function app() {
  const f = inventoryFixture();
  const express = createApp({ config: {}, logger });
  express.use(stockRoutes(f.stock, f.events), reservationRoutes(f.reservations), inventoryEventRoutes(f.reservations, logger));
  return { f, http: request(finalizeApp(express, logger)) };
}
const as = (role: 'admin' | 'customer') => ({ 'dapr-caller-app-id': 'gateway', 'x-user-id': 'u1', 'x-user-role': role });
const fields = (body: { errors?: { field: string }[] }) => body.errors?.map((e) => e.field);

describe('inventory HTTP API', () => {
  it('PUT /stock needs an admin; sets the level and publishes StockUpdated', async () => {
    const { f, http } = app();
    expect((await http.put('/stock/prd_000001').send({ stock_qty: 5 })).status).toBe(401);
    expect((await http.put('/stock/prd_000001').set(as('customer')).send({ stock_qty: 5 })).status).toBe(403);
    const res = await http.put('/stock/prd_000001').set(as('admin')).send({ stock_qty: 5 });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ product_id: 'prd_000001', stock_qty: 5, reserved: 0 });
    expect(f.dapr.publisher.ofType('globalmart.inventory.stock-updated.v1')).toMatchObject([
      { topic: 'inventory', id: 'stock:prd_000001:1', data: { product_id: 'prd_000001', stock_qty: 5 } },
    ]);
    const list = await http.get('/stock?ids=prd_000001,prd_000002');
    expect(list.body.data).toEqual([res.body, { product_id: 'prd_000002', stock_qty: 0, reserved: 0 }]);
  });

  it.each([
    ['put', '/stock/prd_000001', { stock_qty: -1 }, 'stock_qty'],
    ['put', '/stock/prd_000001', { stock_qty: 1, extra: 1 }, 'extra'],
    ['put', '/stock/bad', { stock_qty: 1 }, 'product_id'],
    ['post', '/reservations', { order_id: 'o1', items: [] }, 'items'],
    ['post', '/reservations', { order_id: 'o 1', items: [{ product_id: 'prd_000001', quantity: 1 }] }, 'order_id'],
    ['post', '/reservations', { order_id: 'o1', items: [{ product_id: 'prd_000001', quantity: 0 }] }, 'items.0.quantity'],
    [
      'post',
      '/reservations',
      {
        order_id: 'o1',
        items: [
          { product_id: 'prd_000001', quantity: 1 },
          { product_id: 'prd_000001', quantity: 2 },
        ],
      },
      'items.1.product_id',
    ],
    ['post', '/reservations', { order_id: 'o1', items: [{ product_id: 'prd_000001', quantity: 1 }], ttl_seconds: 0 }, 'ttl_seconds'],
  ] as const)('%s %s with bad input → 400 naming %s', async (method, path, body, field) => {
    const { http } = app();
    const res = await http[method](path).set(as('admin')).send(body);
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(fields(res.body)).toContain(field);
  });

  it('GET /stock?ids= names the bad id', async () => {
    const { http } = app();
    const res = await http.get('/stock?ids=prd_000001,nope');
    expect(res.status).toBe(400);
    expect(fields(res.body)).toContain('ids.1');
    expect(fields((await http.get('/stock')).body)).toContain('ids');
  });

  it('answers 201 for a new reservation and 200 for its repeat; commit and release answer their status', async () => {
    const { f, http } = app();
    await f.stock.set('prd_000001', 3);
    const body = { order_id: 'o1', items: [{ product_id: 'prd_000001', quantity: 2 }] };
    expect((await http.post('/reservations').send(body)).status).toBe(201);
    expect((await http.post('/reservations').send(body)).status).toBe(200);
    const short = await http.post('/reservations').send({ ...body, order_id: 'o2' });
    expect(short.status).toBe(409);
    expect(short.body).toMatchObject({ code: 'INVENTORY.INSUFFICIENT_STOCK', product_ids: ['prd_000001'] });
    expect((await http.post('/reservations/o1/commit')).body).toEqual({ status: 'committed' });
    expect((await http.post('/reservations/unknown/release')).body).toEqual({ status: 'released' });
  });

  it('subscribes to OrderCancelled and releases that order; invalid events are dropped', async () => {
    const { f, http } = app();
    const subs = (await http.get('/dapr/subscribe')).body;
    expect(subs).toMatchObject([{ pubsubname: 'pubsub', topic: 'orders', deadLetterTopic: 'orders-dlq' }]);
    expect(subs[0].routes.rules[0]).toEqual({
      match: "event.type == 'globalmart.orders.order-cancelled.v1'",
      path: '/events/order-cancelled',
    });
    await f.stock.set('prd_000001', 3);
    const orderId = `ord_${'a'.repeat(32)}`;
    await f.reservations.reserve({ order_id: orderId, items: [{ product_id: 'prd_000001', quantity: 2 }] });
    const data = { order_id: orderId, customer_id: 'u1', reason: 'declined', occurred_at: f.now().toISOString() };
    const event = { id: 'e1', type: 'globalmart.orders.order-cancelled.v1', data };
    expect((await http.post('/events/order-cancelled').send(event)).body).toEqual({ status: 'SUCCESS' });
    expect((await http.post('/events/order-cancelled').send(event)).body).toEqual({ status: 'SUCCESS' });
    expect((await f.stock.level('prd_000001')).stock_qty).toBe(3);
    expect((await http.post('/events/order-cancelled').send({ ...event, data: { ...data, order_id: 'o1' } })).body).toEqual({
      status: 'DROP',
    });
  });
});
