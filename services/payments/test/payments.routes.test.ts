import { createApp, createLogger, finalizeApp, loadConfig } from '@globalmart/platform';
import { createMemoryDapr } from '@globalmart/platform/testing';
import request from 'supertest';
import { beforeEach, describe, expect, it } from 'vitest';
import { stateStorePaymentRepository } from '../src/payment.repository.ts';
import { paymentService } from '../src/payment.service.ts';
import { paymentsRoutes } from '../src/payments.routes.ts';
import { pspProvider } from '../src/psp.provider.ts';
import { fakePsp } from './fake-psp.ts';

const logger = createLogger(loadConfig({}, { APP_ID: 'payments', APP_PORT: '0', LOG_LEVEL: 'silent' }));
const body = { order_id: 'ord_1', amount_minor: 500, currency: 'USD', payment_method: 'tok_visa' };

let app: ReturnType<typeof createApp>;
let psp: ReturnType<typeof fakePsp>;
beforeEach(() => {
  const dapr = createMemoryDapr();
  psp = fakePsp(dapr.invoker);
  const provider = pspProvider(dapr.invoker, { appId: 'psp', apiKey: 'sk_test_unit', logger });
  app = createApp({ config: {}, logger });
  app.use(paymentsRoutes(paymentService({ repo: stateStorePaymentRepository(dapr.state()), provider, publisher: dapr.publisher, logger })));
  finalizeApp(app, logger);
});

describe('payments routes', () => {
  it('answers 201 twice with the same body for the same order', async () => {
    const first = await request(app).post('/payments/authorize').send(body).expect(201);
    const second = await request(app).post('/payments/authorize').send(body).expect(201);
    expect(second.body).toEqual(first.body);
    const view = await request(app).get('/payments/ord_1').expect(200);
    expect(view.body).toMatchObject({ status: 'authorized', provider_calls: { authorize: 1, capture: 0, refund: 0 } });
  });

  it('answers a decline with 402 problem+json carrying decline_code', async () => {
    const res = await request(app)
      .post('/payments/authorize')
      .send({ ...body, payment_method: 'tok_chargeDeclined' })
      .expect(402);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body).toMatchObject({ code: 'PAYMENT.DECLINED', decline_code: 'generic_decline' });
  });

  it('answers 503 PAYMENT.PROVIDER_UNAVAILABLE during an outage', async () => {
    psp.mode = 'outage';
    const res = await request(app).post('/payments/authorize').send(body).expect(503);
    expect(res.body).toMatchObject({ code: 'PAYMENT.PROVIDER_UNAVAILABLE', retryable: true });
  });

  it.each([
    [{ ...body, payment_method: '4242424242424242' }, 'payment_method'],
    [{ ...body, payment_method: 'visa' }, 'payment_method'],
    [{ ...body, amount_minor: 19.99 }, 'amount_minor'],
    [{ ...body, amount_minor: 0 }, 'amount_minor'],
    [{ ...body, currency: 'usd' }, 'currency'],
    [{ ...body, order_id: 'a/b' }, 'order_id'],
    [{ ...body, card_number: '4242424242424242' }, 'card_number'],
    [{ amount_minor: 1, currency: 'USD', payment_method: 'tok_visa' }, 'order_id'],
  ])('rejects %j with 400 naming %s and never a provider call', async (payload, field) => {
    const res = await request(app).post('/payments/authorize').send(payload).expect(400);
    expect((res.body as { errors: { field: string }[] }).errors.map((e) => e.field)).toContain(field);
    expect(JSON.stringify(res.body)).not.toContain('4242424242424242');
    expect(psp.requests).toBe(0);
  });

  it('refunds an unknown order with 200 none, and 404s reading or capturing it', async () => {
    expect((await request(app).post('/payments/ord_x/refund').expect(200)).body).toEqual({ status: 'none' });
    await request(app).post('/payments/ord_x/capture').expect(404);
    await request(app).get('/payments/ord_x').expect(404);
  });
});
