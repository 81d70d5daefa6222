// The checkout load the checkout, fan-out and degradation benchmarks apply through the gateway, as storefronts would,
// and what they observe afterwards:
// - runCheckoutLoad: customers refill their carts and check out in a closed loop (or paced per worker slot), coming
//   back when shed (Storefront.checkout);
// - runClosedLoop / runOpenLoad: single checkout attempts (Storefront.checkoutOnce), so every shed is an answer counted:
//   in a closed loop (each customer again as soon as answered: all the machine gives), or as open-loop arrivals on a
//   fixed schedule whatever the answers (each arrival's cart is filled `leadMs` before its checkout is due);
// - settledOrders: every order's recorded status history once it left PENDING;
// - the fan-out of each order, read after the fact: when MailDev received its confirmation (or cancellation) email
//   (the .eml file MailDev wrote, ms precision) and when analytics applied its OrderConfirmed to every read model
//   (the fact's applied_at: from then the sales report counts it), and waitForFanout, which waits for both cheaply.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { readRunFile } from '@globalmart/devstack';
import { ordersEventTypes } from '@globalmart/contracts';
import mongoose from 'mongoose';
import type { Platform } from '../tests/harness/platform.ts';
import { Storefront, type Session } from '../tests/harness/storefront.ts';
import { percentile } from './results.ts';

export interface CheckoutLoad {
  shop: Storefront;
  adminToken: string;
  /** Acceptance latency of every POST /api/orders, ms. */
  accept: number[];
  /** When each of those checkouts began (epoch ms), in the same order. */
  acceptStartedAt: number[];
  orders: { id: string; customer: Session }[];
  failed: number;
  /** When each failure happened (epoch ms). */
  failedAt: number[];
  /** What went wrong, by step and status, so a failed count can be explained. */
  failures: Record<string, number>;
}

export type PreparedShop = Awaited<ReturnType<typeof prepareShop>>;

const ADMIN = { email: 'bench@globalmart.test', password: 'a long admin passphrase' };

/** An admin, `workers` customers and 20 products with ample stock. */
export async function prepareShop(platform: Platform, workers: number) {
  const shop = new Storefront(platform.url('gateway'));
  await platform.createAdmin(ADMIN.email, ADMIN.password);
  const adminToken = (await shop.call('POST', '/api/auth/login', { body: ADMIN })).body.access_token as string;
  const products = Array.from({ length: 20 }, (_, i) => `prd_${String(200 + i).padStart(6, '0')}`);
  for (const p of products) await shop.call('PATCH', `/api/admin/products/${p}`, { token: adminToken, body: { stock_qty: 1_000_000 } });
  const customers: Session[] = [];
  await addCustomers({ shop, customers }, workers);
  return { shop, adminToken, products, customers };
}

/** Signs up and logs in customers until there are `total` (a few at a time: identity's hashing is the bound). */
export async function addCustomers(prepared: { shop: Storefront; customers: Session[] }, total: number, inParallel = 4): Promise<void> {
  const missing = Math.max(0, total - prepared.customers.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(inParallel, missing) }, async () => {
      while (next < missing) {
        next++;
        prepared.customers.push(await prepared.shop.newCustomer(`Bench ${prepared.customers.length}`));
      }
    }),
  );
}

/** The admin's token afresh (a fan-out observer started alongside prepareShop reads the report with it). */
export async function adminLogin(gatewayUrl: string): Promise<string> {
  const res = await new Storefront(gatewayUrl).call('POST', '/api/auth/login', { body: ADMIN });
  if (res.status !== 200) throw new Error(`admin login ${res.status}: ${JSON.stringify(res.body)}`);
  return res.body.access_token as string;
}

/**
 * Runs the loop for `seconds`. Closed (each customer checks out again as soon as the last order was accepted: all the
 * machine gives) unless `ordersPerSecond` paces the checkouts to a fixed rate across the customers (each checkout
 * takes the next slot of the schedule, but a customer waits for its answer first: closed-ish; runOpenLoad is open).
 * Sheds are retried as a storefront does (Storefront.checkout). Several phases of one benchmark share a `prepared` shop.
 */
export async function runCheckoutLoad(
  platform: Platform,
  workers: number,
  seconds: number,
  ordersPerSecond?: number,
  prepared?: PreparedShop,
): Promise<CheckoutLoad> {
  const { shop, adminToken, products, customers } = prepared ?? (await prepareShop(platform, workers));
  const load: CheckoutLoad = { shop, adminToken, accept: [], acceptStartedAt: [], orders: [], failed: 0, failedAt: [], failures: {} };
  const fail = (step: string, status: number) => {
    load.failed++;
    load.failedAt.push(Date.now());
    load.failures[`${step} ${status}`] = (load.failures[`${step} ${status}`] ?? 0) + 1;
  };
  const deadline = Date.now() + seconds * 1000;
  let nextSlot = Date.now();
  /** Paced: each checkout takes the next free slot of the schedule and waits for it. */
  const pace = async () => {
    if (!ordersPerSecond) return;
    const slot = nextSlot;
    nextSlot += 1000 / ordersPerSecond;
    if (slot > Date.now()) await sleep(slot - Date.now());
  };
  await Promise.all(
    customers.map(async (c, w) => {
      for (let n = 0; Date.now() < deadline; n++) {
        await pace();
        if (Date.now() >= deadline) break;
        const add = await shop.call('POST', '/api/cart/items', {
          token: c.token,
          body: { product_id: products[(w + n) % products.length], quantity: 1 },
        });
        if (add.status !== 200) {
          fail('add-to-cart', add.status);
          continue;
        }
        const [startedAt, t0] = [Date.now(), performance.now()];
        const res = await shop.checkout(c);
        load.accept.push(performance.now() - t0);
        load.acceptStartedAt.push(startedAt);
        if (res.status === 201) load.orders.push({ id: res.body.order_id, customer: c });
        else fail('checkout', res.status);
      }
    }),
  );
  return load;
}

// ---- single attempts: closed loop and open-loop arrivals ----

/** One POST /api/orders, answered (or not, within the client's patience). */
export interface Attempt {
  /** When it was due (open loop; the send time in a closed loop), epoch ms. */
  dueAt: number;
  /** When it was sent, epoch ms. */
  sentAt: number;
  /** Send → answer, ms (the client's patience for a timeout). */
  ms: number;
  status: number | 'timeout';
  /** The problem code of an error answer (CHECKOUT.BUSY …). */
  code?: string;
  /** retry_after of a shed answer (the gateway sets the Retry-After header from the same value). */
  retryAfter?: number;
  orderId?: string;
}

export interface LoadRun {
  shop: Storefront;
  attempts: Attempt[];
  /** Every order created, with its customer (also those whose answer came after the client's timeout). */
  orders: { id: string; customer: Session; acceptedAt: number }[];
  /** Add-to-cart failures by status. */
  addFailures: Record<string, number>;
  /** Arrivals whose checkout went out more than 50 ms after it was due (the bench itself lagging). */
  lateStarts: number;
  /** Arrivals that found no customer free for `reuseAfterMs` (too few customers prepared: orders may hold 2 lines). */
  customersShort: number;
  /** First add-to-cart and last answer, epoch ms. */
  startedAt: number;
  endedAt: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const TIMEOUT = Symbol('timeout');

/** One checkout attempt (no retry on a shed), recorded in `run`. */
async function attemptCheckout(run: LoadRun, customer: Session, dueAt: number, timeoutMs: number): Promise<Attempt> {
  const sentAt = Date.now();
  const t0 = performance.now();
  const answer = run.shop.checkoutOnce(customer);
  // A late 201 still created an order: keep it for the "every accepted order is final" check.
  void answer.then(
    (res) => {
      if (res.status === 201) run.orders.push({ id: res.body.order_id, customer, acceptedAt: Date.now() });
    },
    () => undefined,
  );
  let timer: NodeJS.Timeout | undefined;
  const res = await Promise.race([
    answer.catch(() => ({ status: 0, body: undefined })),
    new Promise<typeof TIMEOUT>((r) => (timer = setTimeout(() => r(TIMEOUT), timeoutMs))),
  ]);
  clearTimeout(timer);
  const ms = performance.now() - t0;
  const attempt: Attempt =
    res === TIMEOUT
      ? { dueAt, sentAt, ms, status: 'timeout' }
      : {
          dueAt,
          sentAt,
          ms,
          status: res.status,
          ...(res.status === 201 ? { orderId: res.body.order_id as string } : {}),
          ...(res.status >= 400 && res.body?.code ? { code: String(res.body.code) } : {}),
          ...(res.body?.retry_after !== undefined ? { retryAfter: Number(res.body.retry_after) } : {}),
        };
  run.attempts.push(attempt);
  return attempt;
}

const newRun = (shop: Storefront): LoadRun => ({
  shop,
  attempts: [],
  orders: [],
  addFailures: {},
  lateStarts: 0,
  customersShort: 0,
  startedAt: Date.now(),
  endedAt: Date.now(),
});

async function addToCart(run: LoadRun, prepared: PreparedShop, customer: Session, n: number): Promise<boolean> {
  const status = await prepared.shop
    .call('POST', '/api/cart/items', {
      token: customer.token,
      body: { product_id: prepared.products[n % prepared.products.length], quantity: 1 },
    })
    .then(
      (res) => res.status,
      () => 0, // no answer, or not JSON
    );
  if (status !== 200) run.addFailures[status] = (run.addFailures[status] ?? 0) + 1;
  return status === 200;
}

/**
 * `workers` customers at a time adding to a cart and checking out (one attempt) again as soon as answered, for
 * `seconds`: all the machine gives. Each round takes the prepared customer free longest (its last checkout answered
 * `reuseAfterMs` before, so the OrderPlaced that empties its cart has landed: prepare a few per worker). A refused
 * checkout is followed by the Retry-After it named (or 200 ms).
 */
export async function runClosedLoop(
  prepared: PreparedShop,
  workers: number,
  seconds: number,
  opts: { reuseAfterMs?: number; timeoutMs?: number } = {},
): Promise<LoadRun> {
  const { reuseAfterMs = 3000, timeoutMs = 10_000 } = opts;
  const run = newRun(prepared.shop);
  const free = prepared.customers.map((customer) => ({ customer, freeAt: 0 }));
  const deadline = Date.now() + seconds * 1000;
  let n = 0;
  await Promise.all(
    Array.from({ length: Math.min(workers, free.length) }, async () => {
      while (Date.now() < deadline) {
        const { customer, freeAt } = free.shift()!;
        if (freeAt > Date.now()) {
          run.customersShort++;
          await sleep(freeAt - Date.now());
        }
        let retryAfter = 0;
        if (await addToCart(run, prepared, customer, n++)) {
          const a = await attemptCheckout(run, customer, Date.now(), timeoutMs);
          if (a.status !== 201) retryAfter = (a.retryAfter ?? 0.2) * 1000;
        }
        free.push({ customer, freeAt: Date.now() + reuseAfterMs });
        if (retryAfter) await sleep(retryAfter);
      }
    }),
  );
  run.endedAt = Date.now();
  return run;
}

/** Customers needed for runOpenLoad at `rate` arrivals/s with its defaults (each busy lead + answer + reuse gap). */
export const customersFor = (rate: number, opts: { leadMs?: number; reuseAfterMs?: number } = {}) =>
  Math.ceil((rate * ((opts.leadMs ?? 1000) + (opts.reuseAfterMs ?? 3000) + 1000)) / 1000) + 8;

/**
 * Open-loop arrivals: `rate` checkouts a second for `seconds`, each sent at its due time whatever the earlier ones'
 * answers (none is waited for). Each arrival takes the customer free longest (free = its last checkout answered at
 * least `reuseAfterMs` ago, so the OrderPlaced that empties its cart has landed), fills the cart `leadMs` before the
 * checkout is due, then sends one attempt. Latency is from sending; an arrival sent > 50 ms late is counted.
 */
export async function runOpenLoad(
  prepared: PreparedShop,
  rate: number,
  seconds: number,
  opts: { leadMs?: number; reuseAfterMs?: number; timeoutMs?: number } = {},
): Promise<LoadRun> {
  const { leadMs = 1000, reuseAfterMs = 3000, timeoutMs = 10_000 } = opts;
  const run = newRun(prepared.shop);
  const free: { customer: Session; freeAt: number }[] = prepared.customers.map((customer) => ({ customer, freeAt: 0 }));
  const waiting: (() => void)[] = [];
  const release = (customer: Session) => {
    free.push({ customer, freeAt: Date.now() + reuseAfterMs });
    waiting.shift()?.();
  };
  const take = async () => {
    if (free.length === 0) run.customersShort++;
    while (free.length === 0) await new Promise<void>((r) => waiting.push(r));
    const next = free.shift()!;
    if (next.freeAt > Date.now()) run.customersShort++;
    return next.customer;
  };

  const n = Math.floor(rate * seconds);
  const t0 = Date.now() + leadMs + 100;
  run.startedAt = Date.now();
  const arrivals: Promise<void>[] = [];
  for (let i = 0; i < n; i++) {
    const dueAt = t0 + (i * 1000) / rate;
    const wait = dueAt - leadMs - Date.now();
    if (wait > 0) await sleep(wait);
    arrivals.push(
      (async () => {
        const customer = await take();
        if (!(await addToCart(run, prepared, customer, i))) return release(customer);
        if (dueAt > Date.now()) await sleep(dueAt - Date.now());
        if (Date.now() - dueAt > 50) run.lateStarts++;
        await attemptCheckout(run, customer, dueAt, timeoutMs);
        release(customer);
      })(),
    );
  }
  await Promise.all(arrivals);
  run.endedAt = Date.now();
  return run;
}

// ---- after the load ----

export interface SettledOrder {
  id: string;
  customer: Session;
  history: { status: string; at: string }[] | undefined;
}

/** Waits (bounded) for every order to leave PENDING and returns each one's recorded status history (in `orders` order). */
export async function settledOrders(
  load: { shop: Storefront; orders: { id: string; customer: Session }[] },
  boundMs = 120_000,
  inParallel = 4,
): Promise<SettledOrder[]> {
  const until = Date.now() + boundMs;
  const settled: SettledOrder[] = new Array(load.orders.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: inParallel }, async () => {
      for (let i = next++; i < load.orders.length; i = next++) {
        const o = load.orders[i]!;
        const order = await load.shop
          .waitForOrder(o.customer, o.id, (st) => st !== 'PENDING', Math.max(1, until - Date.now()))
          .catch(() => undefined);
        settled[i] = { ...o, history: order?.status_history as SettledOrder['history'] };
      }
    }),
  );
  return settled;
}

const FINAL = ['CONFIRMED', 'CANCELLED'];
/** When the order was placed (PENDING) and when its saga ended (CONFIRMED or CANCELLED), epoch ms, as orders recorded. */
export function sagaTimes(o: SettledOrder): { placedAt?: number; finalAt?: number; final?: string; confirmedAt?: number } {
  const placed = o.history?.find((h) => h.status === 'PENDING')?.at;
  const end = o.history?.find((h) => FINAL.includes(h.status));
  const confirmed = o.history?.find((h) => h.status === 'CONFIRMED')?.at;
  return {
    ...(placed ? { placedAt: Date.parse(placed) } : {}),
    ...(end ? { finalAt: Date.parse(end.at), final: end.status } : {}),
    ...(confirmed ? { confirmedAt: Date.parse(confirmed) } : {}),
  };
}

// ---- fan-out: MailDev and analytics, read after the fact ----

/** The order emails notifications sends (subjects: services/notifications/src/email.templates.ts). */
const ORDER_SUBJECT = /Your GlobalMart order (\S+) (is confirmed|was cancelled|has shipped|was delivered)/;
export type EmailKind = 'confirmed' | 'cancelled' | 'shipped' | 'delivered';
const KIND: Record<string, EmailKind> = {
  'is confirmed': 'confirmed',
  'was cancelled': 'cancelled',
  'has shipped': 'shipped',
  'was delivered': 'delivered',
};

export interface OrderEmail {
  /** When MailDev received it: its .eml file's mtime (ms); MailDev's own `time` is the Date header, whole seconds. */
  at: number;
  /** false when the file could not be read and `at` is the Date header. */
  exact: boolean;
}

interface MailDevEmail {
  subject: string;
  time: string;
  /** The .eml file MailDev wrote (its REST API lists it). */
  source?: string;
}

/** Every order email MailDev holds, by order id and kind (one GET /email: call it after the measured window). */
export async function orderEmails(maildevUrl: string): Promise<Map<string, Map<EmailKind, OrderEmail>>> {
  const res = await fetch(`${maildevUrl}/email`);
  if (!res.ok) throw new Error(`MailDev ${res.status}`);
  const found = new Map<string, Map<EmailKind, OrderEmail>>();
  for (const e of (await res.json()) as MailDevEmail[]) {
    const m = ORDER_SUBJECT.exec(e.subject ?? '');
    if (!m) continue;
    let mtime: number | undefined;
    try {
      if (e.source) mtime = statSync(e.source).mtimeMs;
    } catch {
      // MailDev moved or removed it
    }
    if (!found.has(m[1]!)) found.set(m[1]!, new Map());
    found.get(m[1]!)!.set(KIND[m[2]!]!, { at: mtime ?? Date.parse(e.time), exact: mtime !== undefined });
  }
  return found;
}

/** Where MailDev writes its .eml files (from the `source` of an email it holds); undefined when it holds none. */
export async function mailDir(maildevUrl: string): Promise<string | undefined> {
  const res = await fetch(`${maildevUrl}/email`);
  const source = res.ok ? ((await res.json()) as MailDevEmail[]).find((e) => e.source)?.source : undefined;
  return source ? dirname(source) : undefined;
}

type DirCache = Map<string, { id: string; kind: EmailKind } | null>;

/**
 * The order emails in MailDev's folder (order id → kinds), read from the files (no request to MailDev); `cache` keeps
 * what was read before (a file is read again until its headers are complete).
 */
export function orderEmailsInDir(dir: string, cache: DirCache): Map<string, Set<EmailKind>> {
  const found = new Map<string, Set<EmailKind>>();
  for (const file of readdirSync(dir)) {
    if (!file.endsWith('.eml')) continue;
    let hit = cache.get(file);
    if (hit === undefined) {
      let text: string;
      try {
        text = readFileSync(join(dir, file), 'utf8').slice(0, 8192);
      } catch {
        continue;
      }
      const headers = text.split(/\r?\n\r?\n/, 1)[0]!;
      if (headers.length === text.length) continue; // still being written
      const m = ORDER_SUBJECT.exec(headers.replace(/\r?\n[ \t]+/g, ' '));
      hit = m ? { id: m[1]!, kind: KIND[m[2]!]! } : null;
      cache.set(file, hit);
    }
    if (!hit) continue;
    if (!found.has(hit.id)) found.set(hit.id, new Set());
    found.get(hit.id)!.add(hit.kind);
  }
  return found;
}

/** analytics' database (dapr.yaml's MONGODB_URI for analytics, on this run's FerretDB). */
const analyticsDb = () => {
  const uri = readRunFile().apps.find((a) => a.appID === 'analytics')?.env?.MONGODB_URI;
  return new URL(uri ?? 'mongodb://127.0.0.1/globalmart-analytics').pathname.slice(1);
};

/**
 * When analytics had applied each order's event of `type` (default OrderConfirmed) to every read model (the fact's
 * applied_at; for OrderConfirmed the sales report counts the order from its bucket write, just before): order id →
 * epoch ms. One query (a scan of the facts: FerretDB has no secondary index to use); call it after the window.
 */
export async function analyticsAppliedAt(
  platform: Platform,
  orderIds: string[],
  type: string = ordersEventTypes.OrderConfirmed,
): Promise<Map<string, number>> {
  const conn = await mongoose.createConnection(`${platform.infra.mongoUrl}/${analyticsDb()}`).asPromise();
  try {
    const facts = await conn
      .collection<{ order_id?: string; applied_at?: Date }>('facts')
      .find({ type, order_id: { $in: orderIds } }, { projection: { order_id: 1, applied_at: 1 } })
      .toArray();
    return new Map(facts.filter((f) => f.order_id && f.applied_at).map((f) => [f.order_id!, new Date(f.applied_at!).getTime()]));
  } finally {
    await conn.close();
  }
}

export interface SalesCount {
  /** Orders counted as sales (confirmed). */
  orders: number;
  /** Orders placed in the range by their current status, as analytics sees them. */
  byStatus: Record<string, number>;
}

/** The sales report since `from`: what analytics has counted. */
export async function salesCount(gatewayUrl: string, adminToken: string, from: Date): Promise<SalesCount | undefined> {
  const res = await fetch(`${gatewayUrl}/api/admin/reports/sales?granularity=hour&from=${encodeURIComponent(from.toISOString())}`, {
    headers: { authorization: `Bearer ${adminToken}` },
  }).catch(() => undefined);
  if (!res?.ok) {
    await res?.body?.cancel();
    return undefined;
  }
  const body = (await res.json()) as { totals: { orders: number }; orders_by_status: Record<string, number> };
  return { orders: body.totals.orders, byStatus: body.orders_by_status };
}

export interface FanoutWait {
  /** Orders whose last awaited email had not arrived when the wait ended. */
  emailsMissing: number;
  /** The first few of them (their ids), to look up. */
  missingIds: string[];
  /** Orders the sales report did not count yet (as sales, and as delivered when awaited) when the wait ended. */
  notCounted: number;
  /** When both were complete (or the bound passed), epoch ms. */
  doneAt: number;
}

/**
 * Waits (bounded) until every order's fan-out is done: its confirmation (or cancellation) email is in MailDev's folder
 * and the sales report counts it (against `baseline`, the report before); with `until` 'delivered', its whole
 * lifecycle: the simulated carrier ships it ~5 s after booking and delivers it ~10 s later, and the wait is for its
 * delivery email (notifications consumes OrderDelivered beside analytics; analytics' own OrderDelivered facts are not
 * waited for: see analyticsAppliedAt). Cheap for the platform: the folder is read from disk every 100 ms, and the
 * report (gateway → analytics → FerretDB) is asked only once all the emails are in.
 */
export async function waitForFanout(args: {
  platform: Platform;
  adminToken: string;
  orderIds: string[];
  dir: string | undefined;
  reportFrom: Date;
  baseline: SalesCount;
  until: 'confirmed' | 'delivered';
  boundMs?: number;
}): Promise<FanoutWait> {
  const deadline = Date.now() + (args.boundMs ?? 60_000);
  const cache: DirCache = new Map();
  const last: EmailKind = args.until;
  for (;;) {
    // No folder known: MailDev's list (a request, each time).
    const seen = args.dir
      ? orderEmailsInDir(args.dir, cache)
      : new Map([...(await orderEmails(args.platform.infra.maildevUrl!))].map(([id, m]) => [id, new Set(m.keys())]));
    const done = (id: string) => seen.get(id)?.has(last) || seen.get(id)?.has('cancelled');
    const missingIds = args.orderIds.filter((id) => !done(id));
    const missing = missingIds.length;
    if (missing === 0 || Date.now() >= deadline) {
      // Cancellations are not sales.
      const sold = args.orderIds.filter((id) => seen.get(id)?.has('confirmed')).length;
      let short: number;
      do {
        const now = await salesCount(args.platform.url('gateway'), args.adminToken, args.reportFrom);
        short = Math.max(0, sold - ((now?.orders ?? 0) - args.baseline.orders));
        if (short > 0) await sleep(100);
      } while (short > 0 && Date.now() < deadline);
      return { emailsMissing: missing, missingIds: missingIds.slice(0, 10), notCounted: short, doneAt: Date.now() };
    }
    await sleep(100);
  }
}

export interface FanoutLags {
  orders_confirmed: number;
  email_p50_ms: number;
  email_p99_ms: number;
  emails_missing: number;
  /** Emails whose time is MailDev's Date header (whole seconds) because the .eml file could not be read. */
  email_times_from_date_header: number;
  analytics_p50_ms: number;
  analytics_p99_ms: number;
  analytics_not_counted: number;
}

/**
 * For the confirmed orders among `settled`: OrderConfirmed (the CONFIRMED time orders recorded) → the confirmation
 * email received by MailDev, and → applied by analytics (counted in the sales report), p50/p99 ms. Reads MailDev's list
 * and analytics' facts once: call it after the measured window.
 */
export async function fanoutLags(platform: Platform, settled: SettledOrder[]): Promise<FanoutLags> {
  const confirmed = settled.filter((o) => sagaTimes(o).confirmedAt !== undefined);
  const [emails, counted] = await Promise.all([
    orderEmails(platform.infra.maildevUrl!),
    analyticsAppliedAt(
      platform,
      confirmed.map((o) => o.id),
    ),
  ]);
  const emailLag: number[] = [];
  const analyticsLag: number[] = [];
  let inexact = 0;
  for (const o of confirmed) {
    const at = sagaTimes(o).confirmedAt!;
    const mail = emails.get(o.id)?.get('confirmed');
    if (mail) emailLag.push(mail.at - at);
    if (mail && !mail.exact) inexact++;
    const applied = counted.get(o.id);
    if (applied !== undefined) analyticsLag.push(applied - at);
  }
  const q = (xs: number[], p: number) =>
    Math.round(
      percentile(
        [...xs].sort((a, b) => a - b),
        p,
      ),
    );
  return {
    orders_confirmed: confirmed.length,
    email_p50_ms: q(emailLag, 50),
    email_p99_ms: q(emailLag, 99),
    emails_missing: confirmed.length - emailLag.length,
    email_times_from_date_header: inexact,
    analytics_p50_ms: q(analyticsLag, 50),
    analytics_p99_ms: q(analyticsLag, 99),
    analytics_not_counted: confirmed.length - analyticsLag.length,
  };
}
