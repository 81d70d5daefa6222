import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { callerOf, isServiceCall } from '../src/caller.ts';
import { testApp } from './helpers.ts';

// Routes of real apps, checked against the access table in @globalmart/contracts (access.ts).
const app = (appId: string) =>
  testApp({
    env: { APP_ID: appId },
    routes: (a) => {
      a.post('/payments/authorize', (req, res) => void res.json({ user: callerOf(req) ?? null, service: isServiceCall(req) }));
      a.get('/carts/:id', (req, res) => void res.json({ user: callerOf(req) ?? null, service: isServiceCall(req) }));
      a.post('/events/orders', (_req, res) => void res.json({ delivered: true }));
    },
  }).app;

describe('the per-route caller allow-list', () => {
  it('lets the app the table names call the route, and refuses every other app with 403 problem+json', async () => {
    const payments = app('payments');
    const ok = await request(payments).post('/payments/authorize').set('dapr-caller-app-id', 'orders').send({});
    expect(ok.status).toBe(200);
    const denied = await request(payments).post('/payments/authorize').set('dapr-caller-app-id', 'gateway').send({});
    expect(denied.status).toBe(403);
    expect(denied.type).toBe('application/problem+json');
    expect(denied.body.code).toBe('AUTH.CALLER_NOT_ALLOWED');
    // The same path with a verb the table does not give the caller.
    expect((await request(payments).put('/payments/authorize').set('dapr-caller-app-id', 'orders').send({})).status).toBe(403);
  });

  it('refuses an invocable route reached without a calling app (only the own sidecar sends none)', async () => {
    const res = await request(app('payments')).post('/payments/authorize').send({});
    expect(res.status).toBe(403);
  });

  it("lets the app's own sidecar deliver events to subscription routes, which no other app may invoke", async () => {
    const cart = app('cart');
    expect((await request(cart).post('/events/orders').send({})).status).toBe(200);
    expect((await request(cart).post('/events/orders').set('dapr-caller-app-id', 'orders').send({})).status).toBe(403);
  });
});

describe('who the caller is', () => {
  it('believes x-user-* from the gateway only; another app calling acts as itself', async () => {
    const cart = app('cart');
    const viaGateway = await request(cart)
      .get('/carts/u1')
      .set({ 'dapr-caller-app-id': 'gateway', 'x-user-id': 'u1', 'x-user-role': 'customer' });
    expect(viaGateway.body).toEqual({ user: { appId: 'gateway', userId: 'u1', role: 'customer' }, service: false });
    const forged = await request(cart)
      .get('/carts/u1')
      .set({ 'dapr-caller-app-id': 'orders', 'x-user-id': 'admin-1', 'x-user-role': 'admin' });
    expect(forged.status).toBe(200);
    expect(forged.body).toEqual({ user: null, service: true });
  });
});

describe('the edge hook', () => {
  it("runs before the kit's probes, token check and body parsing, so its headers are on every answer", async () => {
    const { app } = testApp({
      env: { APP_ID: 'gateway', APP_API_TOKEN: 'tok' },
      edge: (_req, res, next) => (res.setHeader('x-edge', 'yes'), next()),
    });
    expect((await request(app).get('/healthz')).headers['x-edge']).toBe('yes');
    const bad = await request(app).post('/anything').set('dapr-api-token', 'tok').set('content-type', 'application/json').send('{"broken');
    expect(bad.status).toBe(400);
    expect(bad.headers['x-edge']).toBe('yes');
    expect((await request(app).get('/x')).headers['x-edge']).toBe('yes'); // refused by the token check: 401, still edged
  });
});
