// Inventory through real sidecars, Redis behind the Dapr state store: all-or-none reservations, idempotency,
// commit/release, expiry, OrderCancelled, and the oversell race.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ordersEventTypes, Reservation, StockLevel } from '@globalmart/contracts';
import { publishEvent } from '../harness/events.ts';
import { startPlatform, type Platform } from '../harness/platform.ts';
import { reportLogsOnFailure } from '../harness/vitest.ts';

let platform: Platform;
beforeAll(async () => {
  platform = await startPlatform({
    apps: ['inventory'],
    scheduler: true,
    env: { inventory: { INVENTORY_SEED: 'none', INVENTORY_SWEEP_MS: '200' } },
  });
});
afterAll(async () => {
  await platform?.stop();
});
afterEach(reportLogsOnFailure(() => platform));

const admin = { 'x-user-id': 'admin-1', 'x-user-role': 'admin' };
const customer = { 'x-user-id': 'cust-1', 'x-user-role': 'customer' };

/**
 * Through Dapr from the app the architecture makes the call from (bare sidecars: neither runs here): stock is read and
 * set by the gateway (for a signed-in admin), reservations are the orders saga's.
 */
async function call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const res = await platform.invoke(path.startsWith('reservations') ? 'orders' : 'gateway', 'inventory', method, path, body, headers);
  return { status: res.status, body: res.body };
}
const setStock = async (id: string, qty: number) => expect((await call('PUT', `stock/${id}`, { stock_qty: qty }, admin)).status).toBe(200);
const level = async (id: string) => StockLevel.parse((await call('GET', `stock/${id}`)).body);
const timed = async <T>(run: () => Promise<T>) => {
  const started = performance.now();
  const result = await run();
  return { result, ms: performance.now() - started };
};
const rate = (n: number, ms: number) => ((n / ms) * 1000).toFixed(0);
const reserve = (order_id: string, items: { product_id: string; quantity: number }[], ttl_seconds?: number) =>
  call('POST', 'reservations', { order_id, items, ...(ttl_seconds ? { ttl_seconds } : {}) });
// With `{}`: daprd forwards a body-less POST as `transfer-encoding: chunked` without a content type, which the
// kit's requireJsonBody (packages/platform/src/app.ts) answers with 415 before any route runs.
const commit = (orderId: string) => call('POST', `reservations/${orderId}/commit`, {});
const release = (orderId: string) => call('POST', `reservations/${orderId}/release`, {});

describe('inventory through Dapr', () => {
  it('lets an admin set stock (others get 401/403) and reads it back, one or many', async () => {
    expect((await call('PUT', 'stock/prd_000101', { stock_qty: 7 })).status).toBe(401);
    expect((await call('PUT', 'stock/prd_000101', { stock_qty: 7 }, customer)).status).toBe(403);
    const set = await call('PUT', 'stock/prd_000101', { stock_qty: 7 }, admin);
    expect(set).toEqual({ status: 200, body: { product_id: 'prd_000101', stock_qty: 7, reserved: 0 } });
    // Many at once: the gateway's stock badges (GET /api/stock?ids=) read them through Dapr.
    const many = await call('GET', 'stock?ids=prd_000101,prd_000102');
    expect(many.status).toBe(200);
    expect(many.body.data).toEqual([set.body, { product_id: 'prd_000102', stock_qty: 0, reserved: 0 }]);
    const bad = await call('PUT', 'stock/prd_000101', { stock_qty: -3 }, admin);
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: { field: string }) => e.field)).toEqual(['stock_qty']);
  });

  it('reserves all lines or none: a short second line leaves the first one untouched', async () => {
    await setStock('prd_000201', 5);
    await setStock('prd_000202', 1);
    const res = await reserve('ord-allornone', [
      { product_id: 'prd_000201', quantity: 2 },
      { product_id: 'prd_000202', quantity: 2 },
    ]);
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({ code: 'INVENTORY.INSUFFICIENT_STOCK', product_ids: ['prd_000202'] });
    expect(await level('prd_000201')).toEqual({ product_id: 'prd_000201', stock_qty: 5, reserved: 0 });
    expect((await level('prd_000202')).stock_qty).toBe(1);
  });

  it('is idempotent by order_id: the same order twice (and five at once) decrements once', async () => {
    await setStock('prd_000301', 10);
    const items = [{ product_id: 'prd_000301', quantity: 3 }];
    const first = await reserve('ord-idem', items);
    expect(first.status).toBe(201);
    expect(Reservation.parse(first.body)).toMatchObject({ order_id: 'ord-idem', status: 'reserved', items });
    const again = await reserve('ord-idem', items);
    expect(again).toEqual({ status: 200, body: first.body });
    const burst = await Promise.all(Array.from({ length: 5 }, () => reserve('ord-idem-burst', items)));
    expect(burst.map((r) => r.status).sort()).toEqual([200, 200, 200, 200, 201]);
    expect(await level('prd_000301')).toEqual({ product_id: 'prd_000301', stock_qty: 4, reserved: 6 });
  });

  it('commits (units leave for good) and releases (units come back), both idempotent', async () => {
    await setStock('prd_000401', 10);
    expect((await reserve('ord-commit', [{ product_id: 'prd_000401', quantity: 4 }])).status).toBe(201);
    expect((await reserve('ord-release', [{ product_id: 'prd_000401', quantity: 5 }])).status).toBe(201);
    expect(await level('prd_000401')).toEqual({ product_id: 'prd_000401', stock_qty: 1, reserved: 9 });
    for (let i = 0; i < 2; i++) {
      expect(await commit('ord-commit')).toEqual({ status: 200, body: { status: 'committed' } });
      expect(await release('ord-release')).toEqual({ status: 200, body: { status: 'released' } });
    }
    expect(await level('prd_000401')).toEqual({ product_id: 'prd_000401', stock_qty: 6, reserved: 0 });
    expect((await commit('ord-release')).body.code).toBe('INVENTORY.RESERVATION_RELEASED');
    expect((await release('ord-commit')).body.code).toBe('INVENTORY.RESERVATION_COMMITTED');
    expect(await release('ord-never-seen')).toEqual({ status: 200, body: { status: 'released' } });
  });

  it('releases a reservation that is not committed by expires_at', async () => {
    await setStock('prd_000501', 3);
    expect((await reserve('ord-expiring', [{ product_id: 'prd_000501', quantity: 2 }], 1)).status).toBe(201);
    expect((await level('prd_000501')).stock_qty).toBe(1);
    await expect
      .poll(() => level('prd_000501'), { timeout: 10_000, interval: 200 })
      .toEqual({ product_id: 'prd_000501', stock_qty: 3, reserved: 0 });
    expect((await commit('ord-expiring')).body.code).toBe('INVENTORY.RESERVATION_RELEASED');
  });

  it('releases the reservation of an order cancelled on the orders topic (OrderCancelled)', async () => {
    await setStock('prd_000601', 4);
    const orderId = `ord_${'c'.repeat(32)}`; // orders' id format: OrderCancelled is validated with its schema
    expect((await reserve(orderId, [{ product_id: 'prd_000601', quantity: 4 }])).status).toBe(201);
    const cancelled = { order_id: orderId, customer_id: 'cust-1', reason: 'payment declined', occurred_at: new Date().toISOString() };
    await publishEvent(platform, ordersEventTypes.OrderCancelled, cancelled);
    await expect
      .poll(() => level('prd_000601'), { timeout: 10_000, interval: 200 })
      .toEqual({ product_id: 'prd_000601', stock_qty: 4, reserved: 0 });
  });

  it('keeps exact counts under contention: 50 concurrent orders on one product, 50 on 50 products', async () => {
    await setStock('prd_000801', 1000);
    const hot = await timed(() =>
      Promise.all(Array.from({ length: 50 }, (_, i) => reserve(`ord-hot-${i}`, [{ product_id: 'prd_000801', quantity: 2 }]))),
    );
    expect(hot.result.map((r) => r.status)).toEqual(Array(50).fill(201));
    expect(await level('prd_000801')).toEqual({ product_id: 'prd_000801', stock_qty: 900, reserved: 100 });
    const ids = Array.from({ length: 50 }, (_, i) => `prd_0009${String(i).padStart(2, '0')}`);
    await Promise.all(ids.map((id) => setStock(id, 5)));
    const spread = await timed(() => Promise.all(ids.map((id, i) => reserve(`ord-spread-${i}`, [{ product_id: id, quantity: 1 }]))));
    expect(spread.result.map((r) => r.status)).toEqual(Array(50).fill(201));
    console.log(
      `reservations: 50 on one product in ${hot.ms.toFixed(0)} ms (${rate(50, hot.ms)}/s); 50 on 50 products in ${spread.ms.toFixed(0)} ms (${rate(50, spread.ms)}/s)`,
    );
  });

  it('never oversells: 40 concurrent one-unit reservations against 10 units → exactly 10 reserved', async () => {
    await setStock('prd_000701', 10);
    const race = await timed(() =>
      Promise.all(Array.from({ length: 40 }, (_, i) => reserve(`ord-race-${i}`, [{ product_id: 'prd_000701', quantity: 1 }]))),
    );
    expect(race.result.filter((r) => r.status === 201)).toHaveLength(10);
    const refused = race.result.filter((r) => r.status !== 201);
    expect(refused.map((r) => [r.status, r.body.code])).toEqual(Array(30).fill([409, 'INVENTORY.INSUFFICIENT_STOCK']));
    expect(await level('prd_000701')).toEqual({ product_id: 'prd_000701', stock_qty: 0, reserved: 10 });
    console.log(
      `oversell race: 40 concurrent reservations answered in ${race.ms.toFixed(0)} ms (${rate(40, race.ms)}/s): 10 reserved, 30 refused`,
    );
  });
});
