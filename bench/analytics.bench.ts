// Analytics' per-event cost (part of `npm run bench`): the real repository on a real FerretDB with 1200 facts already
// stored, 500 events recorded one after the other (views, placed and confirmed orders). Each event is a fixed number
// of `_id` reads and writes (FerretDB on SQLite scans a whole collection for any other query), so the cost must not
// grow with the facts stored: compare the first and last hundred.
import { randomBytes } from 'node:crypto';
import { eventTypes, ordersEventTypes } from '@globalmart/contracts';
import { createLogger, loadConfig } from '@globalmart/platform';
import mongoose from 'mongoose';
import { startPlatform } from '../tests/harness/platform.ts';
import { analyticsModels, initModels } from '../services/analytics/src/analytics.model.ts';
import { mongoAnalyticsRepository } from '../services/analytics/src/analytics.repository.ts';
import { toFact } from '../services/analytics/src/analytics.rules.ts';
import { analyticsService } from '../services/analytics/src/analytics.service.ts';
import { confirmed, line } from '../services/analytics/test/fixtures.ts';
import { percentile, saveResult } from './results.ts';

// The analytics unit tests' event builders (shapes as the producers publish them).
const order = (id: string, at: string, quantity: number, price: number) => confirmed(id, at, [line(1, quantity, price)]).data;
const newOrderId = () => `ord_${randomBytes(16).toString('hex')}`;

export async function analyticsBench(): Promise<void> {
  const platform = await startPlatform({ apps: [] });
  const conn = await mongoose.createConnection(`${platform.infra.mongoUrl}/globalmart-analytics-bench`).asPromise();
  try {
    const models = analyticsModels(conn);
    await initModels(models);
    const logger = createLogger(loadConfig({}, { APP_ID: 'analytics', APP_PORT: '0', LOG_LEVEL: 'silent' }));
    const analytics = analyticsService({ repo: mongoAnalyticsRepository(models), logger, currency: 'USD', pendingGraceMs: 5_000 });
    const history = Array.from({ length: 1200 }, (_, i) => {
      const at = `2026-02-${String(1 + (i % 28)).padStart(2, '0')}T${String(i % 24).padStart(2, '0')}:00:00Z`;
      const f =
        i % 3 === 0
          ? toFact(eventTypes.ProductViewed, `hist-${i}`, { product_id: 'prd_000001', session_id: 's', occurred_at: at }, new Date())
          : toFact(ordersEventTypes.OrderConfirmed, `hist-${i}`, order(newOrderId(), at, 1, 1), new Date());
      return { ...f, applied_at: new Date() };
    });
    await models.facts.collection.insertMany(history as never[]);
    const ms: number[] = [];
    let orders = 0;
    for (let i = 0; i < 500; i++) {
      const at = `2026-03-20T10:${String(i % 60).padStart(2, '0')}:00Z`;
      const e =
        i % 5 < 3
          ? { type: eventTypes.ProductViewed, data: { product_id: 'prd_000007', session_id: `s${i}`, occurred_at: at } }
          : {
              type: i % 5 === 3 ? eventTypes.OrderPlaced : ordersEventTypes.OrderConfirmed,
              data: order(`ord_m${Math.floor(i / 5)}`, at, 1, 2),
            };
      if (e.type === ordersEventTypes.OrderConfirmed) orders += 1;
      const t0 = performance.now();
      if ((await analytics.record(e.type, `m-${i}`, e.data)) !== 'recorded') throw new Error(`event m-${i} not recorded`);
      ms.push(performance.now() - t0);
    }
    const t0 = performance.now();
    const report = await analytics.salesReport({ granularity: 'hour', from: '2026-03-20T00:00:00Z', to: '2026-03-21T00:00:00Z' });
    const reportMs = performance.now() - t0;
    if (report.totals.orders !== orders) throw new Error(`sales report counts ${report.totals.orders} orders, not ${orders}`);
    const mean = (xs: number[]) => +(xs.reduce((a, b) => a + b, 0) / xs.length).toFixed(1);
    const sorted = [...ms].sort((a, b) => a - b);
    const row = {
      facts_stored_before: history.length,
      events: ms.length,
      p50_ms: +percentile(sorted, 50).toFixed(1),
      p99_ms: +percentile(sorted, 99).toFixed(1),
      first_100_mean_ms: mean(ms.slice(0, 100)),
      last_100_mean_ms: mean(ms.slice(-100)),
      sales_report_ms: +reportMs.toFixed(1),
    };
    const file = saveResult('analytics', { row });
    console.log('\n### Analytics: one event recorded (fact + order view + hour and day buckets), 1200 facts stored before\n');
    console.log('| events | p50 ms | p99 ms | mean of first 100 ms | mean of last 100 ms | sales report ms |');
    console.log('| ---: | ---: | ---: | ---: | ---: | ---: |');
    console.log(
      `| ${row.events} | ${row.p50_ms} | ${row.p99_ms} | ${row.first_100_mean_ms} | ${row.last_100_mean_ms} | ${row.sales_report_ms} |`,
    );
    console.log(`\nJSON: ${file}`);
  } finally {
    await conn.dropDatabase();
    await conn.close();
    await platform.stop();
  }
}
