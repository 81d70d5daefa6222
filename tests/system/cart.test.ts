// The cart through real sidecars: prices from catalog, stock from inventory, carts in the Dapr state store (Redis)
// with etag concurrency, emptied by OrderPlaced on the orders topic (published as orders publishes it).
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Cart, eventTypes, Product, StockLevel } from '@globalmart/contracts';
import { publishEvent } from '../harness/events.ts';
import { startPlatform, type Platform } from '../harness/platform.ts';
import { reportLogsOnFailure } from '../harness/vitest.ts';

let platform: Platform;
beforeAll(async () => {
  platform = await startPlatform({ apps: ['catalog', 'inventory', 'cart'] });
});
afterAll(async () => {
  await platform?.stop();
});
afterEach(reportLogsOnFailure(() => platform));

const user = (id: string, role = 'customer') => ({ 'x-user-id': id, 'x-user-role': role });

/**
 * A Dapr service invocation from the gateway's sidecar, as the gateway makes it for a signed-in user: services believe
 * x-user-* only from the gateway's app-id (the gateway itself is not running here, so it is a bare sidecar).
 */
const invoke = (appId: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
  platform.invoke('gateway', appId, method, path, body, headers);
const cart = (method: string, path: string, userId: string, body?: unknown) => invoke('cart', method, path, body, user(userId));
const product = async (id: string) => Product.parse((await invoke('catalog', 'GET', `products/${id}`)).body);
const lines = (c: Cart) => c.items.map((l) => [l.product_id, l.quantity]).sort();

describe('cart through Dapr', () => {
  it('inventory seeded the demo catalog with deterministic stock (prd_000007 → 27)', async () => {
    const level = async () => StockLevel.parse((await invoke('inventory', 'GET', 'stock/prd_000007')).body).stock_qty;
    await expect.poll(level, { timeout: 30_000, interval: 500 }).toBe(27);
  });

  it('adds, patches and deletes lines, priced and named by catalog, totals in exact cents', async () => {
    const [p1, p2] = [await product('prd_000005'), await product('prd_000006')];
    expect(Cart.parse((await cart('GET', 'carts/alice', 'alice')).body)).toEqual({
      user_id: 'alice',
      items: [],
      total: 0,
      currency: 'USD',
      item_count: 0,
    });
    await cart('POST', 'carts/alice/items', 'alice', { product_id: p1.id, quantity: 2 });
    const added = await cart('POST', 'carts/alice/items', 'alice', { product_id: p2.id, quantity: 3 });
    expect(added.status).toBe(200);
    const body = Cart.parse(added.body);
    const cents = (price: number) => Math.round(price * 100);
    expect(body.items[0]).toEqual({
      product_id: p1.id,
      name: p1.name,
      quantity: 2,
      unit_price: p1.price,
      currency: p1.currency,
      line_total: (2 * cents(p1.price)) / 100,
    });
    expect(body.total).toBe((2 * cents(p1.price) + 3 * cents(p2.price)) / 100);
    expect(body.item_count).toBe(5);

    const patched = Cart.parse((await cart('PATCH', `carts/alice/items/${p1.id}`, 'alice', { quantity: 4 })).body);
    expect(lines(patched)).toEqual([
      [p1.id, 4],
      [p2.id, 3],
    ]);
    const deleted = Cart.parse((await cart('DELETE', `carts/alice/items/${p2.id}`, 'alice')).body);
    expect(lines(deleted)).toEqual([[p1.id, 4]]);
    // Clearing a whole cart is not a call the architecture makes (the storefront removes lines, OrderPlaced takes what
    // was ordered): the gateway is refused it, and the cart is untouched.
    const clear = await cart('DELETE', 'carts/alice', 'alice');
    expect(clear.status).toBe(403);
    expect(lines(Cart.parse((await cart('GET', 'carts/alice', 'alice')).body))).toEqual([[p1.id, 4]]);
    expect(Cart.parse((await cart('DELETE', `carts/alice/items/${p1.id}`, 'alice')).body).items).toEqual([]);
  });

  it('answers 409 CART.INSUFFICIENT_STOCK with the available units, and 404 for a product catalog does not know', async () => {
    expect((await invoke('inventory', 'PUT', 'stock/prd_000010', { stock_qty: 2 }, user('ops', 'admin'))).status).toBe(200);
    const short = await cart('POST', 'carts/bob/items', 'bob', { product_id: 'prd_000010', quantity: 3 });
    expect(short.status).toBe(409);
    expect(short.body).toMatchObject({ code: 'CART.INSUFFICIENT_STOCK', product_id: 'prd_000010', available: 2, requested: 3 });
    const unknown = await cart('POST', 'carts/bob/items', 'bob', { product_id: 'prd_999999', quantity: 1 });
    expect(unknown.status).toBe(404);
    expect(unknown.body.code).toBe('CART.PRODUCT_NOT_FOUND');
    expect(Cart.parse((await cart('GET', 'carts/bob', 'bob')).body).items).toEqual([]);
  });

  it("hides another user's cart (404) and needs a signed-in caller (401); an admin may read it", async () => {
    await cart('POST', 'carts/carol/items', 'carol', { product_id: 'prd_000011', quantity: 1 });
    const other = await cart('GET', 'carts/carol', 'mallory');
    expect(other.status).toBe(404);
    expect(other.body.code).toBe('CART.NOT_FOUND');
    expect((await cart('POST', 'carts/carol/items', 'mallory', { product_id: 'prd_000011', quantity: 1 })).status).toBe(404);
    expect((await invoke('cart', 'GET', 'carts/carol')).status).toBe(401);
    // Another service cannot borrow a user's identity: inventory has no business with carts, so it is refused.
    expect((await platform.invoke('inventory', 'cart', 'GET', 'carts/carol', undefined, user('carol'))).status).toBe(403);
    expect(Cart.parse((await invoke('cart', 'GET', 'carts/carol', undefined, user('ops', 'admin'))).body).item_count).toBe(1);
  });

  it('keeps every one of concurrent adds of different products (etag conflicts retried), new cart or not', async () => {
    const ids = ['prd_000021', 'prd_000022', 'prd_000023', 'prd_000024'];
    for (let round = 0; round < 3; round++) {
      const who = `racer-${round}`;
      if (round === 2) await cart('POST', `carts/${who}/items`, who, { product_id: 'prd_000025', quantity: 1 }); // an existing cart too
      const answers = await Promise.all(ids.map((id) => cart('POST', `carts/${who}/items`, who, { product_id: id, quantity: 1 })));
      expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200]);
      const final = Cart.parse((await cart('GET', `carts/${who}`, who)).body);
      expect(lines(final)).toEqual([...ids, ...(round === 2 ? ['prd_000025'] : [])].map((id) => [id, 1]).sort());
    }
  });

  it.each([
    [{ product_id: 'prd_000001', quantity: 0 }, 'quantity'],
    [{ product_id: 'not-a-product', quantity: 1 }, 'product_id'],
    [{ product_id: 'prd_000001', quantity: 1, price: 0.01 }, 'price'],
  ])('rejects %j with 400 problem+json naming %s', async (body, field) => {
    const res = await cart('POST', 'carts/dave/items', 'dave', body);
    expect(res.status).toBe(400);
    expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
  });

  it('takes the ordered units out of the cart when OrderPlaced arrives on the orders topic', async () => {
    await cart('POST', 'carts/erin/items', 'erin', { product_id: 'prd_000031', quantity: 3 });
    await cart('POST', 'carts/erin/items', 'erin', { product_id: 'prd_000032', quantity: 1 });
    const p = await product('prd_000031');
    const data = {
      order_id: 'ord-erin-1',
      customer_id: 'erin',
      items: [{ product_id: p.id, quantity: 2, unit_price: p.price, currency: p.currency }],
      total: (2 * Math.round(p.price * 100)) / 100,
      currency: p.currency,
      occurred_at: new Date().toISOString(),
    };
    await publishEvent(platform, eventTypes.OrderPlaced, data);
    const erin = async () => lines(Cart.parse((await cart('GET', 'carts/erin', 'erin')).body));
    await expect.poll(erin, { timeout: 15_000, interval: 300 }).toEqual([
      ['prd_000031', 1],
      ['prd_000032', 1],
    ]);
  });
});
