// `npm run bench -- data`: is the platform's cost flat in the data it stores? The whole platform (every app, its
// sidecar, Redis, FerretDB on PostgreSQL, placement, scheduler, MailDev) is measured twice: on EMPTY databases, then
// after 100,000 orders (with their shipments, analytics facts, order views and buckets, notification claims) and
// 100,000 customers are written straight into the stores, shaped exactly as the services write them (the same
// encryption, blind index and rules, with the keys this run's services use). Measured each time: the idle CPU of the
// whole platform (utime+stime from /proc of every process the bench started, over a fixed window, as cores) and the
// latency of login, browse, a product page, checkout acceptance and the admin orders list (sequential requests
// through the gateway). Bounds: idle ≤ 0.2 cores; p50 latencies within 10 % of the empty figures.
// Results: bench/results/data-<timestamp>.json and a markdown table on stdout.
import { execFile } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { ensureToolchain, waitUntil } from '@globalmart/devstack';
import { ordersEventTypes, type EventType, type OrderStatus, type ShippingAddress } from '@globalmart/contracts';
import { createPiiProtector, type PiiProtector } from '@globalmart/platform';
import { Redis } from 'ioredis';
import mongoose, { type Connection } from 'mongoose';
import { allApps, startPlatform, type Platform } from '../tests/harness/platform.ts';
import { Storefront, comeBackWhenTold, type Session } from '../tests/harness/storefront.ts';
import {
  applyToBucket,
  applyToOrder,
  bucketsOf,
  emptyBucket,
  toFact,
  type Bucket,
  type OrderView,
} from '../services/analytics/src/analytics.rules.ts';
import { toOrderViewDoc } from '../services/analytics/src/analytics.repository.ts';
import { bucketId } from '../services/analytics/src/buckets.ts';
import { loadPiiKeys } from '../services/identity/src/identity.keys.ts';
import { addressCipher } from '../services/orders/src/address.crypto.ts';
import { indexEntriesOf, toOrderDoc } from '../services/orders/src/order.repository.mongo.ts';
import type { Order } from '../services/orders/src/order.types.ts';
import { cpuSecondsByName, snapshot } from './proc-stats.ts';
import { percentile, saveResult } from './results.ts';

const run = promisify(execFile);
const SEED_ORDERS = Number(process.env.BENCH_DATA_ORDERS ?? 100_000);
const SEED_CUSTOMERS = Number(process.env.BENCH_DATA_CUSTOMERS ?? 100_000);
/** Seeded orders are spread over this many days before the run (the newest an hour before it). */
const HISTORY_DAYS = 180;
const IDLE_WINDOW_S = Number(process.env.BENCH_DATA_IDLE_S ?? 30);
const SETTLE_S = 15;
const BATCH = 1_000;
const PASSWORD = 'correct horse battery staple';
const STOCKED = ['prd_000010', 'prd_000011', 'prd_000012'];
const REQUESTS = { login: 20, browse: 100, product: 100, checkout: 30, admin: 50 };

type Doc = Record<string, unknown>;
const HOUR_MS = 3_600_000;

// ---- measuring ----

interface Latency {
  p50_ms: number;
  p99_ms: number;
  n: number;
}

type Answer = { status: number; body?: unknown };

/** `n` requests one after the other; `prepare` runs before each, outside the timing. */
async function timed(n: number, one: (i: number) => Promise<Answer>, prepare?: (i: number) => Promise<void>) {
  const ms: number[] = [];
  for (let i = 0; i < n; i++) {
    await prepare?.(i);
    const t0 = performance.now();
    const res = await one(i);
    ms.push(performance.now() - t0);
    if (res.status >= 300) throw new Error(`request ${i} answered ${res.status}: ${JSON.stringify(res.body)}`);
  }
  ms.sort((a, b) => a - b);
  return { p50_ms: +percentile(ms, 50).toFixed(1), p99_ms: +percentile(ms, 99).toFixed(1), n } satisfies Latency;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** CPU the whole platform uses while nobody calls it, in cores, over IDLE_WINDOW_S (after SETTLE_S of quiet). */
async function idleCores(): Promise<{ cores: number; processes: number; busiest: string[] }> {
  await sleep(SETTLE_S * 1000);
  const before = snapshot();
  await sleep(IDLE_WINDOW_S * 1000);
  const after = snapshot();
  const seconds = (after.at - before.at) / 1000;
  const used = [...cpuSecondsByName(before, after)].sort((a, b) => b[1] - a[1]);
  const total = used.reduce((n, [, s]) => n + s, 0);
  const busiest = used.slice(0, 5).map(([name, s]) => `${(s / seconds).toFixed(3)} ${name}`);
  return { cores: +(total / seconds).toFixed(3), processes: after.procs.size, busiest };
}

interface Phase {
  idle: Awaited<ReturnType<typeof idleCores>>;
  login: Latency;
  browse: Latency;
  product: Latency;
  admin_list: Latency;
  admin_list_status: Latency;
  checkout: Latency;
}

interface Actors {
  shop: Storefront;
  customer: Session;
  admin: Session;
}

async function measure(label: string, { shop, customer, admin }: Actors): Promise<Phase> {
  console.error(`data bench: ${label}: idle CPU (${SETTLE_S} s settle, ${IDLE_WINDOW_S} s window)`);
  const idle = await idleCores();
  console.error(`data bench: ${label}: ${idle.cores} cores idle; latencies`);
  const login = await timed(REQUESTS.login, () =>
    comeBackWhenTold(() => shop.call('POST', '/api/auth/login', { body: { email: customer.email, password: PASSWORD } })),
  );
  const browse = await timed(REQUESTS.browse, () => shop.call('GET', '/api/products?page=1'));
  const product = await timed(REQUESTS.product, (i) => shop.call('GET', `/api/products/prd_${String(1 + (i % 40)).padStart(6, '0')}`));
  // Checkouts before the admin list in both runs: its newest minutes then hold this run's orders, as many each time.
  const checkout = await timed(
    REQUESTS.checkout,
    () => shop.checkout(customer),
    async (i) => {
      // The previous order empties the cart when its OrderPlaced arrives: wait for that, or it would empty this one.
      await waitUntil(
        'the cart emptied by the previous order',
        async () => (await shop.call('GET', '/api/cart', { token: customer.token })).body?.items?.length === 0,
        { timeoutMs: 30_000 },
      );
      const added = await shop.call('POST', '/api/cart/items', {
        token: customer.token,
        body: { product_id: STOCKED[i % STOCKED.length], quantity: 1 },
      });
      if (added.status !== 200) throw new Error(`cart add ${added.status}: ${JSON.stringify(added.body)}`);
    },
  );
  const admin_list = await timed(REQUESTS.admin, () => shop.call('GET', '/api/admin/orders?page_size=20', { token: admin.token }));
  const admin_list_status = await timed(REQUESTS.admin, () =>
    shop.call('GET', '/api/admin/orders?status=CONFIRMED&page_size=20', { token: admin.token }),
  );
  return { idle, login, browse, product, admin_list, admin_list_status, checkout };
}

// ---- seeding: what the services would have written, straight into their stores ----

interface Templates {
  order: Doc;
  shipment: Doc;
  passwordHash: string;
  claim?: { key: string; data: string };
}

const hex = (bytes: number) => randomBytes(bytes).toString('hex');
const iso = (ms: number) => new Date(ms).toISOString();

/** Batched unordered inserts; `existing`: documents already there (e.g. the directory's current hour) are fine. */
async function insertAll(coll: mongoose.mongo.Collection<Doc>, docs: Doc[], existing = false): Promise<void> {
  for (let i = 0; i < docs.length; i += BATCH) {
    try {
      await coll.insertMany(docs.slice(i, i + BATCH), { ordered: false });
    } catch (err) {
      const errors = (err as { writeErrors?: { code?: number }[] }).writeErrors;
      if (!existing || !errors?.every((e) => e.code === 11000)) throw err;
    }
  }
}

/** A status for an order placed `ageMs` ago: recent ones still moving, older ones delivered or cancelled. */
function statusFor(ageMs: number, r: number): OrderStatus {
  if (ageMs < 2 * 86_400_000) return r < 0.1 ? 'CANCELLED' : r < 0.4 ? 'CONFIRMED' : r < 0.8 ? 'SHIPPED' : 'DELIVERED';
  return r < 0.12 ? 'CANCELLED' : 'DELIVERED';
}

const PATH: Record<OrderStatus, OrderStatus[]> = {
  PENDING: ['PENDING'],
  CONFIRMED: ['PENDING', 'CONFIRMED'],
  CANCELLED: ['PENDING', 'CANCELLED'],
  SHIPPED: ['PENDING', 'CONFIRMED', 'SHIPPED'],
  DELIVERED: ['PENDING', 'CONFIRMED', 'SHIPPED', 'DELIVERED'],
};
const EVENT_OF: Record<OrderStatus, string> = {
  PENDING: 'placed',
  CONFIRMED: 'confirmed',
  CANCELLED: 'cancelled',
  SHIPPED: 'shipped',
  DELIVERED: 'delivered',
};
const SHIPMENT_STATUS: Partial<Record<OrderStatus, string>> = { CONFIRMED: 'created', SHIPPED: 'shipped', DELIVERED: 'delivered' };

async function seed(platform: Platform, t: Templates, now: number): Promise<Record<string, number>> {
  const secrets = JSON.parse(readFileSync(platform.secretsFile, 'utf8')) as Record<string, string>;
  const keys = await loadPiiKeys(async (name) => secrets[name]!);
  const pii: PiiProtector = createPiiProtector(keys.encryptionKey, keys.blindIndexKey);
  // Orders seal addresses under the same keyring (pii-encryption-key) identity encrypts with.
  const addresses = addressCipher(pii);
  const db = (name: string) => mongoose.createConnection(`${platform.infra.mongoUrl}/${name}`).asPromise();
  const [identity, orders, shipping, analytics] = await Promise.all([
    db('globalmart-identity'),
    db('globalmart-orders'),
    db('globalmart-shipping'),
    db('globalmart-analytics'),
  ]);
  const redis = new Redis(`redis://${platform.infra.redisHost}`);
  const seconds: Record<string, number> = {};
  const step = async (name: string, fn: () => Promise<void>) => {
    const t0 = performance.now();
    await fn();
    seconds[name] = +((performance.now() - t0) / 1000).toFixed(1);
    console.error(`data bench: seeded ${name} in ${seconds[name]} s`);
  };
  const coll = (c: Connection, name: string) => c.db!.collection<Doc>(name);
  try {
    // Customers: encrypted email and name, the blind index under identity's key, a shared real password hash.
    const customerIds: string[] = [];
    await step(`${SEED_CUSTOMERS} customers`, async () => {
      const docs: Doc[] = [];
      for (let i = 0; i < SEED_CUSTOMERS; i++) {
        const id = `usr_${hex(12)}`;
        customerIds.push(id);
        const email = `seed-${i}-${hex(4)}@example.test`;
        const at = new Date(now - HISTORY_DAYS * 86_400_000 + (i / SEED_CUSTOMERS) * HISTORY_DAYS * 86_400_000);
        docs.push({
          _id: id,
          email_enc: pii.encrypt(email, `users/${id}/email`),
          email_bidx: pii.blindIndex(email),
          name_enc: pii.encrypt(`Seed Customer ${i}`, `users/${id}/name`),
          password_hash: t.passwordHash,
          role: 'customer',
          registered_event_pending: false,
          created_at: at,
          updated_at: at,
        });
      }
      await insertAll(coll(identity, 'users'), docs);
    });

    // Orders with their history and published outbox entries (no outbox cursor: everything published), the admin
    // list's directory, shipments, analytics facts, order views and buckets, notification claims.
    const tplOrder = t.order;
    const tplOutbox = tplOrder.outbox as { id: string; topic: string; type: string; data: Doc; at: string }[];
    const tplPlaced = tplOutbox.find((e) => e.id.endsWith(':placed')) ?? tplOutbox[0]!;
    const tplConfirmed = tplOutbox.find((e) => e.type === ordersEventTypes.OrderConfirmed);
    if (!tplConfirmed) throw new Error('the template order has no OrderConfirmed in its outbox');
    const address = addresses.open(String(tplOrder._id), tplOrder.shipping_address as never) as ShippingAddress;
    const orderDocs: Doc[] = [];
    const shipmentDocs: Doc[] = [];
    const factDocs: Doc[] = [];
    const views: OrderView[] = [];
    // The buckets the empty run's events made (this hour and day) take the seeded facts too, as analytics would.
    const buckets = new Map<string, Bucket>();
    for (const b of await coll(analytics, 'buckets').find({}).toArray()) buckets.set(String(b._id), b as unknown as Bucket);
    const existingBuckets = new Set(buckets.keys());
    const directory = new Map<string, string>();
    const claims: [string, string][] = [];
    await step('building orders, shipments, facts (in memory)', async () => {
      for (let i = 0; i < SEED_ORDERS; i++) {
        const orderId = `ord_${hex(16)}`;
        const customerId = customerIds[i % customerIds.length]!;
        const created = now - HOUR_MS - Math.floor((1 - i / SEED_ORDERS) * HISTORY_DAYS * 86_400_000);
        const status = statusFor(now - created, Math.random());
        const path = PATH[status];
        const times = path.map((_, k) => created + k * (k < 2 ? 30_000 : 86_400_000 * k));
        const shipmentId = `shp_${hex(12)}`;
        const outbox = path.map((s, k) => {
          const at = iso(times[k]!);
          const base = { order_id: orderId, customer_id: customerId, occurred_at: at };
          const data: Doc =
            s === 'PENDING'
              ? { ...tplPlaced.data, ...base }
              : s === 'CONFIRMED'
                ? { ...tplConfirmed.data, ...base }
                : s === 'CANCELLED'
                  ? { ...base, reason: 'payment declined' }
                  : s === 'SHIPPED'
                    ? { ...base, shipment_id: shipmentId, carrier: 'ACME', tracking_number: `TRK${hex(6)}` }
                    : { ...base, shipment_id: shipmentId };
          const type =
            s === 'PENDING' ? tplPlaced.type : ordersEventTypes[`Order${s[0]}${s.slice(1).toLowerCase()}` as keyof typeof ordersEventTypes];
          return { id: `${orderId}:${EVENT_OF[s]}`, topic: tplPlaced.topic, type, data, at };
        });
        orderDocs.push(
          toOrderDoc({
            order_id: orderId,
            customer_id: customerId,
            status,
            items: tplOrder.items as Order['items'],
            currency: String(tplOrder.currency),
            total_minor: Number(tplOrder.total_minor),
            shipping_address: addresses.seal(orderId, address),
            payment_method: String(tplOrder.payment_method),
            status_history: path.map((s, k) => ({ status: s, at: iso(times[k]!) })),
            ...(status === 'CANCELLED' ? { cancel_reason: 'payment declined' } : {}),
            created_at: iso(created),
            updated_at: iso(times.at(-1)!),
            outbox,
          }) as unknown as Doc,
        );
        for (const entry of indexEntriesOf(iso(created))) directory.set(entry._id, entry.parent);
        const shipmentStatus = SHIPMENT_STATUS[status];
        if (shipmentStatus) {
          shipmentDocs.push({
            ...t.shipment,
            _id: orderId,
            shipment_id: shipmentId,
            customer_id: customerId,
            status: shipmentStatus,
            tracking_number: `TRK${hex(6)}`,
            events: path.slice(1).map((s, k) => ({ status: SHIPMENT_STATUS[s], at: iso(times[k + 1]!), description: s.toLowerCase() })),
            next_step_at: null,
            due_at: null,
            outbox: [],
            created_at: new Date(times[1]!),
            updated_at: new Date(times.at(-1)!),
          });
        }
        // Analytics: each event through the service's own rules (fact, order view, hour and day buckets).
        let view: OrderView | undefined;
        for (const e of outbox) {
          const recorded = new Date(Date.parse(e.at) + 200);
          const fact = toFact(e.type as EventType, e.id, e.data, recorded);
          factDocs.push({ ...fact, applied_at: recorded });
          const effect = applyToOrder(view, fact, recorded);
          view = effect.view;
          if (!effect.counts) continue;
          for (const { granularity, start } of bucketsOf(fact)) {
            const id = bucketId(granularity, start);
            const b = buckets.get(id) ?? emptyBucket(granularity, start, recorded);
            applyToBucket(b, fact, 'USD');
            b.updated_at = recorded;
            buckets.set(id, b);
          }
        }
        views.push(view!);
        if (status !== 'PENDING' && status !== 'CANCELLED') claims.push([`${orderId}:confirmed`, customerId]);
      }
    });
    await step(`${SEED_ORDERS} orders + directory`, async () => {
      await insertAll(
        coll(orders, 'order_index'),
        [...directory].map(([_id, parent]) => ({ _id, parent })),
        true,
      );
      await insertAll(coll(orders, 'orders'), orderDocs);
    });
    await step(`${shipmentDocs.length} shipments`, () => insertAll(coll(shipping, 'shipments'), shipmentDocs));
    await step(`${factDocs.length} analytics facts`, () => insertAll(coll(analytics, 'facts'), factDocs));
    await step(`${views.length} order views + ${buckets.size} buckets`, async () => {
      await insertAll(coll(analytics, 'orders'), views.map(toOrderViewDoc) as unknown as Doc[]);
      const all = [...buckets.values()] as unknown as Doc[];
      await insertAll(
        coll(analytics, 'buckets'),
        all.filter((b) => !existingBuckets.has(String(b._id))),
      );
      for (const b of all.filter((d) => existingBuckets.has(String(d._id)))) {
        await coll(analytics, 'buckets').replaceOne({ _id: b._id as never }, b);
      }
    });
    if (t.claim) {
      const claim = t.claim;
      await step(`${claims.length + customerIds.length} notification claims`, async () => {
        const record = JSON.parse(claim.data) as Doc;
        const prefix = claim.key.slice(0, claim.key.indexOf('notification:'));
        const write = async (keys: [string, Doc][]) => {
          const pipe = redis.pipeline();
          for (const [key, value] of keys) {
            pipe.hset(`${prefix}notification:${key}`, 'data', JSON.stringify({ ...record, ...value }), 'version', '1');
            pipe.expire(`${prefix}notification:${key}`, 2_592_000);
          }
          await pipe.exec();
        };
        for (let i = 0; i < claims.length; i += BATCH * 10) {
          await write(claims.slice(i, i + BATCH * 10).map(([key, customer]) => [key, { kind: 'order-confirmed', customer_id: customer }]));
        }
        for (let i = 0; i < customerIds.length; i += BATCH * 10) {
          await write(customerIds.slice(i, i + BATCH * 10).map((c) => [`${c}:registered`, { kind: 'welcome', customer_id: c }]));
        }
      });
    }
    return seconds;
  } finally {
    redis.disconnect();
    await Promise.all([identity, orders, shipping, analytics].map((c) => c.close()));
  }
}

/** One order of the empty run, once it is confirmed with its shipment booked, and a real password hash: the seed's shapes. */
async function templates(platform: Platform, shop: Storefront, customer: Session): Promise<Templates> {
  const conn = (name: string) => mongoose.createConnection(`${platform.infra.mongoUrl}/${name}`).asPromise();
  const [orders, shipping, identity] = await Promise.all([
    conn('globalmart-orders'),
    conn('globalmart-shipping'),
    conn('globalmart-identity'),
  ]);
  const redis = new Redis(`redis://${platform.infra.redisHost}`);
  try {
    await shop.call('POST', '/api/cart/items', { token: customer.token, body: { product_id: STOCKED[0], quantity: 1 } });
    const placed = await shop.checkout(customer);
    if (placed.status >= 300) throw new Error(`template checkout ${placed.status}: ${JSON.stringify(placed.body)}`);
    const orderId = String(placed.body.order_id);
    await shop.waitForOrder(customer, orderId, (s) => s !== 'PENDING', 60_000);
    const order = await orders.db!.collection<Doc>('orders').findOne({ _id: orderId as never });
    const shipment = await shipping.db!.collection<Doc>('shipments').findOne({ _id: orderId as never });
    const user = await identity.db!.collection<Doc>('users').findOne({ _id: customer.userId as never });
    if (!order || !shipment || !user || order.status !== 'CONFIRMED') {
      throw new Error(`template order ${orderId}: ${order?.status}, shipment ${Boolean(shipment)}, user ${Boolean(user)}`);
    }
    const [, keys] = await redis.scan('0', 'MATCH', '*notification:*', 'COUNT', 10_000);
    const key = keys[0];
    const data = key ? await redis.hget(key, 'data') : null;
    return { order, shipment, passwordHash: String(user.password_hash), ...(key && data ? { claim: { key, data } } : {}) };
  } finally {
    redis.disconnect();
    await Promise.all([orders.close(), shipping.close(), identity.close()]);
  }
}

// ---- the run ----

type Row = { metric: string; empty: number; full: number; ratio: number; bound: string; ok: boolean };

export async function dataBench(): Promise<void> {
  const started = performance.now();
  const platform = await startPlatform({ apps: [...allApps], placement: true, scheduler: true, maildev: true });
  try {
    const shop = new Storefront(platform.url('gateway'));
    const customer = await shop.newCustomer('Data Bench');
    const adminEmail = `admin-${randomUUID()}@example.test`;
    await platform.createAdmin(adminEmail, PASSWORD);
    const adminLogin = await comeBackWhenTold(() =>
      shop.call('POST', '/api/auth/login', { body: { email: adminEmail, password: PASSWORD } }),
    );
    const admin: Session = { userId: '', email: adminEmail, token: String(adminLogin.body.access_token) };
    for (const id of STOCKED) {
      const res = await shop.call('PATCH', `/api/admin/products/${id}`, { token: admin.token, body: { stock_qty: 100_000 } });
      if (res.status !== 200) throw new Error(`stock for ${id}: ${res.status} ${JSON.stringify(res.body)}`);
    }
    const t = await templates(platform, shop, customer);
    const actors = { shop, customer, admin };
    const empty = await measure('empty', actors);
    const seedStarted = performance.now();
    const seeded = await seed(platform, t, Date.now());
    // What autovacuum does by itself a minute or so after a bulk load (statistics, visibility map), done now so that
    // neither stale statistics (planned as the empty tables) nor a vacuum running meanwhile are what gets measured.
    const t0 = performance.now();
    const tc = await ensureToolchain(() => {});
    await run(tc.postgres.psql, [platform.infra.postgresUrl, '-q', '-c', 'VACUUM ANALYZE']);
    seeded['VACUUM ANALYZE'] = +((performance.now() - t0) / 1000).toFixed(1);
    const seedS = +((performance.now() - seedStarted) / 1000).toFixed(1);
    const full = await measure('100k', actors);

    const rows: Row[] = [];
    const row = (metric: string, a: number, b: number, bound: string, ok: boolean) =>
      rows.push({ metric, empty: a, full: b, ratio: +(b / a).toFixed(2), bound, ok });
    row('idle platform, cores', empty.idle.cores, full.idle.cores, '≤ 0.2 cores', full.idle.cores <= 0.2 && empty.idle.cores <= 0.2);
    const latencies: [string, keyof Omit<Phase, 'idle'>][] = [
      ['login', 'login'],
      ['browse GET /api/products?page=1', 'browse'],
      ['product page GET /api/products/{id}', 'product'],
      ['checkout acceptance POST /api/orders', 'checkout'],
      ['admin orders list, first page', 'admin_list'],
      ['admin orders list, status=CONFIRMED', 'admin_list_status'],
    ];
    for (const [label, key] of latencies) {
      const [a, b] = [empty[key], full[key]];
      row(`${label} p50 ms`, a.p50_ms, b.p50_ms, '≤ 1.10 × empty', b.p50_ms <= a.p50_ms * 1.1);
      row(`${label} p99 ms`, a.p99_ms, b.p99_ms, '(shown)', true);
    }
    const totalS = +((performance.now() - started) / 1000).toFixed(0);
    const file = saveResult('data', {
      settings: {
        orders: SEED_ORDERS,
        customers: SEED_CUSTOMERS,
        history_days: HISTORY_DAYS,
        idle_window_s: IDLE_WINDOW_S,
        requests: REQUESTS,
      },
      rows,
      empty,
      full,
      seeding_s: seeded,
      seed_total_s: seedS,
      total_s: totalS,
    });
    console.log(`\n### Data: the platform on empty databases vs ${SEED_ORDERS} orders and ${SEED_CUSTOMERS} customers stored\n`);
    console.log('| metric | empty | 100k | ratio | bound | ok |');
    console.log('| --- | ---: | ---: | ---: | --- | --- |');
    for (const r of rows) console.log(`| ${r.metric} | ${r.empty} | ${r.full} | ${r.ratio} | ${r.bound} | ${r.ok ? 'yes' : 'NO'} |`);
    console.log(`\nIdle, busiest processes (cores): empty: ${empty.idle.busiest.join('; ')}`);
    console.log(`100k: ${full.idle.busiest.join('; ')}`);
    console.log(
      `\nSeeding took ${seedS} s (${Object.entries(seeded)
        .map(([k, v]) => `${k}: ${v} s`)
        .join(', ')}); the whole bench ${totalS} s. JSON: ${file}`,
    );
    if (rows.some((r) => !r.ok)) process.exitCode = 1;
  } finally {
    await platform.stop();
  }
}
