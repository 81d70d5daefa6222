// Losing a replica. Orders runs three instances, each beside its own sidecar: the checkout sagas (Dapr Workflow
// actors, spread over the instances by placement) and its background work (the outbox relay, a Dapr job that the
// scheduler hands to one connected instance per tick) must survive instances dying — whole, app and sidecar, as a
// crashed pod does. The same checks hold for every background job: none runs in a timer of its own process.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { waitUntil } from '@globalmart/devstack';
import { plantStrandedOrder } from '../harness/outbox.ts';
import { startPlatform, type Platform } from '../harness/platform.ts';
import { Storefront, type Session } from '../harness/storefront.ts';
import { reportLogsOnFailure } from '../harness/vitest.ts';

const apps = ['catalog', 'inventory', 'cart', 'psp', 'payments', 'shipping', 'identity', 'orders', 'gateway'];
let platform: Platform;
let shop: Storefront;
let adminToken: string;

beforeAll(async () => {
  platform = await startPlatform({
    apps,
    replicas: { orders: 3, shipping: 2, inventory: 2 },
    placement: true,
  });
  shop = new Storefront(platform.url('gateway'));
  adminToken = await shop.newAdmin(platform);
});
afterAll(async () => {
  await platform?.stop();
});
afterEach(reportLogsOnFailure(() => platform));

/** Kills one instance of an app the way a crashed pod goes: its process and its sidecar at once (SIGKILL). */
async function crash(appId: string, replica: number): Promise<void> {
  const instance = platform.instances(appId).find((i) => i.replica === replica);
  if (!instance) throw new Error(`${appId} has no replica ${replica}`);
  await Promise.all([instance.kill(), instance.killSidecar()]);
}

// Past the saga: CONFIRMED, or already SHIPPED / DELIVERED (a saga resumed late finds its shipment's jobs due at once),
// or CANCELLED.
const final = (status: string) => status !== 'PENDING';
const fulfilled = ['CONFIRMED', 'SHIPPED', 'DELIVERED'];
/** The provider's own count for an order (payments charges with the order id as idempotency key): what was charged. */
const chargesAtProvider = async (orderId: string): Promise<number> => {
  const res = await fetch(`${platform.url('psp')}/admin/idempotency/${orderId}`, { headers: platform.appHeaders('psp') });
  return ((await res.json()) as { charges: number }).charges;
};

describe('replicas: an instance of orders dies', () => {
  it('mid-checkout: every accepted order still reaches its final state, each charged once, stock taken once', async () => {
    const productId = 'prd_000120';
    expect((await shop.call('PATCH', `/api/admin/products/${productId}`, { token: adminToken, body: { stock_qty: 50 } })).status).toBe(200);
    const buyers: Session[] = [];
    for (let i = 0; i < 8; i++) buyers.push(await shop.newCustomer(`Buyer ${i}`));
    for (const b of buyers) {
      expect((await shop.call('POST', '/api/cart/items', { token: b.token, body: { product_id: productId, quantity: 1 } })).status).toBe(
        200,
      );
    }
    const accepted = await Promise.all(buyers.map((b) => shop.checkout(b, { paymentMethod: 'tok_slow' })));
    for (const a of accepted) expect(a.status, JSON.stringify(a.body)).toBe(201);

    // tok_slow: the sagas are waiting on the provider (3 s) when one orders instance, with the workflow actors placement
    // put on it, crashes. (Replica 0 stays: the harness acts as orders through it.)
    await crash('orders', 2);

    // The sagas that were running on the crashed instance resume elsewhere once Dapr retries their lost work item (seen
    // here: ~1 minute after the crash), so the wait is generous.
    const orders = await Promise.all(accepted.map((a, i) => shop.waitForOrder(buyers[i]!, a.body.order_id, final, 240_000)));
    for (const o of orders) expect(fulfilled, JSON.stringify(o.status_history)).toContain(o.status);
    // A saga step cut off by the crash runs again elsewhere (payments may call the provider twice): it charges once.
    for (const o of orders) expect(await chargesAtProvider(o.order_id)).toBe(1);
    expect((await shop.call('GET', `/api/products/${productId}`)).body.stock_qty).toBe(50 - orders.length);
  }, 300_000);

  it('running the outbox relay: another instance takes it over, and then another', async () => {
    // Replica 2 is gone (above). The relay job is delivered to whichever instance is connected; crash the next one
    // too, so whichever was running it, a stranded event is still published by the last one standing.
    for (const [round, crashNext] of [
      [1, true],
      [2, false],
    ] as const) {
      const buyer = await shop.newCustomer(`Relay ${round}`);
      expect(
        (await shop.call('POST', '/api/cart/items', { token: buyer.token, body: { product_id: 'prd_000121', quantity: 1 } })).status,
      ).toBe(200);
      const stranded = await plantStrandedOrder(platform.infra.mongoUrl, buyer.userId, 'prd_000121', 1);
      try {
        // Published (cart, the real consumer of OrderPlaced, empties the cart) and marked (the cursor is gone).
        await waitUntil(
          `round ${round}: the stranded OrderPlaced to reach cart`,
          async () => (await shop.call('GET', '/api/cart', { token: buyer.token })).body.items?.length === 0,
          { timeoutMs: 60_000 },
        );
        await waitUntil(`round ${round}: the cursor to clear`, () => stranded.cursorCleared(), { timeoutMs: 30_000 });
      } finally {
        await stranded.close();
      }
      if (crashNext) await crash('orders', 1);
    }
  });
});
