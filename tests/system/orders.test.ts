// The orders service and its checkout saga (a Dapr Workflow) against the real services it orchestrates, each beside
// its own daprd, with Redis, FerretDB, placement and scheduler: reached through Dapr service invocation like a peer.
import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startPlatform, type Platform } from '../harness/platform.ts';
import { plantStrandedOrder } from '../harness/outbox.ts';
import { checkoutSaga } from '../harness/saga.ts';
import { reportLogsOnFailure } from '../harness/vitest.ts';

// The tests read answers field by field; a loose type keeps them readable.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Body = any;

const PAYMENT_WAIT_SECONDS = 20;
let platform: Platform;

beforeAll(async () => {
  platform = await startPlatform({
    apps: ['catalog', 'inventory', 'cart', 'psp', 'payments', 'shipping', 'orders'],
    placement: true,
    scheduler: true,
    env: {
      inventory: { INVENTORY_SEED: 'none' },
      shipping: { SHIPPING_SHIP_DELAY_MS: '1500', SHIPPING_DELIVER_DELAY_MS: '1500' },
      orders: {
        ORDER_PAYMENT_WAIT_SECONDS: String(PAYMENT_WAIT_SECONDS),
        ORDER_OUTBOX_RELAY_INTERVAL_MS: '300',
        ORDER_OUTBOX_RELAY_GRACE_MS: '500',
      },
    },
  });
});
afterAll(async () => {
  await platform?.stop();
});
afterEach(reportLogsOnFailure(() => platform));

const admin = { 'x-user-id': 'usr_ops', 'x-user-role': 'admin' };
const customer = (userId: string) => ({ 'x-user-id': userId, 'x-user-role': 'customer' });

/**
 * A Dapr service invocation from the app the architecture makes it from: the saga's own calls (payments, shipping)
 * from orders' sidecar, everything a signed-in user or admin does from the gateway's (a bare sidecar: the gateway is not
 * running here). Services believe x-user-* only from the gateway's app-id.
 */
async function invoke(appId: string, method: string, path: string, opts: { headers?: Record<string, string>; body?: unknown } = {}) {
  const via = appId === 'payments' || appId === 'shipping' ? 'orders' : 'gateway';
  const res = await platform.invoke(via, appId, method, path, opts.body, opts.headers);
  return { status: res.status, body: res.body as Body };
}

const newUser = () => `usr_${randomBytes(6).toString('hex')}`;
const address = (country = 'DE') => ({ name: 'Grace Hopper', line1: '1 Harbour Road', city: 'Hamburg', postal_code: '20095', country });

async function setStock(productId: string, qty: number) {
  expect((await invoke('inventory', 'PUT', `stock/${productId}`, { headers: admin, body: { stock_qty: qty } })).status).toBe(200);
}
const stockOf = async (productId: string) =>
  (await invoke('inventory', 'GET', `stock/${productId}`)).body as { stock_qty: number; reserved: number };

async function fillCart(userId: string, productId: string, quantity: number) {
  const res = await invoke('cart', 'POST', `carts/${userId}/items`, {
    headers: customer(userId),
    body: { product_id: productId, quantity },
  });
  expect(res.status).toBe(200);
}

function placeOrder(userId: string, opts: { paymentMethod?: string; country?: string; key?: string } = {}) {
  return invoke('orders', 'POST', 'orders', {
    headers: { ...customer(userId), 'idempotency-key': opts.key ?? randomUUID() },
    body: { payment_method: opts.paymentMethod ?? 'tok_visa', shipping_address: address(opts.country) },
  });
}

async function waitFor<T>(what: string, read: () => Promise<T>, done: (v: T) => boolean, timeoutMs = 30_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}: last ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 150));
  }
}

const orderOf = async (userId: string, orderId: string) =>
  (await invoke('orders', 'GET', `orders/${orderId}`, { headers: customer(userId) })).body;
const waitForStatus = (userId: string, orderId: string, done: (status: string) => boolean, timeoutMs?: number) =>
  waitFor(
    `order ${orderId}`,
    () => orderOf(userId, orderId),
    (o) => done(o.status),
    timeoutMs,
  );
/** The PSP simulator's rehearsed outage, straight at its port (no app invokes it), with the token its sidecar presents. */
const outage = async (down: boolean) => {
  const res = await fetch(`${platform.url('psp')}/admin/outage`, {
    method: 'PUT',
    headers: { ...platform.appHeaders('psp'), 'content-type': 'application/json' },
    body: JSON.stringify({ down }),
  });
  expect(res.status).toBe(200);
};
/** The saga's custom status (why it is waiting, or what it is undoing), from Dapr's workflow API. */
const sagaStatus = async (orderId: string) => (await checkoutSaga(platform, orderId)).customStatus;

describe('checkout saga (Dapr Workflow)', () => {
  it('happy path: CONFIRMED with stock down exactly, a shipment, an emptied cart, later DELIVERED', async () => {
    const user = newUser();
    await setStock('prd_000101', 10);
    await fillCart(user, 'prd_000101', 3);
    const started = Date.now();
    const accepted = await placeOrder(user);
    const acceptedMs = Date.now() - started;
    expect(accepted.status).toBe(201);
    expect(accepted.body).toEqual({ order_id: expect.stringMatching(/^ord_[0-9a-f]{32}$/), status: 'PENDING' });
    const orderId: string = accepted.body.order_id;

    const confirmed = await waitForStatus(user, orderId, (s) => s !== 'PENDING');
    const confirmedMs = Date.now() - started;
    expect(confirmed.status).toBe('CONFIRMED');
    expect(confirmed.items).toEqual([expect.objectContaining({ product_id: 'prd_000101', quantity: 3 })]);
    expect(await stockOf('prd_000101')).toMatchObject({ stock_qty: 7, reserved: 0 });
    const tracking = await invoke('orders', 'GET', `orders/${orderId}/tracking`, { headers: customer(user) });
    expect(tracking.status).toBe(200);
    expect(tracking.body.shipment).toMatchObject({ order_id: orderId, carrier: expect.any(String) });
    const payment = (await invoke('payments', 'GET', `payments/${orderId}`)).body;
    expect(payment).toMatchObject({
      status: 'captured',
      amount_minor: Math.round(confirmed.total * 100),
      provider_calls: { authorize: 1, capture: 1 },
    });
    // OrderPlaced reached cart through the outbox: the cart is empty.
    await waitFor(
      'the cart to empty',
      async () => (await invoke('cart', 'GET', `carts/${user}`, { headers: customer(user) })).body.item_count,
      (n) => n === 0,
    );

    const delivered = await waitForStatus(user, orderId, (s) => s === 'DELIVERED', 20_000);
    expect(delivered.status_history.map((h: { status: string }) => h.status)).toEqual(['PENDING', 'CONFIRMED', 'SHIPPED', 'DELIVERED']);
    console.info(`happy path: accepted in ${acceptedMs} ms, CONFIRMED after ${confirmedMs} ms (polling every 150 ms)`);
  });

  it('declined card: CANCELLED "payment declined", stock back, no shipment', async () => {
    const user = newUser();
    await setStock('prd_000102', 5);
    await fillCart(user, 'prd_000102', 2);
    const { body } = await placeOrder(user, { paymentMethod: 'tok_chargeDeclined' });
    const order = await waitForStatus(user, body.order_id, (s) => s !== 'PENDING');
    expect(order).toMatchObject({ status: 'CANCELLED', cancel_reason: 'payment declined' });
    expect(order.status_history.at(-1)).toMatchObject({ status: 'CANCELLED', reason: 'payment declined' });
    expect(await stockOf('prd_000102')).toMatchObject({ stock_qty: 5, reserved: 0 });
    expect((await invoke('shipping', 'GET', `shipments/${body.order_id}`)).status).toBe(404);
    expect((await invoke('orders', 'GET', `orders/${body.order_id}/tracking`, { headers: customer(user) })).body.shipment).toBeNull();
  });

  it('undeliverable country XX: CANCELLED "shipment failed", payment voided, stock back', async () => {
    const user = newUser();
    await setStock('prd_000103', 4);
    await fillCart(user, 'prd_000103', 4);
    const { body } = await placeOrder(user, { country: 'XX' });
    const order = await waitForStatus(user, body.order_id, (s) => s !== 'PENDING');
    expect(order).toMatchObject({ status: 'CANCELLED', cancel_reason: 'shipment failed' });
    expect((await invoke('payments', 'GET', `payments/${body.order_id}`)).body.status).toMatch(/^(voided|refunded)$/);
    expect(await stockOf('prd_000103')).toMatchObject({ stock_qty: 4, reserved: 0 });
  });

  it('out of stock: CANCELLED "out of stock", never charged', async () => {
    const user = newUser();
    await setStock('prd_000104', 3);
    await fillCart(user, 'prd_000104', 3);
    await setStock('prd_000104', 1); // someone else bought the rest after it went into the cart
    const { body } = await placeOrder(user);
    const order = await waitForStatus(user, body.order_id, (s) => s !== 'PENDING');
    expect(order).toMatchObject({ status: 'CANCELLED', cancel_reason: 'out of stock' });
    expect((await invoke('payments', 'GET', `payments/${body.order_id}`)).status).toBe(404);
    expect(await stockOf('prd_000104')).toMatchObject({ stock_qty: 1, reserved: 0 });
  });

  it('the same Idempotency-Key twice, concurrently: one order, one authorisation', async () => {
    const user = newUser();
    await setStock('prd_000105', 5);
    await fillCart(user, 'prd_000105', 1);
    const key = randomUUID();
    const [a, b] = await Promise.all([placeOrder(user, { key }), placeOrder(user, { key })]);
    expect([a.status, b.status]).toEqual([201, 201]);
    expect(b.body).toEqual(a.body);
    await waitForStatus(user, a.body.order_id, (s) => s === 'CONFIRMED');
    // And once more after the saga: still the same order, no new saga or charge.
    expect((await placeOrder(user, { key })).body).toEqual(a.body);
    expect((await invoke('payments', 'GET', `payments/${a.body.order_id}`)).body.provider_calls.authorize).toBe(1);
    const mine = (await invoke('orders', 'GET', 'orders', { headers: customer(user) })).body;
    expect(mine.total).toBe(1);
    expect(await stockOf('prd_000105')).toMatchObject({ stock_qty: 4 });
  });

  it('rejects a missing Idempotency-Key and an empty cart', async () => {
    const user = newUser();
    const noKey = await invoke('orders', 'POST', 'orders', {
      headers: customer(user),
      body: { payment_method: 'tok_visa', shipping_address: address() },
    });
    expect(noKey.status).toBe(400);
    expect(noKey.body.errors.map((e: { field: string }) => e.field)).toContain('Idempotency-Key');
    const empty = await placeOrder(user);
    expect(empty.status).toBe(422);
    expect(empty.body.code).toBe('ORDER.EMPTY_CART');
  });

  it('admin lists orders by status and date; another customer sees none of them', async () => {
    const since = new Date(Date.now() - 600_000).toISOString();
    const cancelled = (await invoke('orders', 'GET', `admin/orders?status=CANCELLED&from=${since}&page_size=100`, { headers: admin })).body;
    expect(cancelled.data.length).toBeGreaterThanOrEqual(3);
    expect(cancelled.data.every((o: { status: string }) => o.status === 'CANCELLED')).toBe(true);
    // Keyset pages: the next page starts right after the last order of the previous one.
    const page = async (after?: string) =>
      (
        await invoke('orders', 'GET', `admin/orders?status=CANCELLED&from=${since}&page_size=1${after ? `&starting_after=${after}` : ''}`, {
          headers: admin,
        })
      ).body;
    const first = await page();
    expect(first).toMatchObject({ page_size: 1, has_more: true, data: [{ order_id: cancelled.data[0].order_id }] });
    expect((await page(first.data[0].order_id)).data).toEqual([expect.objectContaining({ order_id: cancelled.data[1].order_id })]);
    expect((await invoke('orders', 'GET', 'admin/orders', { headers: customer(newUser()) })).status).toBe(403);
    expect((await invoke('orders', 'GET', 'orders', { headers: customer(newUser()) })).body.total).toBe(0);
  });

  it('outbox relay: an order stored with an unpublished event (writer crashed before publishing) gets it published', async () => {
    const user = newUser();
    await setStock('prd_000106', 5);
    await fillCart(user, 'prd_000106', 2);
    const stranded = await plantStrandedOrder(platform.infra.mongoUrl, user, 'prd_000106', 2);
    try {
      // Published: cart (the real consumer of OrderPlaced) empties this customer's cart.
      const emptied = () => invoke('cart', 'GET', `carts/${user}`, { headers: customer(user) }).then((r) => r.body.item_count);
      await waitFor('the cart to empty', emptied, (n) => n === 0, 15_000);
      // Marked: the cursor is gone, so the relay will not send it again.
      await waitFor(
        'the cursor to clear',
        () => stranded.cursorCleared(),
        (cleared) => cleared,
      );
    } finally {
      await stranded.close();
    }
  });

  it('payment provider outage: the order waits on durable timers and is CONFIRMED once the provider is back', async () => {
    const user = newUser();
    await setStock('prd_000107', 5);
    await fillCart(user, 'prd_000107', 1);
    await outage(true);
    let orderId: string;
    try {
      orderId = (await placeOrder(user)).body.order_id;
      // The saga reached the authorisation, found the provider down, and waits on a durable timer.
      await expect.poll(() => sagaStatus(orderId), { timeout: 15_000, interval: 200 }).toMatch(/waiting: authorize unavailable/);
      // Still waiting, nothing lost: PENDING with its stock held.
      expect((await orderOf(user, orderId)).status).toBe('PENDING');
      expect(await stockOf('prd_000107')).toMatchObject({ stock_qty: 4, reserved: 1 });
    } finally {
      await outage(false);
    }
    const order = await waitForStatus(user, orderId, (s) => s !== 'PENDING', PAYMENT_WAIT_SECONDS * 1000);
    expect(order.status).toBe('CONFIRMED');
    expect((await invoke('payments', 'GET', `payments/${orderId}`)).body.status).toBe('captured');
  });

  it(
    `payment provider outage beyond ORDER_PAYMENT_WAIT_SECONDS (${PAYMENT_WAIT_SECONDS} s): CANCELLED with compensations`,
    { timeout: 150_000 },
    async () => {
      const user = newUser();
      await setStock('prd_000108', 5);
      await fillCart(user, 'prd_000108', 2);
      await outage(true);
      let orderId: string;
      try {
        orderId = (await placeOrder(user)).body.order_id;
        // Past the wait: the saga gives up on the authorisation and starts compensating.
        await expect
          .poll(() => sagaStatus(orderId), { timeout: (PAYMENT_WAIT_SECONDS + 15) * 1000, interval: 500 })
          .toMatch(/cancelling: payment provider unavailable/);
        expect((await orderOf(user, orderId)).status).toBe('PENDING'); // the void needs the provider to say "never charged"
      } finally {
        await outage(false);
      }
      // Payments' breaker on the provider half-opens 30 s after it tripped; the compensation retries until then.
      const order = await waitForStatus(user, orderId, (s) => s !== 'PENDING', 90_000);
      expect(order).toMatchObject({ status: 'CANCELLED', cancel_reason: 'payment provider unavailable' });
      expect(await stockOf('prd_000108')).toMatchObject({ stock_qty: 5, reserved: 0 });
      expect((await invoke('payments', 'GET', `payments/${orderId}`)).body.status).toBe('voided');
    },
  );
});
