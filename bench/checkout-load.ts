// The checkout load both the checkout and the fan-out benchmarks apply: customers refill their carts and check out
// in a closed loop through the gateway, as a storefront would.
import type { Platform } from '../tests/harness/platform.ts';
import { Storefront, type Session } from '../tests/harness/storefront.ts';

export interface CheckoutLoad {
  shop: Storefront;
  adminToken: string;
  /** Acceptance latency of every POST /api/orders, ms. */
  accept: number[];
  /** When each of those checkouts began (epoch ms), in the same order. */
  acceptStartedAt: number[];
  orders: { id: string; customer: Session }[];
  failed: number;
  /** When each failure happened (epoch ms). */
  failedAt: number[];
  /** What went wrong, by step and status, so a failed count can be explained. */
  failures: Record<string, number>;
}

export type PreparedShop = Awaited<ReturnType<typeof prepareShop>>;

/** An admin, `workers` customers and 20 products with ample stock. */
export async function prepareShop(platform: Platform, workers: number) {
  const shop = new Storefront(platform.url('gateway'));
  await platform.createAdmin('bench@globalmart.test', 'a long admin passphrase');
  const adminToken = (
    await shop.call('POST', '/api/auth/login', { body: { email: 'bench@globalmart.test', password: 'a long admin passphrase' } })
  ).body.access_token as string;
  const products = Array.from({ length: 20 }, (_, i) => `prd_${String(200 + i).padStart(6, '0')}`);
  for (const p of products) await shop.call('PATCH', `/api/admin/products/${p}`, { token: adminToken, body: { stock_qty: 1_000_000 } });
  const customers: Session[] = [];
  for (let i = 0; i < workers; i++) customers.push(await shop.newCustomer(`Bench ${i}`));
  return { shop, adminToken, products, customers };
}

/**
 * Runs the loop for `seconds`. Closed (each customer checks out again as soon as the last order was accepted: all the
 * machine gives) unless `ordersPerSecond` paces the checkouts to a fixed rate across the customers. Several phases of
 * one benchmark share a `prepared` shop.
 */
export async function runCheckoutLoad(
  platform: Platform,
  workers: number,
  seconds: number,
  ordersPerSecond?: number,
  prepared?: PreparedShop,
): Promise<CheckoutLoad> {
  const { shop, adminToken, products, customers } = prepared ?? (await prepareShop(platform, workers));
  const load: CheckoutLoad = { shop, adminToken, accept: [], acceptStartedAt: [], orders: [], failed: 0, failedAt: [], failures: {} };
  const fail = (step: string, status: number) => {
    load.failed++;
    load.failedAt.push(Date.now());
    load.failures[`${step} ${status}`] = (load.failures[`${step} ${status}`] ?? 0) + 1;
  };
  const deadline = Date.now() + seconds * 1000;
  let nextSlot = Date.now();
  /** Paced: each checkout takes the next free slot of the schedule and waits for it. */
  const pace = async () => {
    if (!ordersPerSecond) return;
    const slot = nextSlot;
    nextSlot += 1000 / ordersPerSecond;
    if (slot > Date.now()) await new Promise((r) => setTimeout(r, slot - Date.now()));
  };
  await Promise.all(
    customers.map(async (c, w) => {
      for (let n = 0; Date.now() < deadline; n++) {
        await pace();
        if (Date.now() >= deadline) break;
        const add = await shop.call('POST', '/api/cart/items', {
          token: c.token,
          body: { product_id: products[(w + n) % products.length], quantity: 1 },
        });
        if (add.status !== 200) {
          fail('add-to-cart', add.status);
          continue;
        }
        const [startedAt, t0] = [Date.now(), performance.now()];
        const res = await shop.checkout(c);
        load.accept.push(performance.now() - t0);
        load.acceptStartedAt.push(startedAt);
        if (res.status === 201) load.orders.push({ id: res.body.order_id, customer: c });
        else fail('checkout', res.status);
      }
    }),
  );
  return load;
}

/** Waits (bounded) for every order to leave PENDING and returns each one's recorded status history. */
export async function settledOrders(load: CheckoutLoad, boundMs = 120_000) {
  const until = Date.now() + boundMs;
  const settled: { id: string; customer: Session; history: { status: string; at: string }[] | undefined }[] = [];
  for (const o of load.orders) {
    const order = await load.shop
      .waitForOrder(o.customer, o.id, (st) => st !== 'PENDING', Math.max(1, until - Date.now()))
      .catch(() => undefined);
    settled.push({ ...o, history: order?.status_history as { status: string; at: string }[] | undefined });
  }
  return settled;
}
