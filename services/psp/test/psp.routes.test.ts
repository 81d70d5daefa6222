import { createApp, createLogger, finalizeApp, loadConfig } from '@globalmart/platform';
import request from 'supertest';
import { beforeEach, describe, expect, it } from 'vitest';
import { chargeBook } from '../src/charge.book.ts';
import { pspRoutes, type Outage } from '../src/psp.routes.ts';

const logger = createLogger(loadConfig({}, { APP_ID: 'psp', APP_PORT: '0', LOG_LEVEL: 'silent' }));
const auth = { authorization: 'Bearer sk_test_abc123' };
const charge = (source: string, key = 'ord_1') => ({ idempotency_key: key, amount_minor: 1000, currency: 'EUR', source });

let app: ReturnType<typeof createApp>;
let outage: Outage;
let sleeps: number[];
beforeEach(() => {
  outage = { down: false };
  sleeps = [];
  const book = chargeBook({ slowDelayMs: 40, sleep: (ms) => (sleeps.push(ms), new Promise((r) => setTimeout(r, ms))) });
  app = createApp({ config: {}, logger });
  app.use(pspRoutes(book, outage, logger));
  finalizeApp(app, logger);
});

const post = (path: string, body: object = {}) => request(app).post(path).set(auth).send(body);

describe('simulated PSP', () => {
  it('authorises tok_visa and answers a repeat of the key with the same charge, counting one charge', async () => {
    const first = await post('/v1/charges', charge('tok_visa')).expect(200);
    expect(first.body).toMatchObject({ status: 'authorized', amount_minor: 1000, currency: 'EUR', idempotency_key: 'ord_1' });
    expect(first.body.id).toMatch(/^ch_/);
    const again = await post('/v1/charges', charge('tok_visa')).expect(200);
    expect(again.body).toEqual(first.body);
    const stats = await request(app).get('/admin/idempotency/ord_1').expect(200);
    expect(stats.body).toEqual({ idempotency_key: 'ord_1', requests: 2, charges: 1 });
  });

  it('declines tok_chargeDeclined with a 200 declined charge (a non-2xx would count against Dapr’s breaker)', async () => {
    const res = await post('/v1/charges', charge('tok_chargeDeclined')).expect(200);
    expect(res.body).toMatchObject({ status: 'declined', code: 'card_declined', decline_code: 'generic_decline' });
  });

  it('makes tok_slow wait PSP_SLOW_DELAY_MS, and a concurrent repeat waits for the same charge', async () => {
    const [a, b] = await Promise.all([post('/v1/charges', charge('tok_slow')), post('/v1/charges', charge('tok_slow'))]);
    expect(a.body.id).toBe(b.body.id);
    expect(sleeps).toEqual([40]);
    expect((await request(app).get('/admin/idempotency/ord_1')).body.charges).toBe(1);
  });

  it('refuses a key reused with another amount', async () => {
    await post('/v1/charges', charge('tok_visa')).expect(200);
    await post('/v1/charges', { ...charge('tok_visa'), amount_minor: 1 }).expect(409);
  });

  it('captures, refunds, and finds a charge by its key', async () => {
    const { body } = await post('/v1/charges', charge('tok_visa'));
    expect((await post(`/v1/charges/${body.id}/capture`).expect(200)).body.status).toBe('captured');
    expect((await post(`/v1/charges/${body.id}/refund`).expect(200)).body.status).toBe('refunded');
    await post(`/v1/charges/${body.id}/capture`).expect(409);
    await post('/v1/charges/ch_nope/refund').expect(404);
    const found = await request(app).get('/v1/charges?idempotency_key=ord_1').set(auth).expect(200);
    expect(found.body.data).toEqual([expect.objectContaining({ id: body.id, status: 'refunded' })]);
  });

  it('answers every /v1 call with 503 while the outage is on, and recovers when it is off', async () => {
    await request(app).put('/admin/outage').send({ down: true }).expect(200, { down: true });
    expect((await request(app).get('/admin/outage')).body).toEqual({ down: true });
    await post('/v1/charges', charge('tok_visa')).expect(503);
    await request(app).get('/v1/charges?idempotency_key=ord_1').set(auth).expect(503);
    await request(app).put('/admin/outage').send({ down: false }).expect(200, { down: false });
    await post('/v1/charges', charge('tok_visa')).expect(200);
  });

  it('requires a secret key and valid bodies', async () => {
    await request(app).post('/v1/charges').send(charge('tok_visa')).expect(401);
    const bad = await post('/v1/charges', { ...charge('4242424242424242') }).expect(400);
    expect(bad.body.errors.map((e: { field: string }) => e.field)).toEqual(['source']);
    await request(app).put('/admin/outage').send({ down: 'yes' }).expect(400);
  });
});
