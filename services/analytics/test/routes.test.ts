import { eventCatalog, Funnel, SalesReport, TopProducts } from '@globalmart/contracts';
import { Jobs, createApp, createLogger, finalizeApp, loadConfig } from '@globalmart/platform';
import { MemoryJobScheduler } from '@globalmart/platform/testing';
import request from 'supertest';
import { beforeEach, describe, expect, it } from 'vitest';
import { ROLLUP_JOB, analyticsEventRoutes, fallbackId } from '../src/analytics.events.routes.ts';
import { toFact } from '../src/analytics.rules.ts';
import { analyticsService } from '../src/analytics.service.ts';
import { reportsRoutes } from '../src/reports.routes.ts';
import { confirmed, line, orderId, viewed } from './fixtures.ts';
import { memoryAnalyticsRepository, type MemoryAnalyticsRepository } from './memory.analytics.repository.ts';

const logger = createLogger(loadConfig({}, { APP_ID: 'analytics', APP_PORT: '0', LOG_LEVEL: 'silent' }));
// A call through Dapr from the gateway: the sidecar stamps dapr-caller-app-id, the gateway the caller's identity.
const admin = { 'dapr-caller-app-id': 'gateway', 'x-user-id': 'usr_admin', 'x-user-role': 'admin' };
const customer = { ...admin, 'x-user-id': 'usr_1', 'x-user-role': 'customer' };

let app: ReturnType<typeof createApp>;
let repo: MemoryAnalyticsRepository;
let rollups: number;
beforeEach(() => {
  repo = memoryAnalyticsRepository();
  rollups = 0;
  const analytics = analyticsService({ repo, logger, currency: 'USD', pendingGraceMs: 0 });
  const jobs = new Jobs(new MemoryJobScheduler(), logger).every(
    ROLLUP_JOB,
    5_000,
    async () => void ((rollups += 1), await analytics.rollup()),
  );
  app = createApp({ config: {}, logger });
  app.use(jobs.router(), analyticsEventRoutes(analytics, logger), reportsRoutes(analytics));
  finalizeApp(app, logger);
});

/** As daprd delivers a pub/sub message: the CloudEvent envelope as the body. */
const deliver = (route: string, e: { type: string; id?: string; data: unknown }) =>
  request(app)
    .post(route)
    .set('content-type', 'application/cloudevents+json')
    .send(JSON.stringify({ specversion: '1.0', source: 'orders', datacontenttype: 'application/json', ...e }));

describe('subscriptions', () => {
  it('subscribes to every topic of the catalogue, routing every event type', async () => {
    const res = await request(app).get('/dapr/subscribe').expect(200);
    const subs = res.body as { topic: string; routes: { rules: { match: string }[] } }[];
    const topics = [...new Set(Object.values(eventCatalog).map((s) => s.topic))].sort();
    expect(subs.map((s) => s.topic).sort()).toEqual(topics);
    const matched = subs.flatMap((s) => s.routes.rules.map((r) => r.match));
    for (const type of Object.keys(eventCatalog)) expect(matched).toContain(`event.type == '${type}'`);
  });

  it('records an event once however often it is delivered, and drops invalid data', async () => {
    const e = confirmed(orderId(1), new Date().toISOString(), [line(1, 2, 4.5)]);
    expect((await deliver('/events/order-confirmed', e).expect(200)).body).toEqual({ status: 'SUCCESS' });
    expect((await deliver('/events/order-confirmed', e).expect(200)).body).toEqual({ status: 'SUCCESS' });
    expect(repo.facts.size).toBe(1);
    const report = SalesReport.parse((await request(app).get('/reports/sales').set(admin).expect(200)).body);
    expect(report.totals).toEqual({ orders: 1, revenue: 9 });
    const bad = { ...e, id: 'bad-1', data: { ...e.data, total: -1 } };
    expect((await deliver('/events/order-confirmed', bad).expect(200)).body).toEqual({ status: 'DROP' });
    expect(repo.facts.has('bad-1')).toBe(false);
  });

  it('gives an event without a CloudEvent id a content-derived one, so its repeat dedupes too', async () => {
    const { id: _, ...noId } = viewed(1, new Date().toISOString());
    await deliver('/events/product-viewed', noId).expect(200);
    await deliver('/events/product-viewed', noId).expect(200);
    expect([...repo.facts.keys()]).toEqual([fallbackId(noId.type, noId.data)]);
  });

  it('stores events only some read model uses as raw facts (a payment, a stock update)', async () => {
    const at = new Date().toISOString();
    await deliver('/events/payment-processed', {
      type: 'globalmart.payments.payment-processed.v1',
      id: `${orderId(1)}:payment-processed`,
      data: { order_id: orderId(1), payment_id: 'pay_1', amount_minor: 900, currency: 'USD', occurred_at: at },
    }).expect(200);
    await deliver('/events/stock-updated', {
      type: 'globalmart.inventory.stock-updated.v1',
      id: 'stock-1',
      data: { product_id: 'prd_000001', stock_qty: 3, occurred_at: at },
    }).expect(200);
    expect([...repo.facts.values()].map((f) => [f.kind, f.order_id ?? f.product_id, f.status])).toEqual([
      ['PaymentProcessed', orderId(1), undefined],
      ['StockUpdated', 'prd_000001', undefined],
    ]);
  });
});

describe('rollup job', () => {
  it('runs a rollup per trigger of the Dapr job (POST /job/analytics-rollup), which applies pending facts', async () => {
    const at = new Date().toISOString(); // both views in one hour
    await deliver('/events/product-viewed', viewed(1, at)).expect(200);
    // Applied before the delivery was acknowledged: nothing left pending.
    expect([...repo.bucketDocs.values()].map((b) => [b.granularity, b.product_views])).toEqual([
      ['hour', 1],
      ['day', 1],
    ]);
    expect(repo.pendingDocs.size).toBe(0);
    // A fact a crashed process stored but did not apply: its marker is all the rollup needs.
    const e = viewed(1, at);
    await repo.markPending({ _id: e.id, at: new Date() });
    await repo.insertFact(toFact(e.type, e.id, e.data, new Date()));
    await request(app).post(`/job/${ROLLUP_JOB}`).set('content-type', 'application/json').send('{}').expect(200);
    expect(rollups).toBe(1);
    expect([...repo.bucketDocs.values()].map((b) => b.product_views)).toEqual([2, 2]);
    expect(repo.pendingDocs.size).toBe(0);
    expect(repo.facts.get(e.id)?.applied_at).toBeInstanceOf(Date);
  });
});

describe('reports', () => {
  it.each(['/reports/sales', '/reports/top-products', '/reports/funnel'])('%s: 401 anonymous, 403 customer, 200 admin', async (path) => {
    expect((await request(app).get(path).expect(401)).body.code).toBe('AUTH.UNAUTHENTICATED');
    // The identity headers count only on a call that came through Dapr.
    await request(app).get(path).set({ 'x-user-id': 'usr_admin', 'x-user-role': 'admin' }).expect(401);
    const denied = await request(app).get(path).set(customer).expect(403);
    expect(denied.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(denied.body.code).toBe('AUTH.ADMIN_ONLY');
    await request(app).get(path).set(admin).expect(200);
  });

  it('answers in the contracts’ shapes', async () => {
    SalesReport.parse((await request(app).get('/reports/sales?granularity=day').set(admin).expect(200)).body);
    TopProducts.parse((await request(app).get('/reports/top-products?by=revenue&limit=3').set(admin).expect(200)).body);
    Funnel.parse((await request(app).get('/reports/funnel').set(admin).expect(200)).body);
    // The longest ranges allowed: 31 days hourly, a year daily.
    await request(app).get('/reports/sales?from=2026-01-01T00:00:00Z&to=2026-02-01T00:00:00Z').set(admin).expect(200);
    await request(app).get('/reports/sales?granularity=day&from=2025-01-01T00:00:00Z&to=2026-01-02T00:00:00Z').set(admin).expect(200);
  });

  it.each([
    ['/reports/sales?granularity=week', 'granularity'],
    ['/reports/sales?from=2026-05-02T00:00:00Z&to=2026-05-01T00:00:00Z', 'from'],
    ['/reports/sales?to=tomorrow', 'to'],
    ['/reports/top-products?by=views', 'by'],
    ['/reports/top-products?limit=101', 'limit'],
    ['/reports/top-products?limit=1e2', 'limit'],
    ['/reports/funnel?from=2026-13-01T00:00:00Z', 'from'],
    // Ranges are capped (one read per hour or day of the range): hourly and the hour-based reports 31 days, daily a year.
    ['/reports/sales?from=2026-01-01T00:00:00Z&to=2026-02-01T00:00:01Z', 'from'],
    ['/reports/sales?granularity=day&from=2025-01-01T00:00:00Z&to=2026-01-02T00:00:01Z', 'from'],
    ['/reports/funnel?from=2008-01-18T22:09:00Z&to=2021-12-26T01:13:06Z', 'from'],
    ['/reports/top-products?from=2000-01-01T00:00:00Z', 'from'],
  ])('%s → 400 problem+json naming %s', async (path, field) => {
    const res = await request(app).get(path).set(admin).expect(400);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect((res.body as { errors: { field: string }[] }).errors.map((e) => e.field)).toContain(field);
  });
});
