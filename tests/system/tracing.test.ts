// Traces and metrics of one checkout, read back from the real backends: Jaeger (started by the harness with
// `tracing: true`) by the order id, as the README's look-up does, and every app's and sidecar's Prometheus endpoint.
// The dashboard (deploy/grafana/globalmart-slo.json) may name only metrics these endpoints really serve.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { OrderTraces } from '@globalmart/contracts';
import { repoRoot, waitUntil } from '@globalmart/devstack';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { dashboardMetricNames } from '../harness/dashboard.ts';
import { findTraces, TraceView } from '../harness/jaeger.ts';
import { allApps, startPlatform, type Platform } from '../harness/platform.ts';
import { relaxedRateLimits } from '../harness/rate-limits.ts';
import { Storefront, type Session } from '../harness/storefront.ts';
import { reportLogsOnFailure } from '../harness/vitest.ts';

let platform: Platform;
let shop: Storefront;
let alice: Session;
let orderId: string;

/** The steps of a confirmed checkout, as the orders app runs them in its one advance activity (checkout.workflow.ts). */
const steps = ['reserveStock', 'authorizePayment', 'createShipment', 'capturePayment', 'commitReservation', 'confirmOrder'];
const consumers = ['cart', 'notifications', 'analytics', 'recommendations'];
const expectedServices = ['gateway', 'orders', 'inventory', 'payments', 'psp', 'shipping', ...consumers];

beforeAll(async () => {
  platform = await startPlatform({
    apps: [...allApps],
    tracing: true,
    placement: true,
    maildev: true,
    env: { gateway: relaxedRateLimits },
  });
  shop = new Storefront(platform.url('gateway'));
  alice = await shop.newCustomer('Alice Traced');
  expect((await shop.call('POST', '/api/cart/items', { token: alice.token, body: { product_id: 'prd_000007', quantity: 2 } })).status).toBe(
    200,
  );
  const accepted = await shop.checkout(alice);
  expect(accepted.status).toBe(201);
  orderId = accepted.body.order_id;
  expect((await shop.waitForOrder(alice, orderId, (s) => s !== 'PENDING')).status).toBe('CONFIRMED');
}, 300_000);
afterAll(async () => {
  await platform?.stop();
});
afterEach(reportLogsOnFailure(() => platform));

describe('one checkout is one trace in Jaeger, found by its order id', () => {
  let view: TraceView;

  it('the order id finds the checkout trace, rooted at the gateway, holding every service of the checkout', async () => {
    const jaeger = platform.jaeger!;
    let traces: Awaited<ReturnType<typeof findTraces>> = [];
    const isCheckout = (v: TraceView) => v.spans.some((sp) => sp.service === 'orders' && sp.operationName === 'checkout saga start');
    // Spans arrive in batches (each app and sidecar flushes every few seconds): wait until the checkout's trace is whole,
    // i.e. every service is in and every span's parent has arrived (one root).
    await waitUntil(
      'the whole checkout trace in Jaeger',
      async () => {
        traces = await findTraces(jaeger.queryUrl, 'orders', { 'order.id': orderId });
        return traces
          .map((t) => new TraceView(t))
          .some((v) => isCheckout(v) && v.roots.length === 1 && expectedServices.every((s) => v.services.has(s)));
      },
      { timeoutMs: 90_000, intervalMs: 1_000 },
    );
    // Every trace the id finds, with its roots and the spans tagged with the id.
    const views = traces.map((t) => new TraceView(t));
    console.log(
      views
        .map((v) => {
          const tagged = v.spans.filter((sp) => v.tag(sp, 'order.id') === orderId).map((sp) => `${sp.service}:${sp.operationName}`);
          const roots = v.roots.map((r) => `${r.service}:${r.operationName}`).join(', ');
          return `${v.trace.traceID}: ${v.spans.length} spans, roots ${roots}; tagged ${tagged.join(', ')}`;
        })
        .join('\n'),
    );
    // The checkout's own trace: the one holding the saga start. Exactly one.
    const checkout = views.filter(isCheckout);
    expect(checkout).toHaveLength(1);
    view = checkout[0]!;
    console.log(`trace ${view.trace.traceID} of ${orderId}: ${view.spans.length} spans\n${view.render()}`);
    expect(view.roots).toHaveLength(1);
    const root = view.roots[0]!;
    expect(root.service).toBe('gateway');
    expect(root.operationName).toMatch(/^POST/);
    expect([...view.services].sort()).toEqual(
      expect.arrayContaining(['gateway', 'orders', 'inventory', 'payments', 'psp', 'shipping', ...consumers]),
    );
  });

  it('the saga activity is a span of orders, child of the saga start; each step a span below it; all tagged with the order id', () => {
    const start = view.spans.find((s) => s.service === 'orders' && s.operationName === 'checkout saga start');
    expect(start).toBeDefined();
    expect(view.tag(start!, 'order.id')).toBe(orderId);
    // The saga start runs inside orders' POST /orders, which gateway → daprd → daprd → orders invoked.
    expect(view.ancestors(start!).map((s) => s.service)).toContain('gateway');
    const advance = view.spans.filter((s) => s.service === 'orders' && s.operationName === 'activity checkoutAdvance');
    expect(advance.length).toBeGreaterThanOrEqual(1);
    for (const a of advance) {
      expect(a.parentId).toBe(start!.spanID);
      expect(view.tag(a, 'order.id')).toBe(orderId);
    }
    for (const step of steps) {
      const spans = view.spans.filter((s) => s.service === 'orders' && s.operationName === `saga step ${step}`);
      expect(spans.length, step).toBeGreaterThanOrEqual(1);
      for (const s of spans) {
        expect(
          advance.map((a) => a.spanID),
          step,
        ).toContain(s.parentId);
        expect(view.tag(s, 'order.id'), step).toBe(orderId);
      }
    }
  });

  it('the steps call inventory, payments (→ psp) and shipping within their own spans', () => {
    const under = (service: string, step: string) =>
      view.spans.filter((s) => s.service === service && view.ancestors(s).some((a) => a.operationName === `saga step ${step}`));
    expect(under('inventory', 'reserveStock').length).toBeGreaterThan(0);
    expect(under('inventory', 'commitReservation').length).toBeGreaterThan(0);
    expect(under('payments', 'authorizePayment').length).toBeGreaterThan(0);
    expect(under('psp', 'authorizePayment').length).toBeGreaterThan(0);
    expect(under('psp', 'capturePayment').length).toBeGreaterThan(0);
    expect(under('shipping', 'createShipment').length).toBeGreaterThan(0);
  });

  it('the event consumers take part in the same trace, below the publish that fed them', () => {
    for (const consumer of consumers) {
      const spans = view.spans.filter((s) => s.service === consumer);
      expect(spans.length, consumer).toBeGreaterThan(0);
      // Each consumer's spans hang under orders' (the publisher's) spans: the CloudEvent carried the traceparent.
      expect(
        spans.some((s) => view.ancestors(s).some((a) => a.service === 'orders')),
        consumer,
      ).toBe(true);
    }
  });

  it("the admin console's trace route answers the same checkout trace, compact, in tree order (gateway → Jaeger)", async () => {
    const admin = { email: `ops-${orderId.slice(-8)}@globalmart.test`, password: 'a long admin passphrase' };
    await platform.createAdmin(admin.email, admin.password);
    const token = (await shop.call('POST', '/api/auth/login', { body: admin })).body.access_token as string;
    const res = await shop.call('GET', `/api/admin/ops/traces/${orderId}`, { token });
    expect(res.status).toBe(200);
    const body = OrderTraces.parse(res.body);
    expect(body.order_id).toBe(orderId);
    const checkout = body.traces.filter((t) => t.spans.some((s) => s.service === 'orders' && s.operation === 'checkout saga start'));
    expect(checkout).toHaveLength(1);
    const trace = checkout[0]!;
    expect(trace.trace_id).toBe(view.trace.traceID);
    expect(trace.spans.length).toBeGreaterThanOrEqual(view.spans.length);
    expect(trace.services).toEqual(expect.arrayContaining(expectedServices));
    // The root first, at offset 0: the gateway's POST; every other span after its parent, one level deeper.
    expect(trace.spans[0]).toMatchObject({ service: 'gateway', parent_id: null, depth: 0, start_ms: 0 });
    expect(trace.spans[0]!.operation).toMatch(/^POST/);
    expect(trace.spans.filter((s) => s.depth === 0)).toHaveLength(1);
    const depthOf = new Map<string, number>();
    for (const s of trace.spans) {
      if (s.parent_id) expect(s.depth, s.operation).toBe(depthOf.get(s.parent_id)! + 1);
      depthOf.set(s.span_id, s.depth);
    }
    expect(trace.duration_ms).toBeGreaterThanOrEqual(Math.max(...trace.spans.map((s) => s.start_ms + s.duration_ms)) - 0.01);
    // No trace for an order that never was; a malformed id names the field.
    const unknown = await shop.call('GET', `/api/admin/ops/traces/ord_${'0'.repeat(32)}`, { token });
    expect(unknown.status).toBe(404);
    expect(unknown.body.code).toBe('TRACE.NOT_FOUND');
    const bad = await shop.call('GET', '/api/admin/ops/traces/not-an-order', { token });
    expect(bad.status).toBe(400);
    expect(bad.body.errors).toEqual([expect.objectContaining({ field: 'order_id' })]);
  });
});

describe('metrics endpoints after the checkout', () => {
  const scrape = async (url: string) => {
    const res = await fetch(url);
    expect(res.status, url).toBe(200);
    return res.text();
  };
  /** `name{labels} value` lines, without comments. */
  const samples = (text: string) => text.split('\n').filter((l) => l && !l.startsWith('#'));
  const value = (text: string, name: string, labels: Record<string, string> = {}) =>
    samples(text)
      .filter((l) => l.startsWith(`${name}{`) || l.startsWith(`${name} `))
      .filter((l) => Object.entries(labels).every(([k, v]) => l.includes(`${k}="${v}"`)))
      .reduce((sum, l) => sum + Number(l.split(' ').at(-1)), 0);

  it('orders counts the order placed and confirmed, and the saga steps by name', async () => {
    const text = await scrape(platform.apps.orders!.metricsUrl);
    expect(value(text, 'globalmart_orders_placed_total')).toBeGreaterThanOrEqual(1);
    expect(value(text, 'globalmart_orders_confirmed_total')).toBeGreaterThanOrEqual(1);
    for (const step of steps) expect(value(text, 'globalmart_saga_step_duration_count', { step }), step).toBeGreaterThanOrEqual(1);
    expect(value(text, 'http_server_request_duration_count', { http_route: '/orders', http_response_status_code: '201' })).toBe(1);
  });

  it('the gateway has HTTP server durations by route and status; catalog counts its cache look-ups', async () => {
    const gateway = await scrape(platform.apps.gateway!.metricsUrl);
    expect(value(gateway, 'http_server_request_duration_count', { http_route: '/api/orders', http_response_status_code: '201' })).toBe(1);
    for (let i = 0; i < 2; i++) expect((await shop.call('GET', '/api/products?page=1&page_size=5')).status).toBe(200);
    const catalog = await scrape(platform.apps.catalog!.metricsUrl);
    expect(value(catalog, 'globalmart_cache_lookups_total', { cache: 'catalog', result: 'hit' })).toBeGreaterThanOrEqual(1);
  });

  it('the consumers count the events they took', async () => {
    for (const consumer of consumers) {
      const text = await scrape(platform.apps[consumer]!.metricsUrl);
      expect(value(text, 'globalmart_events_consumed_total', { outcome: 'applied' }), consumer).toBeGreaterThanOrEqual(1);
    }
  });

  it('every metric the Grafana dashboard queries is served by an app or a sidecar', async () => {
    const served = new Set<string>();
    for (const app of Object.values(platform.apps)) {
      for (const url of [app.metricsUrl, app.daprMetricsUrl]) {
        for (const line of samples(await scrape(url))) served.add(line.split(/[{ ]/)[0]!);
      }
    }
    const dashboard = JSON.parse(readFileSync(join(repoRoot, 'deploy/grafana/globalmart-slo.json'), 'utf8'));
    const names = dashboardMetricNames(dashboard);
    expect(names.length).toBeGreaterThan(5);
    expect(names.filter((n) => !served.has(n))).toEqual([]);
  });
});
