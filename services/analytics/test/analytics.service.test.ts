import { eventTypes, FunnelQuery, SalesReportQuery, TopProductsQuery, type EventType } from '@globalmart/contracts';
import { createLogger, loadConfig } from '@globalmart/platform';
import { beforeEach, describe, expect, it } from 'vitest';
import { toFact, type Bucket } from '../src/analytics.rules.ts';
import { analyticsService, type AnalyticsService } from '../src/analytics.service.ts';
import { cancelled, confirmed, line, orderId, placed, product, shipped, viewed } from './fixtures.ts';
import { memoryAnalyticsRepository, type MemoryAnalyticsRepository } from './memory.analytics.repository.ts';

const logger = createLogger(loadConfig({}, { APP_ID: 'analytics', APP_PORT: '0', LOG_LEVEL: 'silent' }));

let clock: Date;
let repo: MemoryAnalyticsRepository;
let analytics: AnalyticsService;
const make = (r: MemoryAnalyticsRepository) =>
  analyticsService({ repo: r, logger, currency: 'USD', pendingGraceMs: 5_000, now: () => clock });
beforeEach(() => {
  clock = new Date('2026-05-01T12:00:00Z');
  repo = memoryAnalyticsRepository();
  analytics = make(repo);
});

type Event = { type: string; id: string; data: Record<string, unknown> };
// record() resolves once the fact is applied everywhere (the delivery is acknowledged only then): nothing to wait for.
const send = (e: Event) => analytics.record(e.type as EventType, e.id, e.data);
/** What a process that crashed right after storing the fact left behind: its marker and the fact, applied nowhere. */
const storedOnly = async (e: Event) => {
  await repo.markPending({ _id: e.id, at: clock });
  await repo.insertFact(toFact(e.type as EventType, e.id, e.data, clock));
};
const day = { from: '2026-05-01T00:00:00Z', to: '2026-05-02T00:00:00Z' };
const sales = (q: Record<string, string> = {}) => analytics.salesReport(SalesReportQuery.parse({ ...day, ...q }));
const funnel = () => analytics.funnel(FunnelQuery.parse(day));
const top = (q: Record<string, string> = {}) => analytics.topProducts(TopProductsQuery.parse({ ...day, ...q }));
const hourDoc = (h: string) => repo.bucketDocs.get(`hour:2026-05-01T${h}:00:00.000Z`);
const dayDoc = () => repo.bucketDocs.get('day:2026-05-01T00:00:00.000Z');

describe('recording events', () => {
  it('shows a confirmed order in the hour and day sales as soon as it is recorded (no rollup needed)', async () => {
    expect(await send(placed(orderId(1), '2026-05-01T10:10:00Z', [line(1, 2, 19.99)]))).toBe('recorded');
    expect(await send(confirmed(orderId(1), '2026-05-01T10:11:00Z', [line(1, 2, 19.99)]))).toBe('recorded');
    expect(await sales()).toEqual({
      granularity: 'hour',
      from: '2026-05-01T00:00:00.000Z',
      to: '2026-05-02T00:00:00.000Z',
      currency: 'USD',
      buckets: [{ start: '2026-05-01T10:00:00.000Z', orders: 1, revenue: 39.98 }],
      totals: { orders: 1, revenue: 39.98 },
      orders_by_status: { PENDING: 0, CONFIRMED: 1, SHIPPED: 0, DELIVERED: 0, CANCELLED: 0 },
    });
    expect((await sales({ granularity: 'day' })).buckets).toEqual([{ start: '2026-05-01T00:00:00.000Z', orders: 1, revenue: 39.98 }]);
    // Finished: every fact marked applied, no marker left.
    expect([...repo.facts.values()].every((f) => f.applied_at instanceof Date)).toBe(true);
    expect(repo.pendingDocs.size).toBe(0);
  });

  it('counts a redelivered event once: the second insert is a duplicate of an applied fact and writes no read model', async () => {
    const e = confirmed(orderId(1), '2026-05-01T10:11:00Z', [line(1, 1, 5)]);
    expect(await send(e)).toBe('recorded');
    const writes = repo.writes;
    expect(await send(e)).toBe('duplicate');
    expect(await send({ ...e, data: { ...e.data, total: 999 } })).toBe('duplicate'); // the id decides, not the content
    expect(repo.writes).toBe(writes);
    expect(repo.facts.size).toBe(1);
    expect(repo.pendingDocs.size).toBe(0);
    expect((await sales()).totals).toEqual({ orders: 1, revenue: 5 });
  });

  it('counts an order once when its confirmation is republished under a new event id', async () => {
    const e = confirmed(orderId(1), '2026-05-01T10:11:00Z', [line(1, 1, 5)]);
    await send(e);
    expect(await send({ ...e, id: 'republished' })).toBe('recorded');
    expect((await sales()).totals).toEqual({ orders: 1, revenue: 5 });
    expect((await funnel()).orders_confirmed).toBe(1);
  });

  it('counts every one of concurrent confirmations of one hour (read-modify-writes serialised and coalesced per bucket)', async () => {
    repo = memoryAnalyticsRepository({ jitterMs: 5 });
    analytics = make(repo);
    const n = 25;
    const outcomes = await Promise.all(
      Array.from({ length: n }, (_, i) =>
        send(confirmed(orderId(i + 1), `2026-05-01T10:${String(i).padStart(2, '0')}:00Z`, [line(1, 1, 0.1)])),
      ),
    );
    expect(outcomes).toEqual(Array.from({ length: n }, () => 'recorded'));
    expect((await sales()).totals).toEqual({ orders: n, revenue: 2.5 });
    expect((await sales({ granularity: 'day' })).totals).toEqual({ orders: n, revenue: 2.5 });
    expect(hourDoc('10')?.applied).toHaveLength(n);
    expect(repo.bucketWrites).toBeLessThan(2 * n); // facts queued behind a write share the next one
  });

  it('counts views per event in their hour and day, without a rollup', async () => {
    await send(viewed(1, '2026-05-01T09:00:00Z'));
    await send(viewed(1, '2026-05-01T09:01:00Z'));
    await send(viewed(2, '2026-05-01T11:01:00Z'));
    expect((await funnel()).product_views).toBe(3);
    expect(hourDoc('09')?.product_views).toBe(2);
    expect(dayDoc()?.product_views).toBe(3);
    expect(dayDoc()?.products.map((p) => [p.product_id, p.views])).toEqual([
      [product(1), 2],
      [product(2), 1],
    ]);
  });

  it('keeps each day equal to the sum of its hours', async () => {
    for (let i = 0; i < 12; i++) {
      const h = String(8 + (i % 4)).padStart(2, '0');
      await send(placed(orderId(i), `2026-05-01T${h}:0${i % 10}:00Z`, [line(i % 3, 1 + i, 1.25)]));
      if (i % 3 !== 2) await send(confirmed(orderId(i), `2026-05-01T${h}:1${i % 10}:00Z`, [line(i % 3, 1 + i, 1.25)]));
      else await send(cancelled(orderId(i), `2026-05-01T${h}:2${i % 10}:00Z`));
      await send(viewed(i % 5, `2026-05-01T${h}:30:00Z`));
    }
    const hours = [...repo.bucketDocs.values()].filter((b) => b.granularity === 'hour');
    expect(hours).toHaveLength(4);
    const counters = [
      'sales_orders',
      'sales_revenue_minor',
      'orders_placed',
      'orders_confirmed',
      'orders_cancelled',
      'product_views',
      'facts',
    ] as const;
    const sum = (k: (typeof counters)[number]) => hours.reduce((n, b: Bucket) => n + b[k], 0);
    expect(Object.fromEntries(counters.map((k) => [k, dayDoc()![k]]))).toEqual(Object.fromEntries(counters.map((k) => [k, sum(k)])));
    expect(dayDoc()).toMatchObject({ sales_orders: 8, orders_placed: 12, orders_cancelled: 4, product_views: 12, facts: 36 });
    const perProduct = (bs: Bucket[]) => {
      const m = new Map<string, number[]>();
      for (const p of bs.flatMap((b) => b.products)) {
        const a = m.get(p.product_id) ?? [0, 0, 0, 0];
        m.set(p.product_id, [a[0]! + p.units, a[1]! + p.revenue_minor, a[2]! + p.orders, a[3]! + p.views]);
      }
      return [...m.entries()].sort();
    };
    expect(perProduct([dayDoc()!])).toEqual(perProduct(hours));
  });

  it('follows each order to its current status for orders_by_status, whatever order its events arrive in', async () => {
    await send(placed(orderId(1), '2026-05-01T10:00:00Z', [line(1, 1, 1)]));
    await send(shipped(orderId(2), '2026-05-01T11:00:00Z')); // before its confirmation and placement
    await send(confirmed(orderId(2), '2026-05-01T10:01:00Z', [line(1, 1, 1)]));
    await send(placed(orderId(2), '2026-05-01T10:00:00Z', [line(1, 1, 1)]));
    await send(cancelled(orderId(3), '2026-05-01T10:02:00Z'));
    await send(placed(orderId(3), '2026-05-01T10:00:00Z', [line(1, 1, 1)]));
    expect((await sales()).orders_by_status).toEqual({ PENDING: 1, CONFIRMED: 0, SHIPPED: 1, DELIVERED: 0, CANCELLED: 1 });
    expect(repo.orders.get(orderId(2))?.placed_at).toEqual(new Date('2026-05-01T10:00:00Z'));
    expect((await sales()).totals.orders).toBe(1);
  });
});

describe('crashes and retries', () => {
  it('applies a fact once that was stored before a crash, when it is redelivered', async () => {
    const e = confirmed(orderId(1), '2026-05-01T10:11:00Z', [line(1, 1, 10)]);
    await storedOnly(e);
    expect((await sales()).totals.orders).toBe(0);
    expect(await send(e)).toBe('reapplied');
    expect(await send(e)).toBe('duplicate');
    expect((await sales()).totals).toEqual({ orders: 1, revenue: 10 });
    expect((await sales({ granularity: 'day' })).totals).toEqual({ orders: 1, revenue: 10 });
    expect(repo.pendingDocs.size).toBe(0);
  });

  it('fails the delivery when a read model write fails, and the redelivery applies only what is missing', async () => {
    const e = confirmed(orderId(1), '2026-05-01T10:11:00Z', [line(1, 1, 10)]);
    const putBucket = repo.putBucket;
    let failDay = true;
    repo.putBucket = async (b) => {
      if (b.granularity === 'day' && failDay) {
        failDay = false;
        throw new Error('mongo down');
      }
      await putBucket(b);
    };
    await expect(send(e)).rejects.toThrow('mongo down'); // → RETRY: Dapr redelivers
    expect(hourDoc('10')?.sales_orders).toBe(1); // the order view and the hour had it already
    expect(dayDoc()).toBeUndefined();
    expect(repo.facts.get(e.id)?.applied_at).toBeUndefined();
    expect(repo.pendingDocs.has(e.id)).toBe(true);
    expect(await send(e)).toBe('reapplied');
    expect(hourDoc('10')?.sales_orders).toBe(1);
    expect(dayDoc()?.sales_orders).toBe(1);
    expect(repo.pendingDocs.size).toBe(0);
  });

  it('counts concurrent deliveries of one unfinished fact once', async () => {
    repo = memoryAnalyticsRepository({ jitterMs: 5 });
    analytics = make(repo);
    const e = confirmed(orderId(1), '2026-05-01T10:11:00Z', [line(1, 1, 10)]);
    await storedOnly(e);
    await Promise.all([send(e), send(e), send(e), analytics.rollup({ minAgeMs: 0 })]);
    expect((await sales()).totals).toEqual({ orders: 1, revenue: 10 });
    expect((await sales({ granularity: 'day' })).totals).toEqual({ orders: 1, revenue: 10 });
  });
});

describe('rollup (housekeeping)', () => {
  it('applies pending facts past the grace period, leaves younger ones to their delivery, clears finished markers', async () => {
    const old = confirmed(orderId(1), '2026-05-01T10:11:00Z', [line(1, 1, 10)]);
    await storedOnly(old);
    await send(viewed(1, '2026-05-01T10:12:00Z'));
    const finished = viewed(1, '2026-05-01T10:13:00Z');
    await send(finished);
    await repo.markPending({ _id: finished.id, at: clock }); // its delete was lost
    clock = new Date(clock.getTime() + 6_000);
    const young = viewed(2, '2026-05-01T10:14:00Z');
    await storedOnly(young);
    expect(await analytics.rollup()).toEqual({ pending: 3, applied: 1, cleared: 1, left: 1 });
    expect((await sales()).totals).toEqual({ orders: 1, revenue: 10 });
    expect(hourDoc('10')?.product_views).toBe(2);
    expect([...repo.pendingDocs.keys()]).toEqual([young.id]);
    expect(await analytics.rollup({ minAgeMs: 0 })).toEqual({ pending: 1, applied: 1, cleared: 0, left: 0 }); // at startup
    expect(hourDoc('10')?.product_views).toBe(3);
    expect(await analytics.rollup()).toEqual({ pending: 0, applied: 0, cleared: 0, left: 0 });
  });

  it('drops a marker whose fact was never stored only after 10 minutes (the event is redelivered meanwhile)', async () => {
    await repo.markPending({ _id: 'never-stored', at: clock });
    clock = new Date(clock.getTime() + 60_000);
    expect(await analytics.rollup()).toMatchObject({ applied: 0, cleared: 0, left: 1 });
    clock = new Date(clock.getTime() + 600_000);
    expect(await analytics.rollup()).toMatchObject({ applied: 0, cleared: 1, left: 0 });
    expect(repo.pendingDocs.size).toBe(0);
  });
});

describe('reports', () => {
  beforeEach(async () => {
    for (let v = 0; v < 10; v++) await send(viewed(1, `2026-05-01T09:0${v}:00Z`));
    for (let v = 0; v < 6; v++) await send(viewed(2, `2026-05-01T09:1${v}:00Z`));
    await send(placed(orderId(1), '2026-05-01T10:00:00Z', [line(1, 1, 100), line(2, 5, 1)]));
    await send(confirmed(orderId(1), '2026-05-01T10:01:00Z', [line(1, 1, 100), line(2, 5, 1)]));
    await send(placed(orderId(2), '2026-05-01T11:00:00Z', [line(2, 3, 1)]));
    await send(confirmed(orderId(2), '2026-05-01T11:01:00Z', [line(2, 3, 1)]));
    await send(placed(orderId(3), '2026-05-01T11:30:00Z', [line(3, 1, 50)]));
    await send(cancelled(orderId(3), '2026-05-01T11:31:00Z'));
    await send(placed(orderId(4), '2026-05-01T12:30:00Z', [line(3, 1, 50)]));
  });

  it('funnel: views against placed, confirmed and cancelled orders, with their ratios', async () => {
    expect(await funnel()).toEqual({
      from: '2026-05-01T00:00:00.000Z',
      to: '2026-05-02T00:00:00.000Z',
      product_views: 16,
      orders_placed: 4,
      orders_confirmed: 2,
      orders_cancelled: 1,
      view_to_order: 0.25,
      order_to_confirmed: 0.5,
    });
    // A range with views and no orders, and one with a confirmation whose placement is outside it.
    expect(await analytics.funnel(FunnelQuery.parse({ from: '2026-05-01T09:00:00Z', to: '2026-05-01T10:00:00Z' }))).toMatchObject({
      product_views: 16,
      view_to_order: 0,
      order_to_confirmed: 0,
    });
    const edge = await analytics.funnel(FunnelQuery.parse({ from: '2026-05-01T11:00:00Z', to: '2026-05-01T12:00:00Z' }));
    expect(edge).toMatchObject({ orders_placed: 2, orders_confirmed: 1, view_to_order: 0, order_to_confirmed: 0.5 });
  });

  it('top products by units or revenue, with their orders and views, limited', async () => {
    expect((await top()).items).toEqual([
      { product_id: product(2), units: 8, revenue: 8, orders: 2, views: 6 },
      { product_id: product(1), units: 1, revenue: 100, orders: 1, views: 10 },
    ]);
    expect((await top({ by: 'revenue', limit: '1' })).items.map((i) => i.product_id)).toEqual([product(1)]);
  });

  it('sales per hour and per day, only buckets with sales, and a range applied at hour resolution', async () => {
    const hourly = await sales();
    expect(hourly.buckets).toEqual([
      { start: '2026-05-01T10:00:00.000Z', orders: 1, revenue: 105 },
      { start: '2026-05-01T11:00:00.000Z', orders: 1, revenue: 3 },
    ]);
    expect(hourly.totals).toEqual({ orders: 2, revenue: 108 });
    expect(hourly.orders_by_status).toEqual({ PENDING: 1, CONFIRMED: 2, SHIPPED: 0, DELIVERED: 0, CANCELLED: 1 });
    const part = await sales({ from: '2026-05-01T11:30:00Z', to: '2026-05-01T12:00:00Z' });
    expect(part.buckets).toEqual([{ start: '2026-05-01T11:00:00.000Z', orders: 1, revenue: 3 }]);
    expect((await sales({ granularity: 'day' })).totals).toEqual({ orders: 2, revenue: 108 });
    expect((await sales({ from: '2026-05-02T00:00:00Z', to: '2026-05-03T00:00:00Z' })).totals).toEqual({ orders: 0, revenue: 0 });
  });

  it('defaults to the 7 days before now', async () => {
    const r = await analytics.salesReport(SalesReportQuery.parse({}));
    expect([r.from, r.to]).toEqual(['2026-04-24T12:00:00.000Z', '2026-05-01T12:00:00.000Z']);
    expect(r.totals.orders).toBe(2);
  });

  it('keeps an event that feeds no read model as a fact only: one insert, no marker, no bucket; a redelivery is a duplicate', async () => {
    const fresh = memoryAnalyticsRepository();
    const a = make(fresh);
    const data = { product_id: 'prd_000001', stock_qty: 7, occurred_at: '2026-05-01T10:00:00Z' };
    expect(await a.record(eventTypes.StockUpdated, 'stock-1', data)).toBe('recorded');
    expect(await a.record(eventTypes.StockUpdated, 'stock-1', data)).toBe('duplicate');
    expect([...fresh.facts.keys()]).toEqual(['stock-1']);
    expect(fresh.pendingDocs.size).toBe(0);
    expect(fresh.bucketDocs.size).toBe(0);
  });
});
