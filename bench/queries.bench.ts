// `npm run bench -- queries`: what FerretDB (as the devstack runs it) makes of the orders' query shapes at 100,000
// orders, through the real repository: a read by _id, a customer's orders, the admin list as it was (find + sort +
// skip + limit + countDocuments over every order) and as it is (keyset over the hour directory, equality only).
// The numbers behind the admin list's design (docs/adr). Results: bench/results/queries-<timestamp>.json.
import { randomBytes } from 'node:crypto';
import mongoose from 'mongoose';
import { startPlatform } from '../tests/harness/platform.ts';
import { mongoOrderRepository } from '../services/orders/src/order.repository.mongo.ts';
import type { Order } from '../services/orders/src/order.types.ts';
import { percentile, saveResult } from './results.ts';

const ORDERS = Number(process.env.BENCH_QUERIES_ORDERS ?? 100_000);
const STATUSES = ['CONFIRMED', 'SHIPPED', 'DELIVERED', 'DELIVERED', 'DELIVERED', 'CANCELLED'] as const;

const order = (i: number, now: number): Order => {
  const created = new Date(now - (ORDERS - i) * 150_000).toISOString();
  const id = `ord_${randomBytes(16).toString('hex')}`;
  return {
    order_id: id,
    customer_id: `usr_${String(i % 50_000).padStart(24, '0')}`,
    status: STATUSES[i % STATUSES.length]!,
    items: [{ product_id: 'prd_000010', name: 'Mug', quantity: 2, unit_price_minor: 950, line_total_minor: 1900 }],
    currency: 'USD',
    total_minor: 1900,
    shipping_address: {
      name: 'v2:x'.repeat(20),
      line1: 'v2:y'.repeat(20),
      city: 'v2:z'.repeat(10),
      postal_code: 'v2:p'.repeat(8),
      country: 'US',
    } as never,
    payment_method: 'tok_visa',
    status_history: [
      { status: 'PENDING', at: created },
      { status: 'CONFIRMED', at: created },
    ],
    created_at: created,
    updated_at: created,
    outbox: [
      { id: `${id}:placed`, topic: 'orders', type: 'globalmart.orders.order-placed.v1', data: { order_id: id, total: 19 }, at: created },
    ],
  };
};

async function time(n: number, fn: () => Promise<unknown>) {
  const ms: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await fn();
    ms.push(performance.now() - t0);
  }
  ms.sort((a, b) => a - b);
  return { n, p50_ms: +percentile(ms, 50).toFixed(1), max_ms: +ms.at(-1)!.toFixed(1) };
}

export async function queriesBench(): Promise<void> {
  const platform = await startPlatform({ apps: [] });
  const conn = await mongoose.createConnection(`${platform.infra.mongoUrl}/globalmart-queries-bench`).asPromise();
  try {
    const repo = mongoOrderRepository(conn);
    await repo.ensureIndexes();
    const now = Date.now();
    const all = Array.from({ length: ORDERS }, (_, i) => order(i, now));
    const t0 = performance.now();
    // Through the repository (directory entries and list keys as in production), a few in flight at a time.
    for (let i = 0; i < all.length; i += 50) await Promise.all(all.slice(i, i + 50).map((o) => repo.insert(o)));
    const insertS = +((performance.now() - t0) / 1000).toFixed(1);
    const orders = conn.db!.collection('orders');
    const some = all[Math.floor(ORDERS / 2)]!;
    const rows = {
      get_by_id: await time(20, () => repo.get(some.order_id)),
      customer_orders: await time(20, () => repo.search({ customerId: some.customer_id, page: 1, pageSize: 20 })),
      old_admin_list_first_page: await time(3, () =>
        Promise.all([orders.find({}).sort({ created_at: -1, _id: -1 }).limit(20).toArray(), orders.countDocuments({})]),
      ),
      old_admin_list_status_page: await time(3, () =>
        Promise.all([
          orders.find({ status: 'CONFIRMED' }).sort({ created_at: -1, _id: -1 }).skip(20).limit(20).toArray(),
          orders.countDocuments({ status: 'CONFIRMED' }),
        ]),
      ),
      admin_list_first_page: await time(20, () => repo.list({ limit: 20 })),
      admin_list_status_page: await time(20, () => repo.list({ status: 'CONFIRMED', limit: 20 })),
      admin_list_next_page: await time(20, async () => {
        const first = await repo.list({ limit: 20 });
        return repo.list({ limit: 20, startingAfter: first.data.at(-1)!.order_id });
      }),
    };
    const file = saveResult('queries', { orders: ORDERS, insert_s: insertS, rows });
    console.log(`\n### Orders' queries on FerretDB (devstack backend) with ${ORDERS} orders (inserted in ${insertS} s)\n`);
    console.log('| query | n | p50 ms | max ms |');
    console.log('| --- | ---: | ---: | ---: |');
    for (const [name, r] of Object.entries(rows)) console.log(`| ${name} | ${r.n} | ${r.p50_ms} | ${r.max_ms} |`);
    console.log(`\nJSON: ${file}`);
  } finally {
    await conn.dropDatabase();
    await conn.close();
    await platform.stop();
  }
}
