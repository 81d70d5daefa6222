import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { createApp, createLogger, finalizeApp, loadConfig, StateConflictError } from '@globalmart/platform';
import { createMemoryDapr } from '@globalmart/platform/testing';
import { cartEventRoutes } from '../src/cart.events.routes.ts';
import { cartService, cartKey } from '../src/cart.service.ts';
import { cartUpstream } from '../src/cart.upstream.ts';
import { cartRoutes } from '../src/carts.routes.ts';

const logger = createLogger(loadConfig({}, { APP_ID: 'cart', APP_PORT: '0', LOG_LEVEL: 'silent' }));
const catalog: Record<string, { price: number; stock: number }> = {
  prd_000001: { price: 19.99, stock: 10 },
  prd_000002: { price: 5.5, stock: 3 },
  prd_000003: { price: 0.1, stock: 100 },
};

function app() {
  const dapr = createMemoryDapr();
  for (const [id, p] of Object.entries(catalog)) {
    const product = {
      id,
      name: `Product ${id}`,
      description: '',
      price: p.price,
      currency: 'USD',
      category: 'books',
      image_url: 'https://x/y.png',
      tags: [],
    };
    dapr.invoker.on('catalog', `products/${id}`, () => ({ body: product }));
    dapr.invoker.on('inventory', `stock/${id}`, () => ({ body: { product_id: id, stock_qty: p.stock, reserved: 0 } }));
  }
  dapr.invoker.on('catalog', 'products/prd_999999', () => ({ status: 404, body: { status: 404, code: 'CATALOG.PRODUCT_NOT_FOUND' } }));
  dapr.invoker.on('inventory', 'stock/prd_999999', () => ({ body: { product_id: 'prd_999999', stock_qty: 0, reserved: 0 } }));
  const store = dapr.state('statestore');
  const cas = { attempts: 50, busyCode: 'CART.BUSY', sleep: () => new Promise<void>((r) => setImmediate(r)) };
  const carts = cartService({ store, upstream: cartUpstream(dapr.invoker), cas, defaultCurrency: 'USD', ttlSeconds: 3600 });
  const express = createApp({ config: {}, logger });
  express.use(cartRoutes(carts), cartEventRoutes(carts, logger));
  return { dapr, store, carts, http: request(finalizeApp(express, logger)) };
}
const as = (userId: string, role = 'customer') => ({ 'dapr-caller-app-id': 'gateway', 'x-user-id': userId, 'x-user-role': role });

describe('cart API', () => {
  it('adds, patches and deletes lines with prices and names from catalog', async () => {
    const { http } = app();
    const empty = await http.get('/carts/u1').set(as('u1'));
    expect(empty.body).toEqual({ user_id: 'u1', items: [], total: 0, currency: 'USD', item_count: 0 });
    await http.post('/carts/u1/items').set(as('u1')).send({ product_id: 'prd_000001', quantity: 2 });
    const added = await http.post('/carts/u1/items').set(as('u1')).send({ product_id: 'prd_000003', quantity: 3 });
    expect(added.status).toBe(200);
    expect(added.body).toMatchObject({ total: 40.28, item_count: 5, currency: 'USD' });
    expect(added.body.items[0]).toEqual({
      product_id: 'prd_000001',
      name: 'Product prd_000001',
      quantity: 2,
      unit_price: 19.99,
      currency: 'USD',
      line_total: 39.98,
    });
    const patched = await http.patch('/carts/u1/items/prd_000001').set(as('u1')).send({ quantity: 1 });
    expect(patched.body.total).toBe(20.29);
    const zero = await http.patch('/carts/u1/items/prd_000003').set(as('u1')).send({ quantity: 0 });
    expect(zero.body.items.map((l: { product_id: string }) => l.product_id)).toEqual(['prd_000001']);
    const deleted = await http.delete('/carts/u1/items/prd_000001').set(as('u1'));
    expect(deleted.body.items).toEqual([]);
    await http.post('/carts/u1/items').set(as('u1')).send({ product_id: 'prd_000001', quantity: 1 });
    expect((await http.delete('/carts/u1').set(as('u1'))).status).toBe(204);
    expect((await http.get('/carts/u1').set(as('u1'))).body.items).toEqual([]);
  });

  it('answers 404 for an unknown product, 409 with the available units when stock is short, 404 for an absent line', async () => {
    const { http } = app();
    const unknown = await http.post('/carts/u1/items').set(as('u1')).send({ product_id: 'prd_999999', quantity: 1 });
    expect(unknown.status).toBe(404);
    expect(unknown.body.code).toBe('CART.PRODUCT_NOT_FOUND');
    await http.post('/carts/u1/items').set(as('u1')).send({ product_id: 'prd_000002', quantity: 2 });
    const short = await http.post('/carts/u1/items').set(as('u1')).send({ product_id: 'prd_000002', quantity: 2 });
    expect(short.status).toBe(409);
    expect(short.body).toMatchObject({ code: 'CART.INSUFFICIENT_STOCK', available: 3, requested: 4 });
    expect((await http.patch('/carts/u1/items/prd_000001').set(as('u1')).send({ quantity: 1 })).body.code).toBe('CART.LINE_NOT_FOUND');
  });

  it("hides another user's cart (404), lets an admin in, and needs a signed-in caller", async () => {
    const { http } = app();
    await http.post('/carts/u1/items').set(as('u1')).send({ product_id: 'prd_000001', quantity: 1 });
    const other = await http.get('/carts/u1').set(as('u2'));
    expect(other.status).toBe(404);
    expect(other.body.code).toBe('CART.NOT_FOUND');
    expect((await http.post('/carts/u1/items').set(as('u2')).send({ product_id: 'prd_000001', quantity: 1 })).status).toBe(404);
    expect((await http.get('/carts/u1').set(as('admin1', 'admin'))).body.item_count).toBe(1);
    expect((await http.get('/carts/u1')).status).toBe(401);
  });

  it.each([
    [{ product_id: 'nope', quantity: 1 }, 'product_id'],
    [{ product_id: 'prd_000001', quantity: 0 }, 'quantity'],
    [{ product_id: 'prd_000001', quantity: 100 }, 'quantity'],
    [{ product_id: 'prd_000001', quantity: 1.5 }, 'quantity'],
    [{ product_id: 'prd_000001', quantity: 1, price: 1 }, 'price'],
  ])('rejects %j with 400 naming %s', async (body, field) => {
    const { http } = app();
    const res = await http.post('/carts/u1/items').set(as('u1')).send(body);
    expect(res.status).toBe(400);
    expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
  });

  it('keeps both of two concurrent adds of different products (etag conflict, retried)', async () => {
    const { http, store } = app();
    let conflicts = 0;
    const save = store.save.bind(store);
    store.save = async (k, v, o) =>
      save(k, v, o).catch((err: unknown) => {
        if (err instanceof StateConflictError) conflicts++;
        throw err;
      });
    await http.post('/carts/u1/items').set(as('u1')).send({ product_id: 'prd_000003', quantity: 1 });
    await Promise.all([
      http.post('/carts/u1/items').set(as('u1')).send({ product_id: 'prd_000001', quantity: 1 }),
      http.post('/carts/u1/items').set(as('u1')).send({ product_id: 'prd_000002', quantity: 1 }),
      http.post('/carts/u1/items').set(as('u1')).send({ product_id: 'prd_000003', quantity: 1 }),
    ]);
    const cart = (await http.get('/carts/u1').set(as('u1'))).body;
    expect(cart.items.map((l: { product_id: string; quantity: number }) => [l.product_id, l.quantity]).sort()).toEqual([
      ['prd_000001', 1],
      ['prd_000002', 1],
      ['prd_000003', 2],
    ]);
    expect(conflicts).toBeGreaterThan(0);
  });

  it('takes the ordered units out on OrderPlaced, once; other users and invalid events are left alone', async () => {
    const { http, store } = app();
    await http.post('/carts/u1/items').set(as('u1')).send({ product_id: 'prd_000001', quantity: 3 });
    const event = {
      id: 'e1',
      type: 'globalmart.orders.order-placed.v1',
      data: {
        order_id: 'o1',
        customer_id: 'u1',
        items: [{ product_id: 'prd_000001', quantity: 2, unit_price: 19.99, currency: 'USD' }],
        total: 39.98,
        currency: 'USD',
        occurred_at: '2026-01-01T00:00:00Z',
      },
    };
    expect((await http.post('/events/order-placed').send(event)).body).toEqual({ status: 'SUCCESS' });
    expect((await http.post('/events/order-placed').send(event)).body).toEqual({ status: 'SUCCESS' });
    expect((await http.get('/carts/u1').set(as('u1'))).body.item_count).toBe(1);
    expect((await http.post('/events/order-placed').send({ ...event, data: { ...event.data, customer_id: 'u9' } })).body.status).toBe(
      'SUCCESS',
    );
    expect(await store.get(cartKey('u9'))).toBeUndefined();
    expect((await http.post('/events/order-placed').send({ ...event, data: { order_id: 'o2' } })).body).toEqual({ status: 'DROP' });
    const subs = (await http.get('/dapr/subscribe')).body;
    expect(subs[0]).toMatchObject({ topic: 'orders', routes: { rules: [{ path: '/events/order-placed' }] } });
  });

  describe('Idempotency-Key (Dapr retries calls to the cart)', () => {
    const keyed = (userId: string, key: string) => ({ ...as(userId), 'idempotency-key': key });
    const lines = (body: { items: { product_id: string; quantity: number }[] }) => body.items.map((l) => [l.product_id, l.quantity]);

    it('applies a repeated add once and answers the cart; a new key adds again', async () => {
      const { http } = app();
      const first = await http.post('/carts/u1/items').set(keyed('u1', 'add-key-1')).send({ product_id: 'prd_000001', quantity: 2 });
      const again = await http.post('/carts/u1/items').set(keyed('u1', 'add-key-1')).send({ product_id: 'prd_000001', quantity: 2 });
      expect(again.status).toBe(200);
      expect(again.body).toEqual(first.body);
      expect(lines(again.body)).toEqual([['prd_000001', 2]]);
      const next = await http.post('/carts/u1/items').set(keyed('u1', 'add-key-2')).send({ product_id: 'prd_000001', quantity: 2 });
      expect(lines(next.body)).toEqual([['prd_000001', 4]]);
    });

    it('lets one of two racing attempts of a request apply it (the key is saved with the change, under the etag)', async () => {
      const { http } = app();
      const attempts = await Promise.all(
        Array.from({ length: 4 }, () =>
          http.post('/carts/u1/items').set(keyed('u1', 'race-key-1')).send({ product_id: 'prd_000003', quantity: 3 }),
        ),
      );
      expect(attempts.map((a) => a.status)).toEqual([200, 200, 200, 200]);
      expect(lines((await http.get('/carts/u1').set(as('u1'))).body)).toEqual([['prd_000003', 3]]);
    });

    it('adds once when the save was applied but its answer lost (the state store retried: etag conflict, re-read)', async () => {
      const { http, store } = app();
      await http.post('/carts/u1/items').set(keyed('u1', 'seed-key-1')).send({ product_id: 'prd_000003', quantity: 1 });
      const save = store.save.bind(store);
      let lost = 1;
      store.save = async (k, v, o) => {
        await save(k, v, o);
        if (lost-- > 0) throw new StateConflictError(k); // applied, yet reported as a conflict: the CAS loop reads again
      };
      const res = await http.post('/carts/u1/items').set(keyed('u1', 'lost-key-1')).send({ product_id: 'prd_000003', quantity: 2 });
      expect(lines(res.body)).toEqual([['prd_000003', 3]]);
    });

    it('does not let a late attempt of an earlier change undo a later one (PATCH, DELETE)', async () => {
      const { http } = app();
      await http.post('/carts/u1/items').set(as('u1')).send({ product_id: 'prd_000001', quantity: 1 });
      await http.patch('/carts/u1/items/prd_000001').set(keyed('u1', 'set-key-1')).send({ quantity: 3 });
      await http.patch('/carts/u1/items/prd_000001').set(keyed('u1', 'set-key-2')).send({ quantity: 5 });
      const late = await http.patch('/carts/u1/items/prd_000001').set(keyed('u1', 'set-key-1')).send({ quantity: 3 });
      expect(lines(late.body)).toEqual([['prd_000001', 5]]);
      await http.delete('/carts/u1/items/prd_000001').set(keyed('u1', 'del-key-1'));
      await http.post('/carts/u1/items').set(keyed('u1', 'add-key-9')).send({ product_id: 'prd_000001', quantity: 1 });
      const lateDelete = await http.delete('/carts/u1/items/prd_000001').set(keyed('u1', 'del-key-1'));
      expect(lines(lateDelete.body)).toEqual([['prd_000001', 1]]);
    });

    it('refuses a key reused for another change (422) and a malformed key (400 naming the header)', async () => {
      const { http } = app();
      await http.post('/carts/u1/items').set(keyed('u1', 'reuse-key-1')).send({ product_id: 'prd_000001', quantity: 1 });
      const reused = await http.post('/carts/u1/items').set(keyed('u1', 'reuse-key-1')).send({ product_id: 'prd_000003', quantity: 1 });
      expect(reused.status).toBe(422);
      expect(reused.body).toMatchObject({ code: 'CART.IDEMPOTENCY_KEY_REUSED', field: 'idempotency-key' });
      const bad = await http.post('/carts/u1/items').set(keyed('u1', 'short')).send({ product_id: 'prd_000001', quantity: 1 });
      expect(bad.status).toBe(400);
      expect(bad.body.errors.map((e: { field: string }) => e.field)).toEqual(['idempotency-key']);
      expect(lines((await http.get('/carts/u1').set(as('u1'))).body)).toEqual([['prd_000001', 1]]);
    });

    it("keeps the key per cart: the same key in two customers' carts is two requests", async () => {
      const { http } = app();
      await http.post('/carts/u1/items').set(keyed('u1', 'shared-key-1')).send({ product_id: 'prd_000001', quantity: 1 });
      const other = await http.post('/carts/u2/items').set(keyed('u2', 'shared-key-1')).send({ product_id: 'prd_000001', quantity: 1 });
      expect(lines(other.body)).toEqual([['prd_000001', 1]]);
    });
  });
});
