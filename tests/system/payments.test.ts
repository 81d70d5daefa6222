// payments beside the simulated PSP, both behind real sidecars: idempotent authorisation, capture, refund/void,
// a rehearsed outage, and Dapr's circuit breaker on the provider (resiliency.yaml: psp → providerCB).
// The tests run in order and the last one leaves the breaker open (30 s), so it must stay last.
import { PaymentAuthorization, PaymentRecordView, PspIdempotencyStats } from '@globalmart/contracts';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startPlatform, type Platform } from '../harness/platform.ts';
import { reportLogsOnFailure } from '../harness/vitest.ts';

const SLOW_MS = 1500;
let platform: Platform;
beforeAll(async () => {
  platform = await startPlatform({ apps: ['psp', 'payments'], env: { psp: { PSP_SLOW_DELAY_MS: String(SLOW_MS) } } });
});
afterAll(async () => {
  await platform?.stop();
});
afterEach(reportLogsOnFailure(() => platform));

let orderSeq = 0;
const newOrder = () => `ord_sys_${Date.now().toString(36)}_${++orderSeq}`;

/** From orders' sidecar (a bare one: orders is not running here), as the checkout saga calls payments. */
async function payments(path: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown>; ms: number }> {
  const started = performance.now();
  const res = await platform.invoke('orders', 'payments', body === undefined ? 'GET' : 'POST', path, body);
  return { status: res.status, body: res.body as Record<string, unknown>, ms: performance.now() - started };
}

const authorize = (order_id: string, payment_method = 'tok_visa') =>
  payments('payments/authorize', { order_id, amount_minor: 4999, currency: 'EUR', payment_method });

/** The PSP simulator's own admin routes, straight at its port (no app invokes them), with the token its sidecar presents. */
const pspAdmin = (path: string, init: RequestInit = {}) =>
  fetch(`${platform.url('psp')}/admin/${path}`, { ...init, headers: { ...platform.appHeaders('psp'), ...init.headers } });

async function pspStats(key: string): Promise<PspIdempotencyStats> {
  return PspIdempotencyStats.parse(await (await pspAdmin(`idempotency/${key}`)).json());
}

async function setOutage(down: boolean): Promise<void> {
  const res = await pspAdmin('outage', { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ down }) });
  expect(await res.json()).toEqual({ down });
}

describe('payments through Dapr', () => {
  it('authorises tok_visa once: the same order twice is one provider charge and the same 201 body', async () => {
    const order = newOrder();
    const first = await authorize(order);
    expect(first.status).toBe(201);
    expect(PaymentAuthorization.parse(first.body)).toMatchObject({
      order_id: order,
      status: 'authorized',
      amount_minor: 4999,
      currency: 'EUR',
    });
    const second = await authorize(order);
    expect(second).toMatchObject({ status: 201, body: first.body });
    const record = PaymentRecordView.parse((await payments(`payments/${order}`)).body);
    expect(record.provider_calls.authorize).toBe(1);
    expect(await pspStats(order)).toEqual({ idempotency_key: order, requests: 1, charges: 1 });
    // Only payments talks to the provider: the saga itself is refused, and the PSP never sees the request.
    const charge = { idempotency_key: order, amount_minor: 4999, currency: 'EUR', source: 'tok_visa' };
    const direct = await platform.invoke('orders', 'psp', 'POST', 'v1/charges', charge, { authorization: 'Bearer sk_test_probe' });
    expect(direct.status).toBe(403);
    expect((await pspStats(order)).requests).toBe(1);
  });

  it('declines tok_chargeDeclined with 402 PAYMENT.DECLINED, again on a repeat, without a second provider call', async () => {
    const order = newOrder();
    for (let i = 0; i < 2; i++) {
      const res = await authorize(order, 'tok_chargeDeclined');
      expect(res.status).toBe(402);
      expect(res.body).toMatchObject({ code: 'PAYMENT.DECLINED', decline_code: 'generic_decline' });
    }
    expect((await payments(`payments/${order}`)).body).toMatchObject({ status: 'declined', provider_calls: { authorize: 1 } });
    expect((await pspStats(order)).requests).toBe(1);
  });

  it('captures and refunds a payment, voids an uncaptured one, and answers none for an unknown order', async () => {
    const captured = newOrder();
    await authorize(captured);
    expect(await payments(`payments/${captured}/capture`, {})).toMatchObject({ status: 200, body: { status: 'captured' } });
    expect(await payments(`payments/${captured}/refund`, {})).toMatchObject({ status: 200, body: { status: 'refunded' } });
    expect((await payments(`payments/${captured}`)).body).toMatchObject({
      status: 'refunded',
      provider_calls: { authorize: 1, capture: 1, refund: 1 },
    });

    const voided = newOrder();
    await authorize(voided);
    expect(await payments(`payments/${voided}/refund`, {})).toMatchObject({ status: 200, body: { status: 'voided' } });
    expect(await payments(`payments/${voided}/refund`, {})).toMatchObject({ status: 200, body: { status: 'voided' } });
    expect(await payments(`payments/${newOrder()}/refund`, {})).toMatchObject({ status: 200, body: { status: 'none' } });
  });

  it('rejects a card number with 400 naming payment_method, echoing no digits', async () => {
    const res = await authorize(newOrder(), '4242 4242 4242 4242');
    expect(res.status).toBe(400);
    expect((res.body.errors as { field: string }[]).map((e) => e.field)).toEqual(['payment_method']);
    expect(JSON.stringify(res.body)).not.toContain('4242');
  });

  it('waits for tok_slow inside the provider timeout', async () => {
    const res = await authorize(newOrder(), 'tok_slow');
    expect(res.status).toBe(201);
    expect(res.ms).toBeGreaterThanOrEqual(SLOW_MS);
  });

  it('answers 503 PAYMENT.PROVIDER_UNAVAILABLE during an outage and authorises after it, with one charge', async () => {
    const order = newOrder();
    await setOutage(true);
    try {
      for (let i = 0; i < 2; i++) {
        const res = await authorize(order);
        expect(res.status).toBe(503);
        expect(res.body).toMatchObject({ code: 'PAYMENT.PROVIDER_UNAVAILABLE', retryable: true });
      }
    } finally {
      await setOutage(false);
    }
    expect((await authorize(order)).status).toBe(201);
    expect((await payments(`payments/${order}`)).body).toMatchObject({ status: 'authorized', provider_calls: { authorize: 3 } });
    expect(await pspStats(order)).toMatchObject({ charges: 1 });
  });

  it('keeps declines off the breaker: six declined cards in a row, then a good card still goes through', async () => {
    for (let i = 0; i < 6; i++) expect((await authorize(newOrder(), 'tok_chargeDeclined')).status).toBe(402);
    expect((await authorize(newOrder())).status).toBe(201);
  });

  it('Dapr counts a 4xx answer as a breaker failure, one breaker per method path', async () => {
    // Straight at the PSP through payments' sidecar, on a path of its own so the authorisation breaker is untouched.
    const call = () =>
      platform.invoke('payments', 'psp', 'POST', 'v1/charges/ch_missing/capture', {}, { authorization: 'Bearer sk_test_probe' });
    for (let i = 0; i < 5; i++) expect((await call()).status).toBe(404);
    const tripped = await call();
    expect(tripped.status).toBe(500);
    expect(JSON.stringify(tripped.body)).toContain('circuit breaker is open');
  });

  it('trips the provider breaker after 5 consecutive failures: calls then fail fast and never reach the PSP', async () => {
    await setOutage(true);
    try {
      for (let i = 0; i < 5; i++) expect((await authorize(newOrder())).status).toBe(503);
    } finally {
      await setOutage(false);
    }
    // The PSP is healthy again, but the breaker stays open for 30 s: the call is refused by the sidecar itself.
    const order = newOrder();
    const open = await authorize(order, 'tok_slow');
    expect(open.status).toBe(503);
    expect(open.body).toMatchObject({ code: 'PAYMENT.PROVIDER_UNAVAILABLE' });
    expect(open.ms).toBeLessThan(SLOW_MS / 2);
    expect(await pspStats(order)).toEqual({ idempotency_key: order, requests: 0, charges: 0 });
    // daprd logs in logfmt, so the breaker's quoted name arrives escaped: \"psp:v1/charges\".
    expect(platform.apps.payments!.sidecar.logTail(400)).toMatch(/Circuit breaker \\"psp:v1\/charges\\" changed state from closed to open/);
  });
});
