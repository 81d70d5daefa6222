// GET /api/admin/ops/traces/{order_id}: the gateway asks the trace backend's query API (here a stand-in answering
// Jaeger's /api/traces JSON on a real port) and answers the compact trace; 400/404/503 as problem+json.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { OrderTraces } from '@globalmart/contracts';
import { createApp, createLogger, finalizeApp, forbidden, loadConfig } from '@globalmart/platform';
import { MemoryInvoker } from '@globalmart/platform/testing';
import type { JaegerTrace } from '@globalmart/platform/traces';
import type { RequestHandler } from 'express';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { opsRoutes } from '../src/routes/ops.routes.ts';
import type { GatewayAuth } from '../src/routes/gateway-auth.ts';

const logger = createLogger(loadConfig({}, { APP_ID: 'gateway', APP_PORT: '0', LOG_LEVEL: 'silent' }));
const ORDER = `ord_${'a'.repeat(32)}`;
const T0 = 1_780_000_000_000_000; // µs

/** A checkout as Jaeger returns it: spans out of order, one whose parent has not arrived, one error. */
const checkout: JaegerTrace = {
  traceID: 'abc123',
  processes: { p1: { serviceName: 'gateway' }, p2: { serviceName: 'orders' }, p3: { serviceName: 'inventory' } },
  spans: [
    span('abc123', 's3', 'p3', 'POST /reservations', T0 + 30_000, 4_000, 's2', [{ key: 'otel.status_code', value: 'ERROR' }]),
    span('abc123', 's1', 'p1', 'POST /api/orders', T0, 113_500, undefined),
    span('abc123', 's2', 'p2', 'checkout saga start', T0 + 10_000, 80_000, 's1'),
    span('abc123', 's4', 'p2', 'activity confirmOrder', T0 + 95_000, 2_250, 's2', [{ key: 'error', value: true }]),
    span('abc123', 's5', 'p3', 'late batch', T0 + 40_000, 1_000, 'not-arrived'),
  ],
};
/** A later trace of the same order (shipping's jobs start their own). */
const later: JaegerTrace = {
  traceID: 'def456',
  processes: { p1: { serviceName: 'orders' } },
  spans: [span('def456', 'x1', 'p1', 'OrderShipped', T0 + 60_000_000, 1_000, undefined)],
};

function span(
  traceID: string,
  id: string,
  processID: string,
  operationName: string,
  startTime: number,
  duration: number,
  parent: string | undefined,
  tags: { key: string; value: unknown }[] = [],
) {
  return {
    traceID,
    spanID: id,
    operationName,
    startTime,
    duration,
    processID,
    tags,
    references: parent ? [{ refType: 'CHILD_OF' as const, traceID, spanID: parent }] : [],
  };
}

/** Jaeger's query API, answering from `answer` and recording each query. */
let jaeger: Server;
let jaegerUrl = '';
let answer: (url: URL) => { status: number; body: unknown } = () => ({ status: 200, body: { data: [] } });
const queries: URL[] = [];
beforeAll(async () => {
  jaeger = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://jaeger');
    queries.push(url);
    const { status, body } = answer(url);
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  });
  await new Promise<void>((resolve) => jaeger.listen(0, '127.0.0.1', resolve));
  jaegerUrl = `http://127.0.0.1:${(jaeger.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => jaeger.close(() => resolve())));

function setup({ role = 'admin', traceQueryUrl }: { role?: 'admin' | 'customer'; traceQueryUrl?: string | undefined } = {}) {
  const pass: RequestHandler = (_req, _res, next) => next();
  const auth: GatewayAuth = {
    authenticate: pass,
    requireCustomer: pass,
    requireAdmin: (_req, _res, next) => (role === 'admin' ? next() : next(forbidden('AUTH.ADMIN_ONLY', 'This needs the admin role.'))),
    forwardHeaders: () => ({}),
  };
  const app = createApp({ config: {}, logger });
  const sidecar = { DAPR_HOST: '127.0.0.1', DAPR_HTTP_PORT: 1, DAPR_API_TOKEN: undefined };
  app.use(opsRoutes(new MemoryInvoker(), auth, { ...sidecar, TRACE_QUERY_URL: traceQueryUrl } as never));
  finalizeApp(app, logger);
  return app;
}

describe('an order trace from the trace backend', () => {
  it("maps Jaeger's traces to spans in tree order with offsets, depths, errors and services, the checkout first", async () => {
    answer = () => ({ status: 200, body: { data: [later, checkout] } });
    queries.length = 0;
    const res = await request(setup({ traceQueryUrl: jaegerUrl })).get(`/api/admin/ops/traces/${ORDER}`);
    expect(res.status).toBe(200);
    expect(res.headers['cache-control']).toBe('private, no-store');
    const body = OrderTraces.parse(res.body);
    // Jaeger's tag search, on the app whose spans carry the order id.
    expect(queries).toHaveLength(1);
    expect(queries[0]!.pathname).toBe('/api/traces');
    expect(queries[0]!.searchParams.get('service')).toBe('orders');
    expect(JSON.parse(queries[0]!.searchParams.get('tags')!)).toEqual({ 'order.id': ORDER });
    expect(body.order_id).toBe(ORDER);
    expect(body.traces.map((t) => t.trace_id)).toEqual(['abc123', 'def456']);
    const [trace] = body.traces;
    expect(trace).toMatchObject({
      trace_id: 'abc123',
      started_at: new Date(T0 / 1000).toISOString(),
      duration_ms: 113.5,
      services: ['gateway', 'orders', 'inventory'],
    });
    expect(trace!.spans.map((s) => [s.span_id, s.parent_id, s.service, s.operation, s.start_ms, s.duration_ms, s.depth, s.error])).toEqual([
      ['s1', null, 'gateway', 'POST /api/orders', 0, 113.5, 0, false],
      ['s2', 's1', 'orders', 'checkout saga start', 10, 80, 1, false],
      ['s3', 's2', 'inventory', 'POST /reservations', 30, 4, 2, true],
      ['s4', 's2', 'orders', 'activity confirmOrder', 95, 2.25, 2, true],
      // Its parent has not reached Jaeger yet: shown as a root, its parent still named.
      ['s5', 'not-arrived', 'inventory', 'late batch', 40, 1, 0, false],
    ]);
  });

  it('no trace yet (or an unknown order) is 404; a malformed order id is 400 naming the field; customers 403', async () => {
    answer = () => ({ status: 200, body: { data: null } });
    const app = setup({ traceQueryUrl: jaegerUrl });
    const missing = await request(app).get(`/api/admin/ops/traces/${ORDER}`);
    expect(missing.status).toBe(404);
    expect(missing.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(missing.body.code).toBe('TRACE.NOT_FOUND');
    queries.length = 0;
    const bad = await request(app).get('/api/admin/ops/traces/ord_nope');
    expect(bad.status).toBe(400);
    expect(bad.body.errors).toEqual([expect.objectContaining({ field: 'order_id' })]);
    expect(queries).toHaveLength(0);
    expect((await request(setup({ role: 'customer', traceQueryUrl: jaegerUrl })).get(`/api/admin/ops/traces/${ORDER}`)).status).toBe(403);
  });

  it('answers 503 problem+json when tracing is not configured, and when the backend fails or cannot be reached', async () => {
    const off = await request(setup()).get(`/api/admin/ops/traces/${ORDER}`);
    expect(off.status).toBe(503);
    expect(off.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(off.body).toMatchObject({ code: 'TRACING.NOT_CONFIGURED', detail: expect.stringContaining('not configured') });

    answer = () => ({ status: 500, body: { errors: [{ code: 500, msg: 'storage down' }] } });
    const failing = await request(setup({ traceQueryUrl: jaegerUrl })).get(`/api/admin/ops/traces/${ORDER}`);
    expect(failing.status).toBe(503);
    expect(failing.body.code).toBe('TRACING.UNAVAILABLE');

    // A port nobody listens on: a closed server's.
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const down = await request(setup({ traceQueryUrl: `http://127.0.0.1:${port}` })).get(`/api/admin/ops/traces/${ORDER}`);
    expect(down.status).toBe(503);
    expect(down.body.code).toBe('TRACING.UNAVAILABLE');
  });
});
