// The commerce core end to end, as a storefront sees it: only the gateway's public API, real sidecars
// and infrastructure behind it. sign up → browse → cart → checkout → saga → CONFIRMED → shipped → DELIVERED.
// Two replicas of every app (each beside its own sidecar; the simulated PSP stays one): Dapr spreads the calls, the
// saga's workflow actors and the background jobs across them, and every invariant below must still hold.
import { waitUntil } from '@globalmart/devstack';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { whileDatabaseStalled } from '../harness/faults.ts';
import { startPlatform, type Platform } from '../harness/platform.ts';
import { relaxedRateLimits } from '../harness/rate-limits.ts';
import { checkoutSaga } from '../harness/saga.ts';
import { Storefront, type Session, productDraft } from '../harness/storefront.ts';
import { reportLogsOnFailure } from '../harness/vitest.ts';

const apps = ['catalog', 'inventory', 'cart', 'psp', 'payments', 'shipping', 'identity', 'orders', 'gateway'];
let platform: Platform;
let shop: Storefront;
let adminToken: string;

beforeAll(async () => {
  platform = await startPlatform({
    apps,
    replicas: 2,
    placement: true,
    scheduler: true,
    env: {
      gateway: relaxedRateLimits,
      shipping: { SHIPPING_SHIP_DELAY_MS: '1500', SHIPPING_DELIVER_DELAY_MS: '3000' },
    },
  });
  shop = new Storefront(platform.url('gateway'));
  adminToken = await shop.newAdmin(platform);
});
afterAll(async () => {
  await platform?.stop();
});
afterEach(reportLogsOnFailure(() => platform));

async function setStock(productId: string, qty: number): Promise<void> {
  const res = await shop.call('PATCH', `/api/admin/products/${productId}`, { token: adminToken, body: { stock_qty: qty } });
  expect(res.status).toBe(200);
}
/** The payment of an order, read as the orders service reads it (payments answers only the saga's app). */
const paymentOf = async (orderId: string) =>
  (await platform.invoke('orders', 'payments', 'GET', `payments/${orderId}`)).body as {
    status: string;
    provider_calls: { authorize: number };
  };
const stockOf = async (productId: string): Promise<number> => (await shop.call('GET', `/api/products/${productId}`)).body.stock_qty;

async function buy(s: Session, productId: string, quantity: number, opts: Parameters<Storefront['checkout']>[1] = {}) {
  expect((await shop.call('POST', '/api/cart/items', { token: s.token, body: { product_id: productId, quantity } })).status).toBe(200);
  return shop.checkout(s, opts);
}

describe('checkout saga through the gateway', () => {
  it('happy path: CONFIRMED, stock down by exactly the quantity, shipment booked, later DELIVERED', async () => {
    const alice = await shop.newCustomer('Alice');
    const browse = await shop.call('GET', '/api/products?category=books&page_size=5');
    expect(browse.status).toBe(200);
    const productId: string = browse.body.data[0].id;
    await setStock(productId, 25);
    const started = Date.now();
    const accepted = await buy(alice, productId, 3);
    const acceptedMs = Date.now() - started;
    expect(accepted.status).toBe(201);
    expect(accepted.body).toMatchObject({ status: 'PENDING' });
    const orderId: string = accepted.body.order_id;
    const confirmed = await shop.waitForOrder(alice, orderId, (st) => st !== 'PENDING');
    expect(confirmed.status).toBe('CONFIRMED');
    expect(confirmed.items).toEqual([expect.objectContaining({ product_id: productId, quantity: 3 })]);
    expect(await stockOf(productId)).toBe(22);
    const tracking = await shop.call('GET', `/api/orders/${orderId}/tracking`, { token: alice.token });
    expect(tracking.status).toBe(200);
    expect(tracking.body.shipment).toMatchObject({ order_id: orderId });
    const delivered = await shop.waitForOrder(alice, orderId, (st) => st === 'DELIVERED');
    expect(delivered.status_history.map((h: { status: string }) => h.status)).toEqual(['PENDING', 'CONFIRMED', 'SHIPPED', 'DELIVERED']);
    // The cart was emptied by the OrderPlaced event.
    expect((await shop.call('GET', '/api/cart', { token: alice.token })).body.items).toEqual([]);
    console.log(`checkout accepted in ${acceptedMs} ms`);
  });

  it('declined card: CANCELLED with a reason, stock back, no shipment', async () => {
    const bob = await shop.newCustomer('Bob');
    await setStock('prd_000101', 8);
    const accepted = await buy(bob, 'prd_000101', 2, { paymentMethod: 'tok_chargeDeclined' });
    expect(accepted.status).toBe(201);
    const order = await shop.waitForOrder(bob, accepted.body.order_id, (st) => st !== 'PENDING');
    expect(order.status).toBe('CANCELLED');
    expect(order.cancel_reason).toMatch(/declined/i);
    expect(await stockOf('prd_000101')).toBe(8);
    expect((await shop.call('GET', `/api/orders/${order.order_id}/tracking`, { token: bob.token })).body.shipment).toBeNull();
  });

  it('shipment failure: payment refunded or voided, stock back', async () => {
    const carol = await shop.newCustomer('Carol');
    await setStock('prd_000102', 5);
    const accepted = await buy(carol, 'prd_000102', 1, { country: 'XX' });
    const order = await shop.waitForOrder(carol, accepted.body.order_id, (st) => st !== 'PENDING');
    expect(order.status).toBe('CANCELLED');
    expect(order.cancel_reason).toMatch(/ship/i);
    expect(await stockOf('prd_000102')).toBe(5);
    const payment = await paymentOf(order.order_id);
    expect(['refunded', 'voided']).toContain(payment.status);
  });

  it('the same Idempotency-Key twice: one order, one authorisation', async () => {
    const dave = await shop.newCustomer('Dave');
    await setStock('prd_000103', 5);
    await shop.call('POST', '/api/cart/items', { token: dave.token, body: { product_id: 'prd_000103', quantity: 1 } });
    const [a, b] = await Promise.all([
      shop.checkout(dave, { idempotencyKey: 'dave-checkout-1' }),
      shop.checkout(dave, { idempotencyKey: 'dave-checkout-1' }),
    ]);
    expect(a.status).toBe(201);
    expect(b.status).toBe(201);
    expect(b.body.order_id).toBe(a.body.order_id);
    await shop.waitForOrder(dave, a.body.order_id, (st) => st !== 'PENDING');
    const mine = await shop.call('GET', '/api/orders', { token: dave.token });
    expect(mine.body.total).toBe(1);
    expect((await paymentOf(a.body.order_id)).provider_calls.authorize).toBe(1);
  });

  it('orders cannot accept in time: 503 CHECKOUT.BUSY with Retry-After, and the retry with the same key is the one order', async () => {
    const erin = await shop.newCustomer('Erin');
    await setStock('prd_000104', 5);
    await shop.call('POST', '/api/cart/items', { token: erin.token, body: { product_id: 'prd_000104', quantity: 1 } });
    // Orders' database stalls: the acceptance cannot store the order, the gateway stops waiting after 2 s.
    const first = await whileDatabaseStalled(platform, () => shop.checkoutOnce(erin, { idempotencyKey: 'erin-checkout-1' }));
    expect(first.status).toBe(503);
    expect(first.body.code).toBe('CHECKOUT.BUSY');
    expect(Number(first.body.retry_after)).toBeGreaterThan(0);
    // The shopper comes back with the same key: the order the first attempt created (or this one creates), once.
    let retried = first;
    await waitUntil('the retried checkout to be accepted', async () => {
      retried = await shop.checkoutOnce(erin, { idempotencyKey: 'erin-checkout-1' });
      return retried.status === 201;
    });
    await shop.waitForOrder(erin, retried.body.order_id, (st) => st !== 'PENDING');
    const mine = await shop.call('GET', '/api/orders', { token: erin.token });
    expect(mine.body.total).toBe(1);
    expect(mine.body.data[0].order_id).toBe(retried.body.order_id);
    expect((await paymentOf(retried.body.order_id)).provider_calls.authorize).toBe(1);
  });

  it('oversell race: 40 customers buy the last 10 units at once → exactly 10 CONFIRMED, stock 0', async () => {
    const productId = 'prd_000104';
    await setStock(productId, 10);
    // Customers one after another: a sign-up is deliberately expensive (scrypt, behind identity's bulkhead), and the race
    // under test is the checkouts'.
    const customers: Session[] = [];
    for (let i = 0; i < 40; i++) customers.push(await shop.newCustomer(`Racer ${i}`));
    // Carts first (each checks stock, which is still 10), then every checkout at once.
    await Promise.all(
      customers.map((c) => shop.call('POST', '/api/cart/items', { token: c.token, body: { product_id: productId, quantity: 1 } })),
    );
    const accepted = await Promise.all(customers.map((c) => shop.checkout(c)));
    expect(accepted.every((a) => a.status === 201)).toBe(true);
    const final = await Promise.all(
      accepted.map((a, i) => shop.waitForOrder(customers[i]!, a.body.order_id, (st) => st !== 'PENDING', 90_000)),
    );
    const confirmed = final.filter((o) => o.status === 'CONFIRMED' || o.status === 'SHIPPED' || o.status === 'DELIVERED');
    expect(confirmed).toHaveLength(10);
    expect(final.filter((o) => o.status === 'CANCELLED')).toHaveLength(30);
    expect(await stockOf(productId)).toBe(0);
  }, 300_000);

  it('payment provider outage: orders wait, then complete when it recovers; none is lost', async () => {
    const erin = await shop.newCustomer('Erin');
    await setStock('prd_000105', 5);
    // The PSP simulator's rehearsed outage: no app invokes it, so straight at its port with the token its sidecar presents.
    const put = (down: boolean) =>
      fetch(`${platform.url('psp')}/admin/outage`, {
        method: 'PUT',
        headers: { ...platform.appHeaders('psp'), 'content-type': 'application/json' },
        body: JSON.stringify({ down }),
      });
    expect((await put(true)).ok).toBe(true);
    try {
      const accepted = await buy(erin, 'prd_000105', 1);
      expect(accepted.status).toBe(201);
      // The saga reached the authorisation, found the provider down, and waits on a durable timer.
      const saga = async () => (await checkoutSaga(platform, accepted.body.order_id)).customStatus;
      await expect.poll(saga, { timeout: 20_000, interval: 250 }).toMatch(/waiting: authorize unavailable/);
      expect((await shop.call('GET', `/api/orders/${accepted.body.order_id}`, { token: erin.token })).body.status).toBe('PENDING');
      await put(false);
      const order = await shop.waitForOrder(erin, accepted.body.order_id, (st) => st !== 'PENDING', 90_000);
      expect(order.status).toBe('CONFIRMED');
    } finally {
      await put(false);
    }
  }, 150_000);
});

describe('auth matrix: every public route × {anonymous, customer, other customer, admin}', () => {
  it('answers each caller with the expected status', async () => {
    const owner = await shop.newCustomer('Owner');
    const other = await shop.newCustomer('Other');
    await setStock('prd_000110', 5);
    const placed = await buy(owner, 'prd_000110', 1);
    const orderId: string = placed.body.order_id;
    await shop.waitForOrder(owner, orderId, (st) => st !== 'PENDING');
    const draft = productDraft('Matrix Mug');
    type Row = [method: string, path: string, body: unknown, expected: [anon: number, customer: number, other: number, admin: number]];
    const rows: Row[] = [
      ['GET', '/api/products', undefined, [200, 200, 200, 200]],
      ['GET', '/api/products/prd_000110', undefined, [200, 200, 200, 200]],
      ['GET', '/api/me', undefined, [401, 200, 200, 200]],
      ['GET', '/api/cart', undefined, [401, 200, 200, 200]],
      ['POST', '/api/cart/items', { product_id: 'prd_000111', quantity: 1 }, [401, 200, 200, 200]],
      ['GET', '/api/orders', undefined, [401, 200, 200, 200]],
      ['GET', `/api/orders/${orderId}`, undefined, [401, 200, 404, 200]],
      ['GET', `/api/orders/${orderId}/tracking`, undefined, [401, 200, 404, 200]],
      ['GET', '/api/admin/orders', undefined, [401, 403, 403, 200]],
      ['POST', '/api/admin/products', draft, [401, 403, 403, 201]],
      ['PUT', '/api/admin/products/prd_000111', { ...draft, name: 'Renamed' }, [401, 403, 403, 200]],
      ['PATCH', '/api/admin/products/prd_000111', { stock_qty: 7 }, [401, 403, 403, 200]],
    ];
    const callers = [undefined, owner.token, other.token, adminToken];
    const failures: string[] = [];
    for (const [method, path, body, expected] of rows) {
      for (const [i, token] of callers.entries()) {
        const res = await shop.call(method, path, { token, body });
        if (res.status !== expected[i])
          failures.push(
            `${method} ${path} as ${['anonymous', 'customer', 'other customer', 'admin'][i]}: ${res.status}, expected ${expected[i]}`,
          );
      }
    }
    expect(failures).toEqual([]);
    // Anonymous checkout and a forged token are refused before any service is reached.
    expect((await shop.checkout({ userId: 'x', email: 'x', token: '' })).status).toBe(401);
    expect((await shop.call('GET', '/api/me', { token: `${owner.token.slice(0, -4)}AAAA` })).status).toBe(401);
    // A client cannot claim an identity with the internal headers.
    expect((await shop.call('GET', '/api/admin/orders', { headers: { 'x-user-id': 'usr_x', 'x-user-role': 'admin' } })).status).toBe(401);
    // Nor by going around the gateway and Dapr: a service's own port refuses anyone without its sidecar's token.
    const around = await fetch(`${platform.url('orders')}/admin/orders`, { headers: { 'x-user-id': 'usr_x', 'x-user-role': 'admin' } });
    expect(around.status).toBe(401);
  }, 120_000);
});

describe('bad input on every route: 400 problem+json naming the field, never 5xx', () => {
  it('rejects malformed bodies, params and queries', async () => {
    const c = await shop.newCustomer('Fuzzy');
    const cases: [method: string, path: string, body: unknown, field: string, token?: string, headers?: Record<string, string>][] = [
      ['POST', '/api/auth/signup', { email: 'not-an-email', password: 'correct horse battery', name: 'X' }, 'email'],
      ['POST', '/api/auth/signup', { email: 'w@example.test', password: 'short', name: 'X' }, 'password'],
      ['POST', '/api/auth/login', { email: 'w@example.test' }, 'password'],
      ['GET', '/api/products?page=-1', undefined, 'page'],
      ['GET', '/api/products/..%2F..%2Fetc', undefined, 'id'],
      ['POST', '/api/cart/items', { product_id: 'prd_000001', quantity: 0 }, 'quantity', c.token],
      ['POST', '/api/cart/items', { product_id: 'nope', quantity: 1 }, 'product_id', c.token],
      ['PATCH', '/api/cart/items/prd_000001', { quantity: -2 }, 'quantity', c.token],
      [
        'POST',
        '/api/orders',
        { payment_method: 'tok_visa', shipping_address: { name: 'A' } },
        'shipping_address.line1',
        c.token,
        { 'idempotency-key': 'bad-input-1' },
      ],
      [
        'POST',
        '/api/orders',
        { payment_method: '4242424242424242', shipping_address: { name: 'A', line1: 'B', city: 'C', postal_code: 'D', country: 'US' } },
        'payment_method',
        c.token,
        { 'idempotency-key': 'bad-input-2' },
      ],
      [
        'POST',
        '/api/orders',
        { payment_method: 'tok_visa', shipping_address: { name: 'A', line1: 'B', city: 'C', postal_code: 'D', country: 'US' } },
        'idempotency-key',
        c.token,
      ],
      ['GET', '/api/orders/ord_nothex', undefined, 'id', c.token],
      ['GET', '/api/admin/orders?status=LOST', undefined, 'status', adminToken],
      ['PATCH', '/api/admin/products/prd_000001', { stock_qty: -1 }, 'stock_qty', adminToken],
      ['POST', '/api/admin/products', { name: 'X' }, 'price', adminToken],
    ];
    const failures: string[] = [];
    for (const [method, path, body, field, token, headers] of cases) {
      const res = await shop.call(method, path, { body, ...(token ? { token } : {}), ...(headers ? { headers } : {}) });
      const fields: string[] = (res.body?.errors ?? []).map((e: { field: string }) => e.field);
      if (res.status !== 400 || !fields.includes(field))
        failures.push(`${method} ${path}: ${res.status} ${JSON.stringify(fields)}, expected 400 naming ${field}`);
    }
    expect(failures).toEqual([]);
    // Not JSON at all: 400 (invalid JSON) or 415 (wrong type), never 5xx.
    const raw = await fetch(`${platform.url('gateway')}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"email":',
    });
    expect(raw.status).toBe(400);
    const text = await fetch(`${platform.url('gateway')}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: 'hi',
    });
    expect(text.status).toBe(415);
  }, 60_000);
});
