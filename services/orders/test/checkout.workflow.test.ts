// The whole saga — the real workflow and activities — driven like the Dapr runtime drives it, against memory fakes.
import { createMemoryDapr, type MemoryDapr } from '@globalmart/platform/testing';
import { beforeEach, describe, expect, it } from 'vitest';
import { checkoutActivities } from '../src/checkout.activities.ts';
import { checkoutWorkflow, sagaInputOf } from '../src/checkout.workflow.ts';
import { OrderWriter } from '../src/order.writer.ts';
import { addresses, anOrder, driveSaga, silentLogger } from './fixtures.ts';
import { MemoryOrderRepository } from './memory-order.repository.ts';

describe('checkout saga against memory fakes', () => {
  let dapr: MemoryDapr;
  let repo: MemoryOrderRepository;
  let writer: OrderWriter;
  // What the fake services did, in order: the test's view of the side effects.
  let effects: string[];
  let answers: Record<string, () => { status: number; body?: unknown }>;

  beforeEach(() => {
    dapr = createMemoryDapr();
    repo = new MemoryOrderRepository();
    writer = new OrderWriter(repo, dapr.publisher, silentLogger);
    effects = [];
    answers = {};
    const fake = (appId: string, path: string, name: string, status = 200) =>
      dapr.invoker.on(appId, path, () => {
        const answer = answers[name]?.() ?? { status, body: {} };
        if (answer.status < 300) effects.push(name);
        return answer;
      });
    fake('inventory', 'reservations', 'reserve', 201);
    fake('payments', 'payments/authorize', 'authorize', 201);
    fake('shipping', 'shipments', 'ship', 201);
  });

  const run = async (opts: { stored?: boolean } = {}) => {
    const order = anOrder();
    if (opts.stored !== false) await writer.create(order);
    const id = order.order_id;
    for (const [path, name] of [
      [`payments/${id}/capture`, 'capture'],
      [`payments/${id}/refund`, 'refund'],
      [`reservations/${id}/commit`, 'commit'],
      [`reservations/${id}/release`, 'release'],
      [`shipments/${id}/cancel`, 'cancelShipment'],
    ] as const) {
      const appId = path.startsWith('payments') ? 'payments' : path.startsWith('reservations') ? 'inventory' : 'shipping';
      dapr.invoker.on(appId, path, () => {
        const answer = answers[name]?.() ?? { status: 200, body: {} };
        if (answer.status < 300) effects.push(name);
        return answer;
      });
    }
    const activities = checkoutActivities({ invoker: dapr.invoker, repo, writer, logger: silentLogger, addresses });
    const input = sagaInputOf(order, { paymentWaitSeconds: 120, stepRetrySeconds: 60 });
    const outcome = await driveSaga((ctx) => checkoutWorkflow(ctx, input), activities);
    return { ...outcome, order: (await repo.get(id))!, id };
  };

  it('happy path: reserve → authorise → ship → capture → commit, CONFIRMED, OrderConfirmed published', async () => {
    const { result, order, id } = await run();
    expect(result).toEqual({ status: 'CONFIRMED' });
    expect(effects).toEqual(['reserve', 'authorize', 'ship', 'capture', 'commit']);
    expect(order.status).toBe('CONFIRMED');
    expect(order.status_history.map((h) => h.status)).toEqual(['PENDING', 'CONFIRMED']);
    expect(dapr.publisher.ofType('globalmart.orders.order-confirmed.v1').map((e) => e.id)).toEqual([`${id}:confirmed`]);
    // The confirm write flushed everything pending, OrderPlaced first.
    expect(dapr.publisher.published.map((e) => e.id)).toEqual([`${id}:placed`, `${id}:confirmed`]);
    expect(repo.cursors.size).toBe(0); // nothing left pending for the relay
    // Body-less commands still send a JSON body.
    expect(dapr.invoker.calls.filter((c) => c.request.body === undefined)).toEqual([]);
  });

  it('stops at once for an order that is not PENDING (or not there): no step runs twice', async () => {
    const { result, calls } = await run({ stored: false });
    expect(result).toEqual({ status: 'SKIPPED', current: 'MISSING' });
    expect(calls).toEqual(['checkoutAdvance']);
    expect(effects).toEqual([]);
  });

  it('the happy path is one activity for the workflow engine: every forward step and the confirm write in it', async () => {
    const { calls, timers } = await run();
    expect(calls).toEqual(['checkoutAdvance']);
    expect(timers).toEqual([]);
  });

  it('out of stock: nothing to undo, CANCELLED "out of stock"', async () => {
    answers.reserve = () => ({ status: 409, body: { status: 409, code: 'INVENTORY.INSUFFICIENT_STOCK' } });
    const { result, order } = await run();
    expect(result).toEqual({ status: 'CANCELLED', reason: 'out of stock' });
    expect(effects).toEqual([]);
    expect(dapr.invoker.calls.map((c) => c.method)).not.toContain('payments/authorize');
    expect(order.cancel_reason).toBe('out of stock');
  });

  it('declined card: stock released, no shipment, CANCELLED "payment declined", OrderCancelled published', async () => {
    answers.authorize = () => ({ status: 402, body: { status: 402, code: 'PAYMENT.DECLINED' } });
    const { result, order, id } = await run();
    expect(result).toEqual({ status: 'CANCELLED', reason: 'payment declined' });
    expect(effects).toEqual(['reserve', 'release']);
    expect(order.status).toBe('CANCELLED');
    expect(dapr.publisher.ofType('globalmart.orders.order-cancelled.v1')[0]?.data).toMatchObject({
      order_id: id,
      reason: 'payment declined',
    });
  });

  it('undeliverable address: payment refunded, then stock released (reverse order)', async () => {
    answers.ship = () => ({ status: 422, body: { status: 422, code: 'SHIPPING.UNDELIVERABLE' } });
    const { result, calls } = await run();
    expect(result).toEqual({ status: 'CANCELLED', reason: 'shipment failed' });
    expect(effects).toEqual(['reserve', 'authorize', 'refund', 'release']);
    expect(calls.slice(-3)).toEqual(['refundPayment', 'releaseStock', 'cancelOrder']);
  });

  it('provider outage that ends: the order waits on durable timers, then confirms — one authorisation effect', async () => {
    let outageCalls = 4;
    answers.authorize = () =>
      outageCalls-- > 0 ? { status: 503, body: { status: 503, code: 'PAYMENT.PROVIDER_UNAVAILABLE' } } : { status: 201, body: {} };
    const { result, timers, statuses, order } = await run();
    expect(result).toEqual({ status: 'CONFIRMED' });
    expect(timers).toEqual([1_000, 2_000, 4_000, 8_000]);
    expect(statuses[0]).toMatch(/waiting: authorize unavailable \(HTTP 503\)/);
    expect(effects.filter((e) => e === 'authorize')).toHaveLength(1);
    // Each retry resumes at the step that was unavailable: the reservation is not asked for again.
    expect(effects.filter((e) => e === 'reserve')).toHaveLength(1);
    expect(order.status).toBe('CONFIRMED');
  });

  it('provider outage beyond the wait: CANCELLED "payment provider unavailable", refund (void) and release run', async () => {
    answers.authorize = () => ({ status: 503, body: { status: 503, code: 'PAYMENT.PROVIDER_UNAVAILABLE' } });
    const { result, elapsedMs, order } = await run();
    expect(result).toEqual({ status: 'CANCELLED', reason: 'payment provider unavailable' });
    expect(elapsedMs).toBe(120_000);
    expect(effects).toEqual(['reserve', 'refund', 'release']);
    expect(order.cancel_reason).toBe('payment provider unavailable');
  });

  it('a compensation that fails transiently is retried until it succeeds', async () => {
    answers.authorize = () => ({ status: 402, body: { status: 402 } });
    let releaseFailures = 3;
    answers.release = () => (releaseFailures-- > 0 ? { status: 503 } : { status: 200, body: { status: 'released' } });
    const { result, calls } = await run();
    expect(result).toMatchObject({ status: 'CANCELLED' });
    expect(calls.filter((c) => c === 'releaseStock')).toHaveLength(4);
    expect(effects).toEqual(['reserve', 'release']);
  });

  it('a saga started again for a finished order stops at once (no second charge)', async () => {
    const first = await run();
    const activities = checkoutActivities({ invoker: dapr.invoker, repo, writer, logger: silentLogger, addresses });
    const again = await driveSaga(
      (ctx) => checkoutWorkflow(ctx, sagaInputOf(first.order, { paymentWaitSeconds: 1, stepRetrySeconds: 1 })),
      activities,
    );
    expect(again.result).toEqual({ status: 'SKIPPED', current: 'CONFIRMED' });
    expect(again.calls).toEqual(['checkoutAdvance']);
  });

  it('an advance activity that throws is retried, not a failed workflow', async () => {
    const activities = checkoutActivities({ invoker: dapr.invoker, repo, writer, logger: silentLogger, addresses });
    let crashes = 2;
    const flaky = {
      ...activities,
      checkoutAdvance: async (i: never) => (crashes-- > 0 ? Promise.reject(new Error('boom')) : activities.checkoutAdvance(i)),
    };
    const order = anOrder();
    await writer.create(order);
    for (const p of ['capture', 'refund'])
      dapr.invoker.on('payments', `payments/${order.order_id}/${p}`, () => ({ status: 200, body: {} }));
    dapr.invoker.on('inventory', `reservations/${order.order_id}/commit`, () => ({ status: 200, body: {} }));
    const { result, calls } = await driveSaga(
      (ctx) => checkoutWorkflow(ctx, sagaInputOf(order, { paymentWaitSeconds: 5, stepRetrySeconds: 5 })),
      flaky,
    );
    expect(result).toEqual({ status: 'CONFIRMED' });
    expect(calls.filter((c) => c === 'checkoutAdvance')).toHaveLength(3);
  });

  it('a step that throws (not an answer) is retried from that step; given up, everything it may have done is undone', async () => {
    answers.ship = () => {
      throw new Error('boom');
    };
    const { result, calls, elapsedMs } = await run();
    expect(result).toEqual({ status: 'CANCELLED', reason: 'shipping unavailable' });
    expect(elapsedMs).toBe(60_000); // ship retried until its budget
    // reserve and authorise ran once; the shipment (which may exist) is cancelled, then refund, then release.
    expect(effects).toEqual(['reserve', 'authorize', 'cancelShipment', 'refund', 'release']);
    expect(calls.at(-1)).toBe('cancelOrder');
  });
});
