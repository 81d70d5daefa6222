import { RecommendationsResponse } from '@globalmart/contracts';
import { createApp, createLogger, finalizeApp, loadConfig } from '@globalmart/platform';
import { createMemoryDapr } from '@globalmart/platform/testing';
import { createHash } from 'node:crypto';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { catalogSync } from '../src/catalog.sync.ts';
import { createLearner } from '../src/learner.ts';
import { ENGINE, Model } from '../src/model.ts';
import { recommendationsEventRoutes, recommendationsRoutes } from '../src/recommendations.routes.ts';

const logger = createLogger(loadConfig({}, { APP_ID: 'recommendations', APP_PORT: '0', LOG_LEVEL: 'silent' }));

const product = (n: number, category: string, price: number, tags: string[]) => ({
  id: `prd_${String(n).padStart(6, '0')}`,
  name: `Product ${n}`,
  description: '',
  price,
  currency: 'USD',
  category,
  image_url: 'https://images.example/x.jpg',
  tags,
});
// 150 products (two catalog pages): 1-75 books around $20, 76-150 toys around $40.
const products = Array.from({ length: 150 }, (_, i) =>
  i < 75 ? product(i + 1, 'books', 18 + (i % 5), ['reading']) : product(i + 1, 'toys', 36 + (i % 5), ['kids']),
);

function setup() {
  const dapr = createMemoryDapr();
  const catalog = new Map(products.map((p) => [p.id, p]));
  dapr.invoker.on('catalog', 'products', (req) => {
    const page = Number(req.query.get('page'));
    const size = Number(req.query.get('page_size'));
    const all = [...catalog.values()];
    return { body: { data: all.slice((page - 1) * size, page * size), page, page_size: size, total: all.length } };
  });
  for (const id of catalog.keys()) {
    dapr.invoker.on('catalog', `products/${id}`, () => {
      const found = catalog.get(id);
      return found ? { body: found } : { status: 404, body: { status: 404, code: 'CATALOG.PRODUCT_NOT_FOUND' } };
    });
  }
  const model = new Model();
  const cas = { attempts: 20, busyCode: 'RECOMMENDATIONS.BUSY' };
  const learner = createLearner({ store: dapr.state('statestore'), model, cas, logger, eventMemorySeconds: 60, userCacheMs: 60_000 });
  const sync = catalogSync(dapr.invoker, model, logger);
  const app = createApp({ config: {}, logger });
  app.use(recommendationsRoutes(model, learner), recommendationsEventRoutes(learner, sync, logger));
  return { dapr, catalog, model, sync, http: request(finalizeApp(app, logger)) };
}

const cloudEvent = (id: string, type: string, data: unknown) => ({
  specversion: '1.0',
  id,
  source: 'test',
  type,
  datacontenttype: 'application/json',
  data,
});
/** Order ids look like ord_ + 32 hex digits; the label makes one. */
const orderId = (label: string) => `ord_${createHash('md5').update(label).digest('hex')}`;
const orderConfirmed = (id: string, order: string, productIds: string[]) =>
  cloudEvent(id, 'globalmart.orders.order-confirmed.v1', {
    order_id: orderId(order),
    customer_id: 'usr_1',
    items: productIds.map((product_id) => ({ product_id, quantity: 3, unit_price: 10, currency: 'USD' })),
    total: 30 * productIds.length,
    currency: 'USD',
    occurred_at: new Date().toISOString(),
  });
const viewed = (id: string, productId: string, userId?: string) =>
  cloudEvent(id, 'globalmart.catalog.product-viewed.v1', {
    product_id: productId,
    ...(userId ? { user_id: userId } : {}),
    occurred_at: new Date().toISOString(),
  });

async function recommend(http: ReturnType<typeof setup>['http'], query: Record<string, string>) {
  const res = await http.get('/recommendations').query(query).expect(200);
  return RecommendationsResponse.parse(res.body);
}

describe('GET /recommendations', () => {
  it('loads every catalog page, then blends co-purchase, similar and popular items without the product itself', async () => {
    const { http, sync, model, dapr } = setup();
    await sync.loadAll();
    expect(model.productCount).toBe(150);
    expect(dapr.invoker.calls.filter((c) => c.method === 'products').map((c) => c.request.query)).toEqual([
      { page: 1, page_size: 100 },
      { page: 2, page_size: 100 },
    ]);
    for (const [id, order, items] of [
      ['e1', 'ord_1', ['prd_000001', 'prd_000080']],
      ['e2', 'ord_2', ['prd_000001', 'prd_000080', 'prd_000090']],
      ['e3', 'ord_3', ['prd_000001', 'prd_000090']],
      ['e4', 'ord_4', ['prd_000001', 'prd_000080']],
    ] as const) {
      const res = await http
        .post('/events/order-confirmed')
        .set('content-type', 'application/cloudevents+json')
        .send(orderConfirmed(id, order, [...items]))
        .expect(200);
      expect(res.body).toEqual({ status: 'SUCCESS' });
    }
    const answer = await recommend(http, { product_id: 'prd_000001', limit: '5' });
    expect(answer.engine).toBe(ENGINE);
    expect(answer.items.slice(0, 2).map((r) => [r.product_id, r.reason])).toEqual([
      ['prd_000080', 'co-purchase'], // 3 orders
      ['prd_000090', 'co-purchase'], // 2 orders
    ]);
    expect(
      answer.items.slice(2).every((r) => r.reason === 'similar' && products[Number(r.product_id.slice(4)) - 1]!.category === 'books'),
    ).toBe(true);
    expect(answer.items).toHaveLength(5);
    expect(answer.items.map((r) => r.product_id)).not.toContain('prd_000001');
    expect(new Set(answer.items.map((r) => r.product_id)).size).toBe(5);
  });

  it('counts a redelivered CloudEvent (same id) once', async () => {
    const { http } = setup();
    const send = (event: object) =>
      http.post('/events/order-confirmed').set('content-type', 'application/cloudevents+json').send(event).expect(200);
    // prd_000002 + prd_000003 in one event delivered three times; prd_000002 + prd_000004 in two different orders.
    for (let i = 0; i < 3; i++) await send(orderConfirmed('dup', 'ord_a', ['prd_000002', 'prd_000003']));
    await send(orderConfirmed('x1', 'ord_b', ['prd_000002', 'prd_000004']));
    await send(orderConfirmed('x2', 'ord_c', ['prd_000002', 'prd_000004']));
    const answer = await recommend(http, { product_id: 'prd_000002' });
    expect(answer.items.slice(0, 2).map((r) => [r.product_id, r.reason])).toEqual([
      ['prd_000004', 'co-purchase'],
      ['prd_000003', 'co-purchase'],
    ]);
  });

  it('answers popular items for a product with no history and no catalog entry, and for an anonymous visitor', async () => {
    const { http } = setup();
    const ce = (id: string, p: string) =>
      http.post('/events/product-viewed').set('content-type', 'application/cloudevents+json').send(viewed(id, p)).expect(200);
    await ce('v1', 'prd_000010');
    await ce('v2', 'prd_000010');
    await ce('v3', 'prd_000011');
    await http
      .post('/events/order-confirmed')
      .set('content-type', 'application/cloudevents+json')
      .send(orderConfirmed('o1', 'ord_1', ['prd_000012']));
    const unknown = await recommend(http, { product_id: 'prd_999999' });
    expect(unknown.items.map((r) => [r.product_id, r.reason])).toEqual([
      ['prd_000012', 'popular'],
      ['prd_000010', 'popular'],
      ['prd_000011', 'popular'],
    ]);
    expect((await recommend(http, {})).items.map((r) => r.product_id)).toEqual(['prd_000012', 'prd_000010', 'prd_000011']);
    const self = await recommend(http, { product_id: 'prd_000012' });
    expect(self.items.map((r) => r.product_id)).toEqual(['prd_000010', 'prd_000011']);
  });

  it('recommends to a user what is similar to their recent views', async () => {
    const { http, sync } = setup();
    await sync.loadAll();
    await http
      .post('/events/product-viewed')
      .set('content-type', 'application/cloudevents+json')
      .send(viewed('v1', 'prd_000100', 'ann'))
      .expect(200);
    const answer = await recommend(http, { user_id: 'ann', limit: '10' });
    expect(answer.items).toHaveLength(10);
    expect(answer.items.every((r) => r.reason === 'similar' && Number(r.product_id.slice(4)) > 75)).toBe(true);
    expect(answer.items.map((r) => r.product_id)).not.toContain('prd_000100');
    // Someone who viewed nothing gets the popular item (prd_000100, viewed once).
    expect((await recommend(http, { user_id: 'bob' })).items).toEqual([{ product_id: 'prd_000100', score: 1, reason: 'popular' }]);
  });

  it('re-reads a product on ProductUpdated and drops one catalog no longer has', async () => {
    const { http, sync, catalog, model } = setup();
    await sync.loadAll();
    catalog.set('prd_000005', { ...catalog.get('prd_000005')!, category: 'toys', tags: ['kids'] });
    catalog.delete('prd_000006');
    const updated = (id: string, p: string) =>
      cloudEvent(id, 'globalmart.catalog.product-updated.v1', {
        product_id: p,
        price: 20,
        currency: 'USD',
        category: 'toys',
        changed_fields: ['category'],
        occurred_at: new Date().toISOString(),
      });
    for (const [id, p] of [
      ['u1', 'prd_000005'],
      ['u2', 'prd_000006'],
    ]) {
      expect(
        (await http.post('/events/product-updated').set('content-type', 'application/cloudevents+json').send(updated(id!, p!)).expect(200))
          .body,
      ).toEqual({ status: 'SUCCESS' });
    }
    expect(model.product('prd_000005')?.category).toBe('toys');
    expect(model.product('prd_000006')).toBeUndefined();
    const similar = (await recommend(http, { product_id: 'prd_000005', limit: '50' })).items.map((r) => Number(r.product_id.slice(4)));
    expect(similar.every((n) => n > 75)).toBe(true);
  });

  it('drops an event whose data breaks the contract, and asks for a retry while the store fails', async () => {
    const { http, dapr } = setup();
    const bad = orderConfirmed('b1', 'ord_1', ['prd_000001']);
    (bad.data as { items: unknown[] }).items = [];
    expect((await http.post('/events/order-confirmed').set('content-type', 'application/cloudevents+json').send(bad)).body).toEqual({
      status: 'DROP',
    });
    dapr.state('statestore').save = () => Promise.reject(new Error('sidecar gone'));
    const res = await http
      .post('/events/order-confirmed')
      .set('content-type', 'application/cloudevents+json')
      .send(orderConfirmed('b2', 'ord_2', ['prd_000001']));
    expect(res.body).toEqual({ status: 'RETRY' });
  });

  it.each([
    [{ product_id: 'nope' }, 'product_id'],
    [{ product_id: 'prd_000001', limit: '0' }, 'limit'],
    [{ limit: '51' }, 'limit'],
    [{ limit: 'ten' }, 'limit'],
    [{ user_id: '' }, 'user_id'],
  ])('rejects %j with 400 problem+json naming %s', async (query, field) => {
    const { http } = setup();
    const res = await http.get('/recommendations').query(query).expect(400);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect((res.body as { errors: { field: string }[] }).errors.map((e) => e.field)).toContain(field);
  });

  it('subscribes to the orders and catalog topics with a dead-letter topic each', async () => {
    const { http } = setup();
    const subs = (await http.get('/dapr/subscribe').expect(200)).body as {
      topic: string;
      deadLetterTopic: string;
      routes: { rules: { match: string }[] };
    }[];
    expect(subs.map((s) => [s.topic, s.deadLetterTopic, s.routes.rules.length]).sort()).toEqual([
      ['catalog', 'catalog-dlq', 2],
      ['orders', 'orders-dlq', 1],
    ]);
  });
});
