// One contract for both recommendation engines (TypeScript, services/recommendations; Go, services/recommendations-go),
// driven only through Dapr: the same event history published through the broker, the same queries by service
// invocation from the gateway's sidecar, the learned documents read through the engine's own sidecar's state API.
// Both engines must give exactly the answers, problem bodies and stored documents in
// __snapshots__/recommendations.contract.snap (one file for both: identical, tie-breaks included), count a redelivered
// event once, and leave the gateway's product page `degraded` when they are down.
import { createHash } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { RecommendationsResponse } from '@globalmart/contracts';
import type { Stack } from '@globalmart/devstack';
import { publishRaw } from '../harness/events.ts';
import { startPlatform, type Platform } from '../harness/platform.ts';
import { reportLogsOnFailure } from '../harness/vitest.ts';

const ORDER_CONFIRMED = 'globalmart.orders.order-confirmed.v1';
const PRODUCT_VIEWED = 'globalmart.catalog.product-viewed.v1';
const prd = (n: number) => `prd_${String(n).padStart(6, '0')}`;
const orderId = (label: string) => `ord_${createHash('md5').update(label).digest('hex')}`;

interface Published {
  topic: string;
  type: string;
  id: string;
  data: unknown;
}
const order = (id: string, products: number[]): Published => ({
  topic: 'orders',
  type: ORDER_CONFIRMED,
  id,
  data: {
    order_id: orderId(id),
    customer_id: 'usr_contract',
    items: products.map((n) => ({ product_id: prd(n), quantity: 2, unit_price: 10, currency: 'USD' })),
    total: 20 * products.length,
    currency: 'USD',
    occurred_at: '2026-11-30T10:00:00.000Z',
  },
});
const view = (id: string, product: number, userId?: string, at = '2026-11-30T10:00:00.000Z'): Published => ({
  topic: 'catalog',
  type: PRODUCT_VIEWED,
  id,
  data: { product_id: prd(product), ...(userId ? { user_id: userId } : {}), occurred_at: at },
});

// The history (demo catalog: 1-50 electronics, 51-100 books, …). Every tie-break of the ranking is exercised: co-purchase
// counts (201: 203 twice, 202 once), equal counts broken by popularity (301: 303 viewed), equal popularity by id (401).
const history: Published[] = [
  order('o1', [101, 102]),
  order('o2', [101, 102, 103]),
  order('o3', [101, 104]),
  order('o3', [101, 104]), // redelivered: the same CloudEvent id, counted once
  order('o4', [201, 202]),
  order('o5', [201, 203]),
  order('o6', [201, 203]),
  order('o7', [301, 302]),
  order('o8', [301, 303]),
  order('o9', [401, 402]),
  order('o10', [401, 403]),
  view('v1', 303),
  view('v2', 303),
  view('v2', 303), // redelivered
  view('v3', 60, 'user-a', '2026-11-30T10:00:00.000Z'),
  view('v4', 61, 'user-a', '2026-11-30T10:05:00.000Z'),
  view('v5', 10, 'user-b', '2026-11-30T10:01:00.000Z'),
  view('v6', 60, 'user-a', '2026-11-30T09:00:00.000Z'), // an older view of a product seen since: stays behind 061
];
// Never applied (a product id that breaks the schema): dropped by both, so it changes nothing.
const poison: Published = { topic: 'orders', type: ORDER_CONFIRMED, id: 'bad', data: { ...(order('bad', [1]).data as object), items: [] } };

const queries = [
  'product_id=prd_000101&limit=6',
  'product_id=prd_000102',
  'product_id=prd_000201&limit=4',
  'product_id=prd_000301&limit=3',
  'product_id=prd_000401&limit=3',
  'product_id=prd_000050&limit=8',
  'product_id=prd_999999&limit=10',
  'product_id=prd_000101&user_id=user-a&limit=3',
  'user_id=user-a&limit=5',
  'user_id=user-b&limit=5',
  'user_id=nobody&limit=5',
  'limit=5',
];
const badQueries = [
  'product_id=not-a-product',
  'product_id=prd_000001&limit=0',
  'limit=51',
  'limit=abc',
  'limit=1.5',
  'user_id=',
  `user_id=${'u'.repeat(65)}`,
  'product_id=prd_000001&product_id=prd_000002',
  'product_id=x&limit=0&user_id=',
];
/** The documents the engines write (same app-id, so the same keys in the same store). */
const storedKeys = ['recs:index', ...[101, 102, 103, 104, 201, 203, 303, 401].map((n) => `recs:product:${prd(n)}`), 'recs:user:user-a'];

/** JSON with every object's keys sorted: the engines may write members in another order (JSON objects are unordered). */
const canonical = (v: unknown): unknown =>
  Array.isArray(v)
    ? v.map(canonical)
    : v && typeof v === 'object'
      ? Object.fromEntries(
          Object.entries(v)
            .sort(([a], [b]) => (a < b ? -1 : 1))
            .map(([k, x]) => [k, canonical(x)]),
        )
      : v;

const engines: Stack[] = ['ts', 'go'];
/** What each engine learned and answered, for a direct comparison when both run in one process (as in `npm test`). */
const seen: Partial<Record<Stack, string>> = {};

describe.each(engines)('recommendations contract on the %s engine', (engine) => {
  let platform: Platform;
  beforeAll(async () => {
    platform = await startPlatform({
      apps: ['catalog', 'recommendations', 'gateway'],
      stacks: { recommendations: engine },
      env: { recommendations: { RECS_CATALOG_RETRY_MS: '500' } },
    });
  }, 300_000);
  afterAll(async () => {
    await platform?.stop();
  });
  afterEach(reportLogsOnFailure(() => platform));

  const ask = (query: string) => platform.invoke('gateway', 'recommendations', 'GET', `recommendations?${query}`);
  const state = async (key: string) => {
    const res = await fetch(`${platform.daprUrl('recommendations')}/v1.0/state/statestore/${encodeURIComponent(key)}`, {
      headers: platform.daprHeaders('recommendations'),
    });
    return res.status === 200 ? ((await res.json()) as Record<string, unknown>) : undefined;
  };
  const applied = async (id: string) => (await state(`recs:event:${createHash('sha256').update(id).digest('hex')}`)) !== undefined;

  it('learns the same history into the same answers and the same stored documents', async () => {
    // The catalog is read at start (similarity needs it): the electronics around prd_000050 are there.
    await expect
      .poll(async () => RecommendationsResponse.parse((await ask('product_id=prd_000050&limit=8')).body).items.length, { timeout: 30_000 })
      .toBe(8);
    for (const e of [...history, poison]) await publishRaw(platform, e.topic, e.type, e.data, e.id);
    const ids = [...new Set(history.map((e) => e.id))];
    // Done when every event's "applied in full" marker is stored (the poison one never is).
    await expect.poll(async () => (await Promise.all(ids.map(applied))).every(Boolean), { timeout: 30_000, interval: 250 }).toBe(true);

    const answers: Record<string, unknown> = {};
    for (const q of queries) {
      const res = await ask(q);
      expect(res.status).toBe(200);
      const body = RecommendationsResponse.parse(res.body);
      expect(body.engine).toBe(engine === 'go' ? 'globalmart-go/1' : 'globalmart-ts/1');
      answers[q] = body.items;
    }
    const stored: Record<string, unknown> = {};
    for (const key of storedKeys) {
      const doc = await state(key);
      // `applied` lists event ids in the order they were applied (concurrent deliveries): compared as a set.
      stored[key] = doc && Array.isArray(doc.applied) ? { ...doc, applied: [...(doc.applied as string[])].sort() } : doc;
    }
    const problems: Record<string, unknown> = {};
    for (const q of badQueries) {
      const res = await ask(q);
      problems[q] = { status: res.status, contentType: res.contentType.split(';')[0], body: res.body };
    }
    const observed = JSON.stringify(canonical({ answers, stored, problems }), null, 2);
    seen[engine] = observed;
    for (const other of engines) if (other !== engine && seen[other] !== undefined) expect(observed).toBe(seen[other]);
    await expect(observed).toMatchFileSnapshot('./__snapshots__/recommendations.contract.snap');

    // Spelled out, what the file holds: a redelivered order counted once, co-purchase ties broken by popularity then id.
    expect(stored[`recs:product:${prd(104)}`]).toMatchObject({ purchases: 1, co: { [prd(101)]: 1 } });
    expect((answers['product_id=prd_000201&limit=4'] as { product_id: string }[]).slice(0, 2).map((r) => r.product_id)).toEqual([
      prd(203),
      prd(202),
    ]);
    expect((answers['product_id=prd_000301&limit=3'] as { product_id: string }[]).slice(0, 2).map((r) => r.product_id)).toEqual([
      prd(303),
      prd(302),
    ]);
    expect((answers['product_id=prd_000401&limit=3'] as { product_id: string }[]).slice(0, 2).map((r) => r.product_id)).toEqual([
      prd(402),
      prd(403),
    ]);
  });

  it('is reached only through the gateway: its own sidecar and catalog are refused, and calls without its app token', async () => {
    expect((await platform.invoke('catalog', 'recommendations', 'GET', 'recommendations?product_id=prd_000050')).status).toBe(403);
    const direct = await fetch(`${platform.url('recommendations')}/recommendations?product_id=prd_000050`);
    expect(direct.status).toBe(401);
    expect(direct.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  });

  it("feeds the gateway's product page, which answers degraded while the engine is down", async () => {
    const page = await fetch(`${platform.url('gateway')}/api/products/${prd(101)}`);
    const body = (await page.json()) as { recommendations: { product_id: string; reason: string }[]; degraded: string[] };
    expect(body.recommendations.slice(0, 3)).toEqual([
      { product_id: prd(102), reason: 'co-purchase' },
      { product_id: prd(103), reason: 'co-purchase' },
      { product_id: prd(104), reason: 'co-purchase' },
    ]);
    expect(body.degraded).not.toContain('recommendations');
    await platform.stopApp('recommendations');
    const down = await fetch(`${platform.url('gateway')}/api/products/${prd(101)}`);
    expect(down.status).toBe(200);
    const downBody = (await down.json()) as { recommendations: unknown[]; degraded: string[] };
    expect(downBody.degraded).toContain('recommendations');
    expect(downBody.recommendations).toEqual([]);
  });
});
