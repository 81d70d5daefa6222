// The walking skeleton, end to end: storefront → gateway → daprd → daprd → catalog → FerretDB.
import { get } from 'node:http';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ProductListResponse } from '@globalmart/contracts';
import { startPlatform, type Platform } from '../harness/platform.ts';
import { relaxedRateLimits } from '../harness/rate-limits.ts';
import { reportLogsOnFailure } from '../harness/vitest.ts';

let platform: Platform;
beforeAll(async () => {
  platform = await startPlatform({ apps: ['catalog', 'gateway'], env: { gateway: relaxedRateLimits } });
});
afterAll(async () => {
  await platform?.stop();
});
afterEach(reportLogsOnFailure(() => platform));

describe('browse through the gateway', () => {
  it('answers page 2 of the demo catalog with the seed shape', async () => {
    const res = await fetch(`${platform.url('gateway')}/api/products?page=2&page_size=20`);
    expect(res.status).toBe(200);
    const body = ProductListResponse.parse(await res.json());
    expect(body.page).toBe(2);
    expect(body.page_size).toBe(20);
    expect(body.data).toHaveLength(20);
    expect(body.total).toBe(600);
    // Sorted by id: page 2 of 20 starts at the 21st product.
    expect(body.data[0]!.id).toBe('prd_000021');
    expect(body.data[19]!.id).toBe('prd_000040');
  });

  it('crossed Dapr: catalog saw the gateway as the calling app-id, in the same trace', async () => {
    const traceId = 'ab'.repeat(16);
    const res = await fetch(`${platform.url('gateway')}/api/products?page=3&page_size=5`, {
      headers: { traceparent: `00-${traceId}-${'cd'.repeat(8)}-01` },
    });
    expect(res.status).toBe(200);
    const catalogLine = await platform.waitForLog('catalog', (l) => l.includes('"caller":"gateway"') && l.includes('page=3'));
    expect(catalogLine).toContain(`"trace_id":"${traceId}"`);
    const gatewayLine = await platform.waitForLog('gateway', (l) => l.includes('/api/products?page=3'));
    expect(gatewayLine).toContain(`"trace_id":"${traceId}"`);
  });

  it('caches product pages in the Dapr state store (cache-aside)', async () => {
    // A raw call through the gateway's sidecar, as the gateway makes it, to read catalog's response headers.
    const url = `${platform.daprUrl('gateway')}/v1.0/invoke/catalog/method/products?page=7&page_size=13`;
    const read = async () => {
      const res = await fetch(url, { headers: platform.daprHeaders('gateway') });
      return { cache: res.headers.get('x-cache'), body: (await res.json()) as unknown };
    };
    const first = await read();
    expect(first.cache).toBe('miss');
    // The cache write happens after the answer: a later read is a hit with the same page.
    await expect.poll(read, { timeout: 5_000, interval: 50 }).toEqual({ cache: 'hit', body: first.body });
  });

  it('filters by category and text, with totals to match', async () => {
    const res = await fetch(`${platform.url('gateway')}/api/products?category=books&page_size=100`);
    const body = ProductListResponse.parse(await res.json());
    expect(body.total).toBe(50);
    expect(body.data.every((p) => p.category === 'books')).toBe(true);

    const q = await fetch(`${platform.url('gateway')}/api/products?q=kettle&page_size=100`);
    const found = ProductListResponse.parse(await q.json());
    expect(found.total).toBeGreaterThan(0);
    expect(found.data.every((p) => /kettle/i.test(`${p.name} ${p.description} ${p.tags.join(' ')}`))).toBe(true);
  });

  it.each([
    ['page=0', 'page'],
    ['page=abc', 'page'],
    ['page_size=101', 'page_size'],
    ['page_size=0', 'page_size'],
    ['category=Not%20A%20Slug', 'category'],
  ])('rejects %s with 400 problem+json naming %s', async (qs, field) => {
    const res = await fetch(`${platform.url('gateway')}/api/products?${qs}`);
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    const problem = (await res.json()) as { status: number; errors: { field: string }[] };
    expect(problem.status).toBe(400);
    expect(problem.errors.map((e) => e.field)).toContain(field);
  });

  it('serves a product page with a weak ETag, 304 on If-None-Match, and flags missing stock and recommendations as degraded', async () => {
    const url = `${platform.url('gateway')}/api/products/prd_000042`;
    const res = await fetch(url);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { id: string; stock_qty: number | null; recommendations: unknown[]; degraded: string[] };
    expect(body.id).toBe('prd_000042');
    // inventory and recommendations are not running in this platform: the page still answers without them, and says so.
    expect(body.stock_qty).toBeNull();
    expect(body.recommendations).toEqual([]);
    expect(body.degraded).toEqual(['inventory', 'recommendations']);
    const etag = res.headers.get('etag');
    expect(etag).toMatch(/^W\//);
    // Not fetch(): the Fetch standard adds `Cache-Control: no-cache` to conditional requests, as a browser would not.
    const status = await new Promise<number | undefined>((resolve, reject) =>
      get(url, { headers: { 'if-none-match': etag! } }, (r) => {
        r.resume();
        resolve(r.statusCode);
      }).on('error', reject),
    );
    expect(status).toBe(304);
  });

  it('answers 404 problem+json for an unknown product and 400 for a malformed id', async () => {
    const missing = await fetch(`${platform.url('gateway')}/api/products/prd_999999`);
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { code: string }).code).toBe('CATALOG.PRODUCT_NOT_FOUND');
    const bad = await fetch(`${platform.url('gateway')}/api/products/not-an-id`);
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { errors: { field: string }[] }).errors[0]!.field).toBe('id');
  });

  it('refuses admin product routes to anonymous callers', async () => {
    const res = await fetch(`${platform.url('gateway')}/api/admin/products/prd_000001`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ stock_qty: 5 }),
    });
    expect(res.status).toBe(401);
  });

  it('lets an admin (through Dapr) create and replace products, invalidating cached pages', async () => {
    // As the gateway calls catalog for a signed-in admin: only the gateway's x-user-* headers are believed.
    const admin = { 'x-user-id': 'usr_admin', 'x-user-role': 'admin' };
    const catalog = (method: string, path: string, body?: unknown, headers: Record<string, string> = admin) =>
      platform.invoke('gateway', 'catalog', method, path, body, headers);
    const before = ProductListResponse.parse((await catalog('GET', 'products?category=garden&page_size=1')).body);
    const draft = {
      name: 'Solar Lantern',
      description: 'Charges by day, glows by night.',
      price: 24.5,
      currency: 'USD',
      category: 'garden',
      image_url: 'https://images.globalmart.example/products/lantern.jpg',
      tags: ['outdoor', 'solar'],
    };
    const asCustomer = await catalog('POST', 'products', draft, { ...admin, 'x-user-role': 'customer' });
    expect(asCustomer.status).toBe(403);
    // Another service claiming an admin is refused: cart may only read products (its sidecar's policy says so).
    const fromCart = await platform.invoke('cart', 'catalog', 'POST', 'products', draft, admin);
    expect(fromCart.status).toBe(403);
    const created = await catalog('POST', 'products', draft);
    expect(created.status).toBe(201);
    const product = created.body as { id: string };
    const after = ProductListResponse.parse((await catalog('GET', 'products?category=garden&page_size=1')).body);
    expect(after.total).toBe(before.total + 1);
    const replaced = await catalog('PUT', `products/${product.id}`, { ...draft, price: 19.99 });
    expect(replaced.status, JSON.stringify(replaced.body)).toBe(200);
    const page = await (await fetch(`${platform.url('gateway')}/api/products/${product.id}`)).json();
    expect(page).toMatchObject({ id: product.id, price: 19.99 });
    const misspelt = await catalog('POST', 'products', { ...draft, prise: 1 });
    expect(misspelt.status).toBe(400);
  });

  it('gateway /healthz is 200 once catalog is ready, and /readyz names its checks', async () => {
    expect((await fetch(`${platform.url('gateway')}/healthz`)).status).toBe(200);
    const ready = (await (await fetch(`${platform.url('gateway')}/readyz`)).json()) as { checks: Record<string, string> };
    expect(ready.checks).toMatchObject({ sidecar: 'ok', catalog: 'ok' });
  });
});
