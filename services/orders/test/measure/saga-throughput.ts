// Measures the checkout saga on real sidecars (figures for docs/adr/0002-checkout-saga.md); not a test.
//   node services/orders/test/measure/saga-throughput.ts [orders=50] [concurrency=orders]
// Starts the platform like tests/system/orders.test.ts, fills one cart per customer, posts every order with the
// given concurrency, waits until all are CONFIRMED, and reads completion times from each order's status history.
import { randomUUID } from 'node:crypto';
import { cpuSecondsByName, snapshot } from '../../../../bench/proc-stats.ts';
import { startPlatform } from '../../../../tests/harness/platform.ts';

const N = Number(process.argv[2] ?? 50);
const CONCURRENCY = Number(process.argv[3] ?? N);
const PRODUCTS = ['prd_000201', 'prd_000202', 'prd_000203', 'prd_000204', 'prd_000205'];

const platform = await startPlatform({
  apps: ['catalog', 'inventory', 'cart', 'psp', 'payments', 'shipping', 'orders'],
  placement: true,
  scheduler: true,
  // SAMPLING=0.1: the sidecars' tracing.samplingRate (default dapr-config's '1').
  ...(process.env.SAMPLING ? { samplingRate: process.env.SAMPLING } : {}),
  env: {
    inventory: { INVENTORY_SEED: 'none' },
    orders: { LOG_LEVEL: 'warn' },
    payments: { LOG_LEVEL: 'warn' },
    shipping: { LOG_LEVEL: 'warn' },
  },
});

try {
  const via = (appId: string, path: string, init: { method?: string; headers?: Record<string, string>; body?: unknown } = {}) =>
    fetch(`${platform.daprUrl('catalog')}/v1.0/invoke/${appId}/method/${path}`, {
      method: init.method ?? 'GET',
      headers: { ...init.headers, ...(init.body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
    });
  const admin = { 'x-user-id': 'usr_ops', 'x-user-role': 'admin' };
  for (const p of PRODUCTS) await via('inventory', `stock/${p}`, { method: 'PUT', headers: admin, body: { stock_qty: 100_000 } });
  const users = Array.from({ length: N }, (_, i) => `usr_bench${i}`);
  for (const [i, u] of users.entries()) {
    const res = await via('cart', `carts/${u}/items`, {
      method: 'POST',
      headers: { 'x-user-id': u, 'x-user-role': 'customer' },
      body: { product_id: PRODUCTS[i % PRODUCTS.length], quantity: 1 },
    });
    if (res.status !== 200) throw new Error(`cart ${res.status} ${await res.text()}`);
  }

  // Every process the platform runs (apps, sidecars, infrastructure), from /proc.
  const before = snapshot();
  const accepted: number[] = [];
  const started = Date.now();
  let next = 0;
  const worker = async () => {
    while (next < users.length) {
      const u = users[next++]!;
      const t0 = performance.now();
      const res = await via('orders', 'orders', {
        method: 'POST',
        headers: { 'x-user-id': u, 'x-user-role': 'customer', 'idempotency-key': randomUUID() },
        body: { payment_method: 'tok_visa', shipping_address: { name: 'B', line1: 'L', city: 'C', postal_code: '10115', country: 'DE' } },
      });
      accepted.push(performance.now() - t0);
      if (res.status !== 201) throw new Error(`order ${res.status} ${await res.text()}`);
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, N) }, worker));
  const submittedMs = Date.now() - started;

  type Row = { status: string; created_at: string; status_history: { status: string; at: string }[] };
  let orders: Row[] = [];
  for (;;) {
    const res = await via('orders', `admin/orders?page_size=100&from=${new Date(started - 5_000).toISOString()}`, { headers: admin });
    const page = (await res.json()) as { data: Row[]; total: number };
    const all: Row[] = [...page.data];
    for (let p = 2; (p - 1) * 100 < page.total; p++) {
      const more = await via('orders', `admin/orders?page_size=100&page=${p}&from=${new Date(started - 5_000).toISOString()}`, {
        headers: admin,
      });
      all.push(...((await more.json()) as { data: Row[] }).data);
    }
    orders = all;
    if (orders.length >= N && orders.every((o) => o.status !== 'PENDING')) break;
    if (Date.now() - started > 600_000) throw new Error(`timeout: ${orders.filter((o) => o.status === 'PENDING').length} still PENDING`);
    await new Promise((r) => setTimeout(r, 500));
  }
  const cpu = [...cpuSecondsByName(before, snapshot())].filter(([, s]) => s > 0.05).sort((a, b) => b[1] - a[1]);

  // The saga ends at CONFIRMED or CANCELLED; shipping may have moved some orders on since.
  const sagaEnd = (o: Row) => o.status_history.find((h) => h.status === 'CONFIRMED' || h.status === 'CANCELLED')!;
  const done = orders.map((o) => ({ created: Date.parse(o.created_at), end: Date.parse(sagaEnd(o).at), status: sagaEnd(o).status }));
  const completion = done.map((d) => d.end - d.created).sort((a, b) => a - b);
  const pct = (xs: number[], p: number) => xs[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;
  const first = Math.min(...done.map((d) => d.created));
  const last = Math.max(...done.map((d) => d.end));
  accepted.sort((a, b) => a - b);
  console.log(
    JSON.stringify(
      {
        orders: N,
        concurrency: CONCURRENCY,
        statuses: Object.fromEntries(['CONFIRMED', 'CANCELLED'].map((s) => [s, done.filter((d) => d.status === s).length])),
        submit_s: submittedMs / 1000,
        acceptance_ms: { p50: Math.round(pct(accepted, 50)), p99: Math.round(pct(accepted, 99)) },
        completion_ms: { p50: pct(completion, 50), p99: pct(completion, 99), max: completion.at(-1) },
        first_created_to_last_confirmed_s: (last - first) / 1000,
        sagas_per_s: Math.round((N / ((last - first) / 1000)) * 10) / 10,
        cpu_seconds: Object.fromEntries(cpu),
      },
      null,
      2,
    ),
  );
} finally {
  await platform.stop();
}
