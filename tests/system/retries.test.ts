// Retries never change the answer (ADR 0005). Dapr retries an invocation whose attempt timed out (resiliency.yaml:
// `standard` on cart and catalog, timeouts `general` 5 s and `fast` 2 s), and the attempt it gave up on is not undone:
// the app may still apply it. Here the target app is frozen (SIGSTOP) past its timeout, so Dapr retries; it is thawed
// with the first attempt still in it, so both the first attempt and the retry reach the app. The gateway's
// Idempotency-Key makes the app apply the request once: the cart holds the quantity once, catalog makes one product.
import { waitUntil } from '@globalmart/devstack';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startPlatform, type Platform } from '../harness/platform.ts';
import { productDraft, Storefront, type Body, type Session } from '../harness/storefront.ts';
import { reportLogsOnFailure } from '../harness/vitest.ts';

let platform: Platform;
let shop: Storefront;
let customer: Session;
let adminToken: string;
beforeAll(async () => {
  platform = await startPlatform({ apps: ['catalog', 'inventory', 'cart', 'identity', 'gateway'] });
  shop = new Storefront(platform.url('gateway'));
  customer = await shop.newCustomer();
  adminToken = await shop.newAdmin(platform);
});
afterAll(async () => {
  await platform?.stop();
});
afterEach(reportLogsOnFailure(() => platform));

/** The sum of a Prometheus metric's samples whose labels include `labels`. */
async function metric(url: string, name: string, labels: Record<string, string> = {}): Promise<number> {
  const text = await (await fetch(url)).text();
  return text
    .split('\n')
    .filter((l) => l.startsWith(`${name}{`) || l.startsWith(`${name} `))
    .filter((l) => Object.entries(labels).every(([k, v]) => l.includes(`${k}="${v}"`)))
    .reduce((sum, l) => sum + Number(l.split(' ').at(-1)), 0);
}
/** Retries the gateway's sidecar scheduled for calls to `appId` (Dapr counts one when an attempt failed). */
const retriesTo = (appId: string) =>
  metric(platform.apps.gateway!.daprMetricsUrl, 'dapr_resiliency_activations_total', { policy: 'retry', target: `app_${appId}` });
/** Requests with `method` the app's sidecar handed to the app (not those it refused while the app was unhealthy). */
const deliveredTo = (appId: string, method: string) =>
  metric(platform.apps[appId]!.daprMetricsUrl, 'dapr_http_client_sent_bytes_count', { method });

/**
 * Sends `call` with the app frozen, and thaws it once the gateway's sidecar has given up on the first attempt and
 * scheduled its retry (so the first attempt is still queued at the app, and the retry follows it); `call`'s answer.
 */
async function withRetriedAttempt(appId: string, call: () => Promise<{ status: number; body: Body }>) {
  const pid = platform.apps[appId]!.app.pid!;
  const retries = await retriesTo(appId);
  process.kill(pid, 'SIGSTOP');
  let answer: Promise<{ status: number; body: Body }>;
  try {
    answer = call();
    await waitUntil(`the gateway's sidecar to retry its call to ${appId}`, async () => (await retriesTo(appId)) > retries, {
      timeoutMs: 30_000,
      intervalMs: 100,
    });
  } finally {
    process.kill(pid, 'SIGCONT');
  }
  return answer;
}

describe('a call Dapr retries is applied once', () => {
  it('add to cart: the first attempt and its retry both reach the cart, which holds the quantity once', async () => {
    const product = 'prd_000003';
    const delivered = await deliveredTo('cart', 'POST');
    const res = await withRetriedAttempt('cart', () =>
      shop.call('POST', '/api/cart/items', { token: customer.token, body: { product_id: product, quantity: 2 } }),
    );
    expect(res.status).toBe(200);
    expect(res.body.items).toEqual([expect.objectContaining({ product_id: product, quantity: 2 })]);
    // Both attempts reached the cart app: the one Dapr gave up on, and a retry.
    expect(await deliveredTo('cart', 'POST')).toBeGreaterThanOrEqual(delivered + 2);
    const stored = (await shop.call('GET', '/api/cart', { token: customer.token })).body;
    expect(stored.items).toEqual([expect.objectContaining({ product_id: product, quantity: 2 })]);
    expect(stored.item_count).toBe(2);
    // A new request (a new key) still adds.
    const more = await shop.call('POST', '/api/cart/items', { token: customer.token, body: { product_id: product, quantity: 1 } });
    expect(more.body.item_count).toBe(3);
  });

  it('admin create: the first attempt and its retry both reach catalog, which makes one product', async () => {
    const name = `Retried Create ${Date.now()}`;
    const delivered = await deliveredTo('catalog', 'POST');
    const res = await withRetriedAttempt('catalog', () =>
      shop.call('POST', '/api/admin/products', { token: adminToken, body: productDraft(name) }),
    );
    expect(res.status).toBe(201);
    expect(await deliveredTo('catalog', 'POST')).toBeGreaterThanOrEqual(delivered + 2);
    const found = (await shop.call('GET', `/api/products?q=${encodeURIComponent(name)}`)).body;
    expect(found.data.map((p: { id: string }) => p.id)).toEqual([res.body.id]);
    expect(found.total).toBe(1);
  });

  it('a client repeating a change with its own Idempotency-Key gets the same answer, applied once', async () => {
    const key = { 'idempotency-key': `client-${Date.now()}` };
    const body = { product_id: 'prd_000004', quantity: 1 };
    const first = await shop.call('POST', '/api/cart/items', { token: customer.token, body, headers: key });
    const again = await shop.call('POST', '/api/cart/items', { token: customer.token, body, headers: key });
    expect(again.status).toBe(200);
    expect(again.body).toEqual(first.body);
    const reused = await shop.call('POST', '/api/cart/items', {
      token: customer.token,
      body: { ...body, quantity: 2 },
      headers: key,
    });
    expect(reused.status).toBe(422);
    expect(reused.body.code).toBe('CART.IDEMPOTENCY_KEY_REUSED');
  });
});
