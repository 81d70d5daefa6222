// Recommendations through real sidecars: the catalog read over Dapr service invocation, OrderConfirmed and
// ProductViewed learned from Redis Streams pub/sub, the counts kept in the Dapr state store (Redis).
import { createHash } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { RecommendationsResponse } from '@globalmart/contracts';
import { publishRaw } from '../harness/events.ts';
import { startPlatform, type Platform } from '../harness/platform.ts';
import { reportLogsOnFailure } from '../harness/vitest.ts';

let platform: Platform;
beforeAll(async () => {
  platform = await startPlatform({ apps: ['catalog', 'recommendations'], env: { recommendations: { RECS_CATALOG_RETRY_MS: '500' } } });
});
afterAll(async () => {
  await platform?.stop();
});
afterEach(reportLogsOnFailure(() => platform));

/** As the gateway's product page calls it, from the gateway's sidecar (a bare one: the gateway is not running here). */
const recommendations = (query: string) => platform.invoke('gateway', 'recommendations', 'GET', `recommendations?${query}`);
const items = async (query: string) => RecommendationsResponse.parse((await recommendations(query)).body).items;
const pairs = async (query: string) => (await items(query)).map((r) => [r.product_id, r.reason]);

const run = Date.now().toString(36);
const orderId = (label: string) => `ord_${createHash('md5').update(`${run}:${label}`).digest('hex')}`;

/** A full CloudEvent, so its id is ours (publishing the same one twice is a redelivery), as the topic's publisher sends it. */
async function publish(topic: string, id: string, type: string, data: unknown) {
  await publishRaw(platform, topic, type, data, id);
}
const orderConfirmed = (id: string, label: string, productIds: string[]) =>
  publish('orders', id, 'globalmart.orders.order-confirmed.v1', {
    order_id: orderId(label),
    customer_id: 'usr_system',
    items: productIds.map((product_id) => ({ product_id, quantity: 2, unit_price: 10, currency: 'USD' })),
    total: 20 * productIds.length,
    currency: 'USD',
    occurred_at: new Date().toISOString(),
  });

const poll = { timeout: 20_000, interval: 300 };

describe('recommendations through Dapr', () => {
  it('reads the catalog over service invocation: a product with no history gets similar items from its category, never itself', async () => {
    // The demo catalog: prd_000001..050 are electronics.
    await expect
      .poll(async () => (await items('product_id=prd_000050&limit=8')).filter((r) => r.reason === 'similar').length, poll)
      .toBe(8);
    const answer = await items('product_id=prd_000050&limit=8');
    expect(answer.map((r) => r.product_id)).not.toContain('prd_000050');
    expect(answer.every((r) => Number(r.product_id.slice(4)) <= 50)).toBe(true);
    expect(new Set(answer.map((r) => r.product_id)).size).toBe(8);
    // Only the product page asks for recommendations: catalog (which recommendations reads) may not call back.
    expect((await platform.invoke('catalog', 'recommendations', 'GET', 'recommendations?product_id=prd_000050')).status).toBe(403);
  });

  it('learns co-purchases from OrderConfirmed: B is recommended with A', async () => {
    await orderConfirmed(`${run}-ab`, 'ab', ['prd_000101', 'prd_000102']);
    await expect.poll(async () => (await pairs('product_id=prd_000101&limit=3'))[0], poll).toEqual(['prd_000102', 'co-purchase']);
    await expect.poll(async () => (await pairs('product_id=prd_000102&limit=3'))[0], poll).toEqual(['prd_000101', 'co-purchase']);
  });

  it('counts a CloudEvent published twice (same id) once: a pair bought in two orders ranks above it', async () => {
    // A+C in one event delivered twice; A+D in two orders. Counted once, D (2) leads C (1); counted twice, C would tie
    // D and lead it on the product-id tie-break.
    await orderConfirmed(`${run}-ac`, 'ac', ['prd_000201', 'prd_000203']);
    await orderConfirmed(`${run}-ac`, 'ac', ['prd_000201', 'prd_000203']);
    await orderConfirmed(`${run}-ad1`, 'ad1', ['prd_000201', 'prd_000204']);
    await orderConfirmed(`${run}-ad2`, 'ad2', ['prd_000201', 'prd_000204']);
    const coPurchases = async () =>
      (await items('product_id=prd_000201&limit=4')).filter((r) => r.reason === 'co-purchase').map((r) => [r.product_id, r.score]);
    await expect.poll(coPurchases, poll).toEqual([
      ['prd_000204', 3],
      ['prd_000203', 2.5],
    ]);
    // Both copies were delivered (one log line per delivery), yet the pair counts once.
    const deliveries = () =>
      platform
        .logs(2000)
        .split('\n')
        .filter((line) => line.includes('OrderConfirmed learned') && line.includes(`"event_id":"${run}-ac"`)).length;
    await expect.poll(deliveries, poll).toBeGreaterThanOrEqual(2);
    expect(await coPurchases()).toEqual([
      ['prd_000204', 3],
      ['prd_000203', 2.5],
    ]);
  });

  it('answers popular items for a product it knows nothing about, and similar items for what a user viewed', async () => {
    await expect
      .poll(async () => (await items('product_id=prd_999999&limit=3')).map((r) => r.reason), poll)
      .toEqual(['popular', 'popular', 'popular']);
    const popular = await items('product_id=prd_999999&limit=50');
    expect(popular.map((r) => r.product_id)).not.toContain('prd_999999');
    // The purchases above: prd_000201 was in three orders, more than any other product.
    expect(popular[0]?.product_id).toBe('prd_000201');

    // prd_000060 is a book (51..100); a viewer of it gets other books.
    await publish('catalog', `${run}-view`, 'globalmart.catalog.product-viewed.v1', {
      product_id: 'prd_000060',
      user_id: `viewer-${run}`,
      occurred_at: new Date().toISOString(),
    });
    await expect
      .poll(async () => (await items(`user_id=viewer-${run}&limit=5`)).map((r) => r.reason), poll)
      .toEqual(Array(5).fill('similar'));
    const forViewer = await items(`user_id=viewer-${run}&limit=5`);
    expect(
      forViewer.every((r) => r.product_id !== 'prd_000060' && Number(r.product_id.slice(4)) > 50 && Number(r.product_id.slice(4)) <= 100),
    ).toBe(true);
  });

  it.each([
    ['product_id=not-a-product', 'product_id'],
    ['product_id=prd_000001&limit=0', 'limit'],
  ])('rejects %s with 400 problem+json naming %s', async (query, field) => {
    const res = await recommendations(query);
    expect(res.status).toBe(400);
    expect(res.contentType).toMatch(/^application\/problem\+json/);
    expect((res.body as { errors: { field: string }[] }).errors.map((e) => e.field)).toContain(field);
  });
});
