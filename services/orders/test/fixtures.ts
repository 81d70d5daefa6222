// Shared unit-test fixtures: a cart, a drafted order, a silent logger and a fake saga driver.
import { randomBytes } from 'node:crypto';
import type { Cart } from '@globalmart/contracts';
import { createLogger, createPiiProtector } from '@globalmart/platform';
import { addressCipher } from '../src/address.crypto.ts';
import type { SagaContext } from '../src/checkout.workflow.ts';
import { draftOrder } from '../src/order.draft.ts';
import type { Order } from '../src/order.types.ts';

export const silentLogger = createLogger({ APP_ID: 'orders-test', LOG_LEVEL: 'silent', NODE_ENV: 'test' } as never);

export const address = { name: 'Ada Lovelace', line1: '1 Main St', city: 'London', postal_code: 'N1 9GU', country: 'GB' };

/** The address cipher of the tests: a real one, under a key made for this run. */
export const addresses = addressCipher(createPiiProtector(randomBytes(32)));

export function cart(
  userId = 'usr_1',
  lines: [string, number, number][] = [
    ['prd_000001', 2, 19.99],
    ['prd_000002', 1, 5.5],
  ],
): Cart {
  const items = lines.map(([product_id, quantity, unit_price]) => ({
    product_id,
    name: `Product ${product_id}`,
    quantity,
    unit_price,
    currency: 'USD',
    line_total: Math.round(unit_price * 100 * quantity) / 100,
  }));
  return {
    user_id: userId,
    items,
    total: Math.round(items.reduce((s, i) => s + i.line_total * 100, 0)) / 100,
    currency: 'USD',
    item_count: items.reduce((s, i) => s + i.quantity, 0),
  };
}

let seq = 0;
export function anOrder(overrides: Partial<Order> = {}): Order {
  seq++;
  const orderId = `ord_${seq.toString(16).padStart(32, '0')}`;
  const order = draftOrder({
    orderId,
    customerId: 'usr_1',
    cart: cart(),
    request: { payment_method: 'tok_visa', shipping_address: address },
    now: '2026-01-01T00:00:00.000Z',
    addresses,
  });
  return { ...order, ...overrides };
}

type Task = { kind: 'activity'; name: string; input: unknown } | { kind: 'timer'; fireAt: number };

/**
 * Drives a saga generator the way the Dapr Workflow runtime does: each yielded activity runs (its result or error
 * goes back in), each durable timer advances the fake clock to its fire time. Records everything for assertions.
 */
export async function driveSaga<T>(
  start: (ctx: SagaContext) => AsyncGenerator<unknown, T, unknown>,
  activities: Record<string, (input: never) => Promise<unknown>>,
  startMs = Date.parse('2026-01-01T00:00:00.000Z'),
) {
  let nowMs = startMs;
  const calls: string[] = [];
  const timers: number[] = [];
  const statuses: string[] = [];
  const ctx: SagaContext = {
    callActivity: (name, input) => ({ kind: 'activity', name, input }) satisfies Task,
    createTimer: (fireAt) => ({ kind: 'timer', fireAt: fireAt.getTime() }) satisfies Task,
    getCurrentUtcDateTime: () => new Date(nowMs),
    setCustomStatus: (s) => void statuses.push(s),
  };
  const gen = start(ctx);
  // The SDK only drives async generators (orchestration-executor.js): hold the saga to the same rule.
  if (typeof gen[Symbol.asyncIterator] !== 'function') throw new Error('the workflow must be an async generator');
  let step = await gen.next();
  while (!step.done) {
    const task = step.value as Task;
    if (task.kind === 'timer') {
      timers.push(task.fireAt - nowMs);
      nowMs = task.fireAt;
      step = await gen.next(undefined);
      continue;
    }
    calls.push(task.name);
    try {
      // Through JSON, as the runtime passes inputs and results.
      const result = await activities[task.name]!(JSON.parse(JSON.stringify(task.input ?? null)) as never);
      step = await gen.next(result === undefined ? undefined : JSON.parse(JSON.stringify(result)));
    } catch (err) {
      step = await gen.throw(err);
    }
  }
  return { result: step.value, calls, timers, statuses, elapsedMs: nowMs - startMs };
}
