// analytics beside a real sidecar, FerretDB and Redis: events published to the broker through Dapr, reports read
// through Dapr service invocation (from the gateway's sidecar, as the admin API reads them), the cron binding's
// housekeeping (the per-event cost on FerretDB with 1000+ facts stored is measured by `npm run bench -- analytics`).
import { randomBytes } from 'node:crypto';
import { eventCatalog, eventTypes, Funnel, ordersEventTypes, SalesReport, TopProducts, type EventType } from '@globalmart/contracts';
import mongoose from 'mongoose';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { publishRaw } from '../harness/events.ts';
import { startPlatform, type Platform } from '../harness/platform.ts';
import { reportLogsOnFailure } from '../harness/vitest.ts';
import { toFact } from '../../services/analytics/src/analytics.rules.ts';
import { confirmed, line, type Line } from '../../services/analytics/test/fixtures.ts';

let platform: Platform;
beforeAll(async () => {
  platform = await startPlatform({
    apps: ['analytics'],
    // The rollup is the Dapr job `analytics-rollup` (every 5 s by default).
    scheduler: true,
  });
});
afterAll(async () => {
  await platform?.stop();
});
afterEach(reportLogsOnFailure(() => platform));

const admin = { 'x-user-id': 'usr_admin', 'x-user-role': 'admin' };
const newOrderId = () => `ord_${randomBytes(16).toString('hex')}`;

/** Publishes a full CloudEvent to the event's topic (from the catalogue), through the sidecar of an app that publishes it. */
async function publish(type: EventType, id: string, data: Record<string, unknown>): Promise<void> {
  await publishRaw(platform, eventCatalog[type].topic, type, data, id);
}

/** As the gateway's admin reports call it (a bare gateway sidecar): analytics believes x-user-* only from the gateway. */
const report = (path: string, headers: Record<string, string> = admin, via = 'gateway') =>
  platform.invoke(via, 'analytics', 'GET', path, undefined, headers);

// The unit tests' event builders (shapes as the producers publish them).
const items = (price: number, quantity: number, productId = 'prd_000001') => [{ ...line(1, quantity, price), product_id: productId }];
const order = (id: string, at: string, lines: Line[]) => confirmed(id, at, lines).data;
const placeAndConfirm = async (id: string, placedAt: string, confirmedAt: string, lines: ReturnType<typeof items>) => {
  await publish(eventTypes.OrderPlaced, `${id}:placed`, order(id, placedAt, lines));
  await publish(ordersEventTypes.OrderConfirmed, `${id}:confirmed`, order(id, confirmedAt, lines));
};
const sales = async (query: string) => {
  const res = await report(`reports/sales?${query}`);
  expect(res.status).toBe(200);
  return SalesReport.parse(res.body);
};

describe('analytics through Dapr', () => {
  it('counts a placed and confirmed order with its revenue in the right hour and day', async () => {
    const id = newOrderId();
    const hourQuery = 'granularity=hour&from=2026-03-10T00:00:00Z&to=2026-03-11T00:00:00Z';
    await publish(eventTypes.OrderPlaced, `${id}:placed`, order(id, '2026-03-10T14:20:00Z', items(19.99, 3)));
    const sent = Date.now();
    await publish(ordersEventTypes.OrderConfirmed, `${id}:confirmed`, order(id, '2026-03-10T14:21:30Z', items(19.99, 3)));
    await expect.poll(async () => (await sales(hourQuery)).totals.orders, { timeout: 10_000, interval: 50 }).toBe(1);
    // The lag target (p99 ≤ 1 s) is measured under load by `npm run bench -- fanout`, not asserted here.
    console.info(`OrderConfirmed → sales report: ${Date.now() - sent} ms`);

    const hourly = await sales(hourQuery);
    expect(hourly.buckets).toEqual([{ start: '2026-03-10T14:00:00.000Z', orders: 1, revenue: 59.97 }]);
    expect(hourly).toMatchObject({ granularity: 'hour', currency: 'USD', totals: { orders: 1, revenue: 59.97 } });
    expect(hourly.orders_by_status).toMatchObject({ CONFIRMED: 1, PENDING: 0 });
    const daily = await sales('granularity=day&from=2026-03-01T00:00:00Z&to=2026-04-01T00:00:00Z');
    expect(daily.buckets).toEqual([{ start: '2026-03-10T00:00:00.000Z', orders: 1, revenue: 59.97 }]);
    // Outside the range: nothing.
    expect((await sales('granularity=hour&from=2026-03-11T00:00:00Z&to=2026-03-12T00:00:00Z')).buckets).toEqual([]);
  });

  it('counts an OrderConfirmed delivered twice (same CloudEvent id) once, and follows the order to SHIPPED', async () => {
    const id = newOrderId();
    const q = 'granularity=hour&from=2026-03-12T00:00:00Z&to=2026-03-13T00:00:00Z';
    await placeAndConfirm(id, '2026-03-12T09:00:00Z', '2026-03-12T09:00:05Z', items(0.1, 7));
    await expect.poll(async () => (await sales(q)).totals.orders, { timeout: 10_000, interval: 100 }).toBe(1);
    await publish(ordersEventTypes.OrderConfirmed, `${id}:confirmed`, order(id, '2026-03-12T09:00:05Z', items(0.1, 7)));
    await platform.waitForLog('analytics', (l) => l.includes('not counted again') && l.includes(`${id}:confirmed`), 10_000);
    await publish(ordersEventTypes.OrderShipped, `${id}:shipped`, {
      order_id: id,
      customer_id: 'usr_1',
      shipment_id: 'shp_1',
      carrier: 'simcarrier',
      tracking_number: 'GM0000000001',
      occurred_at: '2026-03-12T10:00:00Z',
    });
    await expect.poll(async () => (await sales(q)).orders_by_status.SHIPPED, { timeout: 10_000, interval: 100 }).toBe(1);
    const after = await sales(q);
    expect(after.totals).toEqual({ orders: 1, revenue: 0.7 });
    expect(after.orders_by_status).toMatchObject({ SHIPPED: 1, CONFIRMED: 0 });
  });

  it('counts ProductViewed per event: the funnel and top products show views against orders', async () => {
    const views = 8;
    const product = 'prd_000042';
    for (let i = 0; i < views; i++) {
      await publish(eventTypes.ProductViewed, `view-${randomBytes(8).toString('hex')}`, {
        product_id: product,
        session_id: `sess_${i}`,
        occurred_at: `2026-03-14T08:0${i}:00Z`,
      });
    }
    const placedOnly = newOrderId();
    await publish(eventTypes.OrderPlaced, `${placedOnly}:placed`, order(placedOnly, '2026-03-14T08:30:00Z', items(5, 1, product)));
    await placeAndConfirm(newOrderId(), '2026-03-14T08:40:00Z', '2026-03-14T08:41:00Z', items(12.5, 2, product));
    const range = 'from=2026-03-14T08:00:00Z&to=2026-03-14T09:00:00Z';
    const funnel = async () => Funnel.parse((await report(`reports/funnel?${range}`)).body);
    // Views and orders come on different topics: wait for both (each is counted as its delivery is handled, no cron).
    await expect
      .poll(async () => [(await funnel()).product_views, (await funnel()).orders_confirmed], { timeout: 10_000, interval: 100 })
      .toEqual([views, 1]);
    expect(await funnel()).toMatchObject({
      product_views: views,
      orders_placed: 2,
      orders_confirmed: 1,
      orders_cancelled: 0,
      view_to_order: 0.25,
      order_to_confirmed: 0.5,
    });
    const top = TopProducts.parse((await report(`reports/top-products?by=revenue&limit=5&${range}`)).body);
    expect(top.items).toEqual([{ product_id: product, units: 2, revenue: 25, orders: 1, views }]);
  });

  it('the rollup job applies a fact a crashed process stored but did not apply (its pending marker)', async () => {
    const conn = await mongoose.createConnection(`${platform.infra.mongoUrl}/globalmart-analytics`).asPromise();
    try {
      const id = newOrderId();
      const event = `${id}:confirmed`;
      const fact = toFact(ordersEventTypes.OrderConfirmed, event, order(id, '2026-03-16T07:30:00Z', items(4, 2)), new Date());
      await conn.collection('pending').insertOne({ _id: event as never, at: new Date(Date.now() - 60_000) });
      await conn.collection('facts').insertOne(fact as never);
      const q = 'granularity=day&from=2026-03-16T00:00:00Z&to=2026-03-17T00:00:00Z';
      await expect.poll(async () => (await sales(q)).totals, { timeout: 15_000, interval: 250 }).toEqual({ orders: 1, revenue: 8 });
      await platform.waitForLog('analytics', (l) => /analytics rollup: [1-9]\d* pending facts applied/.test(l), 5_000);
      expect(await conn.collection('pending').findOne({ _id: event as never })).toBeNull();
      expect((await conn.collection('facts').findOne({ _id: event as never }))?.applied_at).toBeInstanceOf(Date);
    } finally {
      await conn.close();
    }
  });

  it('answers 401 without a caller, 403 to a customer, and 400 problem+json naming a bad query field', async () => {
    expect((await report('reports/sales', {})).status).toBe(401);
    const customer = await report('reports/sales', { 'x-user-id': 'usr_1', 'x-user-role': 'customer' });
    expect(customer.status).toBe(403);
    expect(customer.body.code).toBe('AUTH.ADMIN_ONLY');
    // Reports are the gateway's to read: another service claiming an admin is refused.
    expect((await report('reports/sales', admin, 'catalog')).status).toBe(403);
    for (const [path, field] of [
      ['reports/sales?granularity=week', 'granularity'],
      ['reports/top-products?limit=0', 'limit'],
      ['reports/funnel?from=yesterday', 'from'],
      ['reports/sales?from=2026-03-02T00:00:00Z&to=2026-03-01T00:00:00Z', 'from'],
    ] as const) {
      const res = await report(path);
      expect(res.status, path).toBe(400);
      expect(
        (res.body.errors as { field: string }[]).map((e) => e.field),
        path,
      ).toContain(field);
    }
  });
});
