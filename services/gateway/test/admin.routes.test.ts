import { createApp, createLogger, finalizeApp, forbidden, loadConfig } from '@globalmart/platform';
import { MemoryInvoker } from '@globalmart/platform/testing';
import type { RequestHandler } from 'express';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { adminRoutes } from '../src/routes/admin.routes.ts';
import type { GatewayAuth } from '../src/routes/gateway-auth.ts';

const logger = createLogger(loadConfig({}, { APP_ID: 'gateway', APP_PORT: '0', LOG_LEVEL: 'silent' }));
const ADMIN = { 'x-user-id': 'usr_0123456789abcdef01234567', 'x-user-role': 'admin' };

function setup(role: 'admin' | 'customer' = 'admin') {
  const pass: RequestHandler = (_req, _res, next) => next();
  const auth: GatewayAuth = {
    authenticate: pass,
    requireCustomer: pass,
    requireAdmin: (_req, _res, next) => (role === 'admin' ? next() : next(forbidden('AUTH.ADMIN_ONLY', 'This needs the admin role.'))),
    forwardHeaders: () => ({ ...ADMIN, 'x-user-role': role }),
  };
  const invoker = new MemoryInvoker()
    .on('analytics', 'reports/sales', ({ query }) => ({ body: { echo: Object.fromEntries(query) } }))
    .on('notifications', 'dead-letters', ({ query }) => ({ body: { items: [], total: 0, echo: Object.fromEntries(query) } }))
    .on('notifications', 'dead-letters/dl_abc/replay', () => ({ body: { id: 'dl_abc', status: 'replayed' } }), 'POST')
    .on('notifications', 'dead-letters/dl_missing/replay', () => ({
      status: 404,
      body: { type: 'about:blank', title: 'Not Found', status: 404 },
    }));
  const app = createApp({ config: {}, logger });
  app.use(adminRoutes(invoker, auth));
  finalizeApp(app, logger);
  return { app, invoker };
}

describe('admin routes (reports and dead letters through Dapr)', () => {
  it('validates report queries at the edge and forwards them with the admin identity', async () => {
    const { app, invoker } = setup();
    const res = await request(app).get('/api/admin/reports/sales?granularity=day');
    expect(res.status).toBe(200);
    expect(res.body.echo).toEqual({ granularity: 'day' });
    expect(invoker.calls[0]?.request.headers).toMatchObject(ADMIN);
    const bad = await request(app).get('/api/admin/reports/sales?granularity=week');
    expect(bad.status).toBe(400);
    expect(bad.body.errors).toEqual([expect.objectContaining({ field: 'granularity' })]);
    const reversed = await request(app).get('/api/admin/reports/funnel?from=2026-11-02T00:00:00Z&to=2026-11-01T00:00:00Z');
    expect(reversed.status).toBe(400);
    expect(reversed.body.errors).toEqual([expect.objectContaining({ field: 'from' })]);
    expect(invoker.calls).toHaveLength(1);
  });

  it('lists and replays dead letters; unknown ids are 404, malformed ids 400, customers 403', async () => {
    const { app } = setup();
    expect((await request(app).get('/api/admin/dead-letters?status=all&limit=5')).body.echo).toEqual({ status: 'all', limit: '5' });
    expect((await request(app).get('/api/admin/dead-letters?limit=0')).status).toBe(400);
    expect((await request(app).post('/api/admin/dead-letters/dl_abc/replay')).body).toEqual({ id: 'dl_abc', status: 'replayed' });
    expect((await request(app).post('/api/admin/dead-letters/dl_missing/replay')).status).toBe(404);
    expect((await request(app).post('/api/admin/dead-letters/not-an-id/replay')).status).toBe(400);
    expect((await request(setup('customer').app).get('/api/admin/dead-letters')).status).toBe(403);
  });
});
