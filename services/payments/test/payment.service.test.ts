import { paymentsEventTypes, type PaymentAuthorizeRequest } from '@globalmart/contracts';
import { AppError, createLogger, loadConfig } from '@globalmart/platform';
import { createMemoryDapr } from '@globalmart/platform/testing';
import { beforeEach, describe, expect, it } from 'vitest';
import { paymentKey, stateStorePaymentRepository } from '../src/payment.repository.ts';
import { paymentService } from '../src/payment.service.ts';
import { pspProvider } from '../src/psp.provider.ts';
import { fakePsp } from './fake-psp.ts';

const logger = createLogger(loadConfig({}, { APP_ID: 'payments', APP_PORT: '0', LOG_LEVEL: 'silent' }));
const visa: PaymentAuthorizeRequest = { order_id: 'ord_1', amount_minor: 1999, currency: 'EUR', payment_method: 'tok_visa' };

let dapr: ReturnType<typeof createMemoryDapr>;
let psp: ReturnType<typeof fakePsp>;
let payments: ReturnType<typeof paymentService>;
beforeEach(() => {
  dapr = createMemoryDapr();
  psp = fakePsp(dapr.invoker);
  const provider = pspProvider(dapr.invoker, { appId: 'psp', apiKey: 'sk_test_unit', logger });
  payments = paymentService({ repo: stateStorePaymentRepository(dapr.state()), provider, publisher: dapr.publisher, logger });
});

async function failure(promise: Promise<unknown>): Promise<AppError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AppError);
  return err as AppError;
}

describe('authorise', () => {
  it('authorises once: a repeat returns the stored result without calling the provider again', async () => {
    const first = await payments.authorize(visa);
    expect(first).toMatchObject({ order_id: 'ord_1', status: 'authorized', amount_minor: 1999, currency: 'EUR' });
    expect(await payments.authorize(visa)).toEqual(first);
    expect(psp.requests).toBe(1);
    expect((await payments.get('ord_1')).provider_calls).toEqual({ authorize: 1, capture: 0, refund: 0 });
    const events = dapr.publisher.ofType(paymentsEventTypes.PaymentProcessed);
    expect(events).toEqual([expect.objectContaining({ topic: 'payments', id: 'ord_1:payment-processed' })]);
    expect(events[0]!.data).toMatchObject({ order_id: 'ord_1', payment_id: first.payment_id, amount_minor: 1999, currency: 'EUR' });
  });

  it('sends the order id as the idempotency key and the API key as a bearer token', async () => {
    await payments.authorize(visa);
    const call = dapr.invoker.calls.find((c) => c.method === 'v1/charges')!;
    expect(call.request.body).toMatchObject({ idempotency_key: 'ord_1', source: 'tok_visa' });
    expect(call.request.headers).toEqual({ authorization: 'Bearer sk_test_unit' });
  });

  it('declines with 402 PAYMENT.DECLINED, publishes payment-failed, and answers a repeat the same way', async () => {
    const declined = { ...visa, payment_method: 'tok_chargeDeclined' };
    for (let i = 0; i < 2; i++) {
      const err = await failure(payments.authorize(declined));
      expect(err).toMatchObject({ status: 402, code: 'PAYMENT.DECLINED', details: { decline_code: 'generic_decline' } });
    }
    expect(psp.requests).toBe(1);
    expect(dapr.publisher.ofType(paymentsEventTypes.PaymentFailed)).toHaveLength(1);
  });

  it.each(['outage', 'breaker-open'] as const)('maps %s to a retryable 503 and retries with the same key afterwards', async (mode) => {
    psp.mode = mode;
    const err = await failure(payments.authorize(visa));
    expect(err).toMatchObject({ status: 503, code: 'PAYMENT.PROVIDER_UNAVAILABLE' });
    expect((await payments.get('ord_1')).status).toBe('pending');
    psp.mode = 'up';
    expect(await payments.authorize(visa)).toMatchObject({ status: 'authorized' });
    expect((await payments.get('ord_1')).provider_calls.authorize).toBe(2);
    expect(psp.charges.size).toBe(1);
  });

  it('refuses the same order with a different amount (409) without calling the provider', async () => {
    await payments.authorize(visa);
    const err = await failure(payments.authorize({ ...visa, amount_minor: 1 }));
    expect(err).toMatchObject({ status: 409, code: 'PAYMENT.IDEMPOTENCY_MISMATCH' });
    expect(psp.requests).toBe(1);
  });

  it('republishes an event that a broker error held back, on the next call', async () => {
    const publish = dapr.publisher.publish.bind(dapr.publisher);
    dapr.publisher.publish = async () => {
      throw new Error('broker down');
    };
    expect(await failure(payments.authorize(visa))).toMatchObject({ status: 503, code: 'PAYMENT.EVENT_NOT_PUBLISHED' });
    dapr.publisher.publish = publish;
    expect(await payments.authorize(visa)).toMatchObject({ status: 'authorized' });
    expect(dapr.publisher.ofType(paymentsEventTypes.PaymentProcessed)).toHaveLength(1);
    expect(psp.requests).toBe(1);
  });
});

describe('capture and refund', () => {
  it('captures once, then refunds; repeats change nothing', async () => {
    await payments.authorize(visa);
    expect(await payments.capture('ord_1')).toEqual({ status: 'captured' });
    expect(await payments.capture('ord_1')).toEqual({ status: 'captured' });
    expect(await payments.refund('ord_1')).toEqual({ status: 'refunded' });
    expect(await payments.refund('ord_1')).toEqual({ status: 'refunded' });
    const view = await payments.get('ord_1');
    expect(view).toMatchObject({ status: 'refunded', provider_calls: { authorize: 1, capture: 1, refund: 1 } });
    const refunded = dapr.publisher.ofType(paymentsEventTypes.PaymentRefunded);
    expect(refunded).toEqual([expect.objectContaining({ id: 'ord_1:payment-refunded' })]);
    expect(refunded[0]!.data).toMatchObject({ amount_minor: 1999, currency: 'EUR', kind: 'refund' });
  });

  it('voids an authorisation that was never captured', async () => {
    await payments.authorize(visa);
    expect(await payments.refund('ord_1')).toEqual({ status: 'voided' });
    expect(psp.charges.get('ch_1')!.status).toBe('voided');
    expect(await failure(payments.capture('ord_1'))).toMatchObject({ status: 409, code: 'PAYMENT.NOT_CAPTURABLE' });
    expect(await failure(payments.authorize(visa))).toMatchObject({ status: 409, code: 'PAYMENT.ALREADY_REFUNDED' });
  });

  it('answers none for an unknown or declined payment, and 404 on capture of an unknown one', async () => {
    expect(await payments.refund('ord_nope')).toEqual({ status: 'none' });
    await failure(payments.authorize({ ...visa, payment_method: 'tok_chargeDeclined' }));
    expect(await payments.refund('ord_1')).toEqual({ status: 'none' });
    expect(await failure(payments.capture('ord_nope'))).toMatchObject({ status: 404, code: 'PAYMENT.NOT_FOUND' });
  });

  it('settles a pending payment whose outcome was lost: voids the charge the provider made under our key', async () => {
    await payments.authorize(visa);
    // As if the process died after the provider answered but before the outcome was stored.
    const store = dapr.state();
    const entry = (await store.get<Record<string, unknown>>(paymentKey('ord_1')))!;
    await store.save(paymentKey('ord_1'), { ...entry.value, status: 'pending', charge_id: undefined, published: [] });
    expect(await payments.refund('ord_1')).toEqual({ status: 'voided' });
    expect(psp.charges.get('ch_1')!.status).toBe('voided');
    expect((await payments.get('ord_1')).status).toBe('voided');
  });

  it('voids a pending payment the provider never saw, so a late retry cannot charge', async () => {
    psp.mode = 'outage';
    await failure(payments.authorize(visa));
    psp.mode = 'up';
    expect(await payments.refund('ord_1')).toEqual({ status: 'none' });
    expect(await failure(payments.authorize(visa))).toMatchObject({ status: 409, code: 'PAYMENT.ALREADY_REFUNDED' });
    expect(psp.charges.size).toBe(0);
    expect(dapr.publisher.published).toHaveLength(0);
  });
});
