// The fan-out of one order through a broker chosen by one component file, on each of the four brokers that run on
// this machine (Redis Streams, RabbitMQ, NATS JetStream, MQTT): after a confirmed order the customer has exactly one
// confirmation email, the analytics sales report counts the order and its revenue, and recommendations pair its
// items. A redelivered event (same CloudEvent id) yields one email and one analytics count. On Redis Streams every app
// runs two replicas.
import { randomBytes } from 'node:crypto';
import { ordersEventTypes } from '@globalmart/contracts';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { publishEvent } from '../harness/events.ts';
import { emailsTo } from '../harness/maildev.ts';
import { allApps, startPlatform, type Platform } from '../harness/platform.ts';
import { relaxedRateLimits } from '../harness/rate-limits.ts';
import { Storefront, type Session } from '../harness/storefront.ts';
import { reportLogsOnFailure } from '../harness/vitest.ts';

const apps = [...allApps];
const brokers = ['redis', 'rabbitmq', 'jetstream', 'mqtt'] as const;
// Each broker with the TypeScript recommendations engine, and Redis Streams once more with its Go twin
// (services/recommendations-go): the same order must be recommended together by either engine.
const runs = [
  ...brokers.map((broker) => ({ broker, recommendations: 'ts' as const })),
  { broker: 'redis' as const, recommendations: 'go' as const },
];

describe.each(runs)('fan-out through $broker (recommendations: $recommendations)', ({ broker, recommendations }) => {
  let platform: Platform;
  let shop: Storefront;
  let admin: string;
  let alice: Session;
  let orderId: string;
  let orderTotal: number;
  const [a, b] = ['prd_000031', 'prd_000032'];

  beforeAll(async () => {
    // On the default broker with two replicas of every app (each its own sidecar): each event still reaches one replica
    // of each subscriber, so one email and one count.
    const replicas = broker === 'redis' && recommendations === 'ts' ? 2 : 1;
    platform = await startPlatform({
      apps,
      broker,
      replicas,
      stacks: { recommendations },
      placement: true,
      maildev: true,
      env: { gateway: relaxedRateLimits },
    });
    shop = new Storefront(platform.url('gateway'));
    admin = await shop.newAdmin(platform);
  }, 300_000);
  afterAll(async () => {
    await platform?.stop();
  });
  afterEach(reportLogsOnFailure(() => platform));

  const sales = async () => (await shop.call('GET', '/api/admin/reports/sales?granularity=day', { token: admin })).body;

  it('a confirmed order: one confirmation email naming it, counted by analytics, its items recommended together', async () => {
    alice = await shop.newCustomer('Alice Fanout');
    for (const p of [a, b]) {
      expect((await shop.call('POST', '/api/cart/items', { token: alice.token, body: { product_id: p, quantity: 1 } })).status).toBe(200);
    }
    const accepted = await shop.checkout(alice);
    expect(accepted.status).toBe(201);
    orderId = accepted.body.order_id;
    const order = await shop.waitForOrder(alice, orderId, (st) => st !== 'PENDING', 60_000);
    expect(order.status).toBe('CONFIRMED');
    orderTotal = order.total;

    const confirmations = async () => (await emailsTo(platform.infra.maildevUrl!, alice.email)).filter((e) => /confirm/i.test(e.subject));
    await expect.poll(async () => (await confirmations()).length, { timeout: 20_000, interval: 250 }).toBe(1);
    const [mail] = await confirmations();
    expect(`${mail!.subject}\n${mail!.text}`).toContain(orderId);

    await expect.poll(async () => (await sales()).totals, { timeout: 20_000, interval: 250 }).toEqual({ orders: 1, revenue: orderTotal });

    await expect
      .poll(async () => (await shop.call('GET', `/api/products/${a}`)).body.recommendations, { timeout: 20_000, interval: 250 })
      .toContainEqual({ product_id: b, reason: 'co-purchase' });
    const page = await shop.call('GET', `/api/products/${a}`);
    expect(page.body.degraded).toEqual([]);
  });

  it('redelivery: the same OrderConfirmed published twice gives one email and one analytics count', async () => {
    const confirmedOrder = (orderId: string) => ({
      order_id: orderId,
      customer_id: alice.userId,
      items: [{ product_id: a, quantity: 2, unit_price: 10.5, currency: 'USD' }],
      total: 21,
      currency: 'USD',
      occurred_at: new Date().toISOString(),
    });
    const [replayed, marker] = [`ord_${randomBytes(16).toString('hex')}`, `ord_${randomBytes(16).toString('hex')}`];
    const id = `${replayed}:confirmed`;
    await publishEvent(platform, ordersEventTypes.OrderConfirmed, confirmedOrder(replayed), id);
    await publishEvent(platform, ordersEventTypes.OrderConfirmed, confirmedOrder(replayed), id);
    const about = async (orderId: string) =>
      (await emailsTo(platform.infra.maildevUrl!, alice.email)).filter((e) => `${e.subject}\n${e.text}`.includes(orderId));
    await expect.poll(async () => (await about(replayed)).length, { timeout: 20_000, interval: 250 }).toBe(1);
    const twice = Math.round((orderTotal + 21) * 100) / 100;
    await expect.poll(async () => (await sales()).totals, { timeout: 20_000, interval: 250 }).toEqual({ orders: 2, revenue: twice });
    // Another order published after both copies: once it is mailed and counted, the copy published before it has had
    // its turn with every consumer (or the broker dropped it as a duplicate). Still one email and one count.
    await publishEvent(platform, ordersEventTypes.OrderConfirmed, confirmedOrder(marker), `${marker}:confirmed`);
    await expect.poll(async () => (await about(marker)).length, { timeout: 20_000, interval: 250 }).toBe(1);
    const thrice = Math.round((orderTotal + 42) * 100) / 100;
    await expect.poll(async () => (await sales()).totals, { timeout: 20_000, interval: 250 }).toEqual({ orders: 3, revenue: thrice });
    expect(await about(replayed)).toHaveLength(1);
  });
});
