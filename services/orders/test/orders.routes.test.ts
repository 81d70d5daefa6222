import { createApp, finalizeApp } from '@globalmart/platform';
import { createMemoryDapr, type MemoryDapr } from '@globalmart/platform/testing';
import request from 'supertest';
import { beforeEach, describe, expect, it } from 'vitest';
import { CheckoutService } from '../src/checkout.service.ts';
import { IdempotencyStore } from '../src/idempotency.store.ts';
import { OrderWriter } from '../src/order.writer.ts';
import { ordersRoutes } from '../src/orders.routes.ts';
import { outboxRelay } from '../src/outbox.relay.ts';
import type { SagaStarter } from '../src/workflow.host.ts';
import { address, addresses, cart, silentLogger } from './fixtures.ts';
import { MemoryOrderRepository } from './memory-order.repository.ts';

const as = (userId: string, role = 'customer') => ({ 'dapr-caller-app-id': 'gateway', 'x-user-id': userId, 'x-user-role': role });
const body = { payment_method: 'tok_visa', shipping_address: address };

describe('orders routes', () => {
  let dapr: MemoryDapr;
  let repo: MemoryOrderRepository;
  let starts: string[];
  let sagaDown: boolean;
  let app: ReturnType<typeof createApp>;
  let checkout: CheckoutService;
  let writer: OrderWriter;
  let saga: SagaStarter;
  let clockTicks = 0;

  beforeEach(() => {
    dapr = createMemoryDapr();
    repo = new MemoryOrderRepository();
    starts = [];
    sagaDown = false;
    saga = {
      start: async (order) => {
        if (sagaDown) throw new Error('sidecar unavailable');
        if (starts.includes(order.order_id)) return 'exists';
        starts.push(order.order_id);
        return 'started';
      },
    };
    dapr.invoker.on('cart', 'carts/usr_1', () => ({ body: cart('usr_1') }));
    dapr.invoker.on('cart', 'carts/usr_empty', () => ({
      body: { user_id: 'usr_empty', items: [], total: 0, currency: 'USD', item_count: 0 },
    }));
    writer = new OrderWriter(repo, dapr.publisher, silentLogger);
    checkout = new CheckoutService({
      invoker: dapr.invoker,
      idempotency: new IdempotencyStore(dapr.state(), 3600),
      repo,
      writer,
      saga,
      logger: silentLogger,
      addresses,
      // A clock one second apart per order: "newest first" is decided by created_at, not by how fast the test runs.
      now: () => new Date(Date.UTC(2026, 10, 30, 12, 0, clockTicks++)).toISOString(),
    });
    app = createApp({ config: {}, logger: silentLogger });
    app.use(ordersRoutes({ checkout, repo, invoker: dapr.invoker, addresses }));
    finalizeApp(app, silentLogger);
  });

  const place = (key: string | undefined, user = 'usr_1') => {
    const req = request(app).post('/orders').set(as(user));
    return (key === undefined ? req : req.set('Idempotency-Key', key)).send(body);
  };

  it('stores a PENDING order from the cart, answers 201 at once and starts its saga', async () => {
    const res = await place('key-00000001');
    expect(res.status).toBe(201);
    expect(res.body).toEqual({ order_id: expect.stringMatching(/^ord_[0-9a-f]{32}$/), status: 'PENDING' });
    await checkout.idle();
    expect(starts).toEqual([res.body.order_id]);
    // OrderPlaced went out after the answer, and is marked sent.
    expect(dapr.publisher.ofType('globalmart.orders.order-placed.v1').map((e) => e.id)).toEqual([`${res.body.order_id}:placed`]);
    const order = (await request(app).get(`/orders/${res.body.order_id}`).set(as('usr_1'))).body;
    expect(order).toMatchObject({
      status: 'PENDING',
      total: 45.48,
      currency: 'USD',
      payment_method: 'tok_visa',
      shipping_address: address,
    });
    expect(order.items[0]).toEqual({
      product_id: 'prd_000001',
      name: 'Product prd_000001',
      quantity: 2,
      unit_price: 19.99,
      currency: 'USD',
      line_total: 39.98,
    });
    expect(order.status_history).toEqual([{ status: 'PENDING', at: order.created_at }]);
    expect(order).not.toHaveProperty('outbox');
  });

  it('the same Idempotency-Key again, even concurrently, is the same order: one document, one saga', async () => {
    const answers = await Promise.all([place('same-key-1'), place('same-key-1'), place('same-key-1')]);
    expect(answers.map((a) => a.status)).toEqual([201, 201, 201]);
    expect(new Set(answers.map((a) => a.body.order_id)).size).toBe(1);
    expect((await place('same-key-1')).body).toEqual(answers[0]!.body);
    expect(repo.orders.size).toBe(1);
    await checkout.idle();
    expect(starts).toHaveLength(1);
    // A different key is a different order.
    expect((await place('other-key-1')).body.order_id).not.toBe(answers[0]!.body.order_id);
  });

  it('answers 201 even when the saga cannot start yet: the order waits, and the outbox relay starts it', async () => {
    sagaDown = true;
    const res = await place('key-relay-01');
    expect(res.status).toBe(201);
    await checkout.idle();
    expect(starts).toEqual([]);
    // Not announced before its saga runs: OrderPlaced waits with its cursor.
    expect(dapr.publisher.published).toHaveLength(0);
    sagaDown = false;
    await outboxRelay(repo, writer, saga, silentLogger, { graceMs: 0 })();
    expect(starts).toEqual([res.body.order_id]);
    expect(dapr.publisher.ofType('globalmart.orders.order-placed.v1')).toHaveLength(1);
  });

  it('keeps the shipping address encrypted in the order, its idempotency record, the saga input and the events', async () => {
    const sagaInputs: unknown[] = [];
    const start = saga.start.bind(saga);
    saga.start = async (order, opts) => (sagaInputs.push(order), start(order, opts));
    const res = await place('key-sealed-01');
    await checkout.idle();
    const orderId: string = res.body.order_id;
    const stored = {
      document: repo.orders.get(orderId),
      idempotency: await new IdempotencyStore(dapr.state(), 60).find('usr_1', 'key-sealed-01'),
      sagaInputs,
      events: dapr.publisher.published,
    };
    expect(stored.document?.shipping_address.name).toMatch(/^v2\./);
    expect(stored.idempotency?.shipping_address).toEqual(stored.document?.shipping_address);
    expect(sagaInputs).toHaveLength(1);
    const raw = JSON.stringify(stored);
    for (const clear of [address.name, address.line1, address.city, address.postal_code]) expect(raw).not.toContain(clear);
    // The owner and admins read it decrypted.
    expect((await request(app).get(`/orders/${orderId}`).set(as('usr_1'))).body.shipping_address).toEqual(address);
    expect((await request(app).get('/admin/orders').set(as('adm_1', 'admin'))).body.data[0].shipping_address).toEqual(address);
  });

  it.each([
    [undefined, 'missing'],
    ['short', 'too short'],
    ['has spaces in it', 'with spaces'],
    ['x'.repeat(129), 'too long'],
  ])('400 naming Idempotency-Key when it is %s (%s)', async (key: string | undefined, _why: string) => {
    const res = await place(key);
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(res.body.errors.map((e: { field: string }) => e.field)).toContain('Idempotency-Key');
    expect(repo.orders.size).toBe(0);
  });

  it('400 naming the body fields; a card number is refused as payment_method', async () => {
    const res = await request(app)
      .post('/orders')
      .set(as('usr_1'))
      .set('Idempotency-Key', 'key-00000002')
      .send({ payment_method: '4242 4242 4242 4242', shipping_address: { ...address, country: 'germany' } });
    expect(res.status).toBe(400);
    expect(res.body.errors.map((e: { field: string }) => e.field)).toEqual(
      expect.arrayContaining(['payment_method', 'shipping_address.country']),
    );
    expect(JSON.stringify(res.body)).not.toContain('4242');
  });

  it('422 ORDER.EMPTY_CART for an empty cart, and the key stays unused', async () => {
    const res = await place('key-empty-1', 'usr_empty');
    expect(res.status).toBe(422);
    expect(res.body.code).toBe('ORDER.EMPTY_CART');
    expect(await new IdempotencyStore(dapr.state(), 60).find('usr_empty', 'key-empty-1')).toBeUndefined();
  });

  it('401 without a caller; someone else’s order is 404, an admin may read it', async () => {
    expect((await request(app).post('/orders').set('Idempotency-Key', 'key-00000003').send(body)).status).toBe(401);
    const { order_id } = (await place('key-00000004')).body;
    expect((await request(app).get(`/orders/${order_id}`).set(as('usr_2'))).status).toBe(404);
    expect((await request(app).get(`/orders/${order_id}`).set(as('adm_1', 'admin'))).status).toBe(200);
    expect((await request(app).get(`/orders/${order_id}/tracking`).set(as('usr_2'))).status).toBe(404);
    expect((await request(app).get('/orders/not-an-id').set(as('usr_1'))).status).toBe(400);
  });

  it('lists the caller’s own orders, newest first, paged', async () => {
    const first = (await place('key-list-0001')).body.order_id;
    const second = (await place('key-list-0002')).body.order_id;
    const res = await request(app).get('/orders?page=1&page_size=1').set(as('usr_1'));
    expect(res.body).toMatchObject({ page: 1, page_size: 1, total: 2 });
    expect(res.body.data.map((o: { order_id: string }) => o.order_id)).toEqual([second]);
    expect((await request(app).get('/orders?page=2&page_size=1').set(as('usr_1'))).body.data[0].order_id).toBe(first);
    expect((await request(app).get('/orders').set(as('usr_2'))).body.total).toBe(0);
  });

  it('admin list filters by status and date range, pages by starting_after; customers get 403', async () => {
    const first = (await place('key-admin-01')).body.order_id;
    const second = (await place('key-admin-02')).body.order_id;
    expect((await request(app).get('/admin/orders').set(as('usr_1'))).status).toBe(403);
    const all = await request(app).get('/admin/orders?status=PENDING&page_size=1').set(as('adm_1', 'admin'));
    expect(all.body).toMatchObject({ page_size: 1, has_more: true });
    expect(all.body.data.map((o: { order_id: string }) => o.order_id)).toEqual([second]);
    const next = await request(app).get(`/admin/orders?status=PENDING&page_size=1&starting_after=${second}`).set(as('adm_1', 'admin'));
    expect(next.body).toMatchObject({ has_more: false, data: [expect.objectContaining({ order_id: first })] });
    expect((await request(app).get('/admin/orders?status=CONFIRMED').set(as('adm_1', 'admin'))).body.data).toEqual([]);
    expect((await request(app).get('/admin/orders?to=2000-01-01T00:00:00Z').set(as('adm_1', 'admin'))).body.data).toEqual([]);
    const unknown = await request(app)
      .get(`/admin/orders?starting_after=ord_${'0'.repeat(32)}`)
      .set(as('adm_1', 'admin'));
    expect(unknown.status).toBe(400);
    expect(unknown.body.errors.map((e: { field: string }) => e.field)).toEqual(['starting_after']);
    const bad = await request(app).get('/admin/orders?status=LOST&from=yesterday').set(as('adm_1', 'admin'));
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: { field: string }) => e.field)).toEqual(expect.arrayContaining(['status', 'from']));
  });

  it('tracking before a shipment exists: the order status and shipment null', async () => {
    const { order_id } = (await place('key-track-01')).body;
    dapr.invoker.on('shipping', `shipments/${order_id}`, () => ({ status: 404, body: { status: 404, code: 'SHIPPING.NOT_FOUND' } }));
    const res = await request(app).get(`/orders/${order_id}/tracking`).set(as('usr_1'));
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ order_id, order_status: 'PENDING', shipment: null });
  });
});
