// The pluggable broker: the same cart service and the same `pubsub` name on Redis Streams, RabbitMQ, NATS JetStream
// and MQTT (components/pubsub.yaml, components/brokers/*.yaml), each run isolated on its broker (see startPlatform).
// For every broker, through real sidecars: CloudEvents `type` routing, the default route, and the dead-letter topic.
import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DeadLetterList, eventTypes, ordersEventTypes } from '@globalmart/contracts';
import { brokers, type Broker } from '@globalmart/devstack';
import { publishRaw } from '../harness/events.ts';
import { startPlatform, type Platform } from '../harness/platform.ts';
import { reportLogsOnFailure } from '../harness/vitest.ts';

const componentType: Record<Broker, string> = {
  redis: 'pubsub.redis',
  rabbitmq: 'pubsub.rabbitmq',
  jetstream: 'pubsub.jetstream',
  mqtt: 'pubsub.mqtt3',
};

/** A full CloudEvent, published as is (`application/cloudevents+json`): Dapr routes on its `type`. */
function cloudEvent(type: string, data: unknown) {
  return { specversion: '1.0', id: `evt-${randomUUID()}`, source: 'tests/system/brokers', type, datacontenttype: 'application/json', data };
}

/** Published through the sidecar of an app the scopes let publish to `topic` (orders' for `orders`): Dapr keeps id and type. */
async function publish(platform: Platform, topic: string, event: ReturnType<typeof cloudEvent>) {
  await publishRaw(platform, topic, event.type, event.data, event.id);
}

/** Seeds a cart straight into the state store, through cart's sidecar (so with cart's key prefix). */
async function seedCart(platform: Platform, user: string, quantity: number) {
  const seeded = await fetch(`${platform.daprUrl('cart')}/v1.0/state/statestore`, {
    method: 'POST',
    headers: { ...platform.daprHeaders('cart'), 'content-type': 'application/json' },
    body: JSON.stringify([
      {
        key: `cart:${user}`,
        value: {
          user_id: user,
          items: [{ product_id: 'prd_000031', name: 'Thing', quantity, unit_price_minor: 1250, currency: 'USD' }],
          placed_orders: [],
          updated_at: new Date().toISOString(),
        },
      },
    ]),
  });
  expect(seeded.status).toBe(204);
}

const orderPlaced = (orderId: string, user: string, quantity: number) =>
  cloudEvent(eventTypes.OrderPlaced, {
    order_id: orderId,
    customer_id: user,
    items: [{ product_id: 'prd_000031', quantity, unit_price: 12.5, currency: 'USD' }],
    total: 12.5 * quantity,
    currency: 'USD',
    occurred_at: new Date().toISOString(),
  });

const logHits = (platform: Platform, appId: string, url: string) =>
  platform.apps[appId]!.app.logTail(400)
    .split('\n')
    .filter((l) => l.includes(`"url":"${url}"`)).length;

/** The cart as the state store holds it (`cart:<user>` through cart's own sidecar, so with cart's key prefix). */
async function storedCart(platform: Platform, user: string) {
  const res = await fetch(`${platform.daprUrl('cart')}/v1.0/state/statestore/cart:${user}`, { headers: platform.daprHeaders('cart') });
  return res.status === 204
    ? undefined
    : ((await res.json()) as { items: { product_id: string; quantity: number }[]; placed_orders: string[] });
}

/** The dead letters notifications (the keeper of every `<topic>-dlq`) stored, read as the gateway's admin API reads them. */
async function deadLetters(platform: Platform) {
  const res = await platform.invoke('gateway', 'notifications', 'GET', 'dead-letters?status=all&topic=orders', undefined, {
    'x-user-id': 'usr_ops',
    'x-user-role': 'admin',
  });
  expect(res.status).toBe(200);
  return DeadLetterList.parse(res.body).items;
}

describe.each(brokers)('pubsub on %s', (broker) => {
  let platform: Platform;
  let started = 0;
  beforeAll(async () => {
    started = Date.now();
    // inventory also subscribes to `orders` (OrderCancelled), with its own app-id: a second consumer of the topic.
    // notifications keeps the dead letters: it alone may subscribe to `orders-dlq`.
    platform = await startPlatform({ apps: ['cart', 'inventory', 'notifications'], broker, maildev: true });
  });
  afterAll(async () => {
    await platform?.stop();
    console.log(`pubsub on ${broker}: ${((Date.now() - started) / 1000).toFixed(1)} s including start and stop`);
  });
  afterEach(reportLogsOnFailure(() => platform));

  it(`loads components/${broker === 'redis' ? 'pubsub.yaml' : `brokers/${broker}.yaml`} as the one pubsub`, async () => {
    const meta = (await (await fetch(`${platform.daprUrl('cart')}/v1.0/metadata`, { headers: platform.daprHeaders('cart') })).json()) as {
      components: { name: string; type: string }[];
      subscriptions: { topic: string; deadLetterTopic: string; rules: { match: string; path: string }[] }[];
    };
    expect(meta.components.filter((c) => c.name === 'pubsub').map((c) => c.type)).toEqual([componentType[broker]]);
    // The kit's programmatic subscription reached daprd: type rule, dead-letter topic.
    const orders = meta.subscriptions.find((s) => s.topic === 'orders');
    expect(orders?.deadLetterTopic).toBe('orders-dlq');
    expect(orders?.rules, JSON.stringify(meta.subscriptions)).toContainEqual({
      match: `event.type == '${eventTypes.OrderPlaced}'`,
      path: '/events/order-placed',
    });
  });

  it('routes an OrderPlaced CloudEvent by its type to cart, which takes the ordered units out of the cart', async () => {
    const user = `buyer-${broker}`;
    await seedCart(platform, user, 3);
    const orderId = `ord-${broker}-1`;
    const placed = logHits(platform, 'cart', '/events/order-placed');
    await publish(platform, 'orders', orderPlaced(orderId, user, 2));
    const lines = async () => (await storedCart(platform, user))?.items.map((l) => [l.product_id, l.quantity]);
    await expect.poll(lines, { timeout: 20_000, interval: 250 }).toEqual([['prd_000031', 1]]);
    expect((await storedCart(platform, user))?.placed_orders).toEqual([orderId]);
    // The delivery is answered (and logged) only after the cart is stored: wait for it, so the next test counts from here.
    await expect.poll(() => logHits(platform, 'cart', '/events/order-placed'), { timeout: 10_000, interval: 100 }).toBeGreaterThan(placed);
  });

  it('sends an event of another type on the same topic to the default route, and only there', async () => {
    const [ignored, placed] = [logHits(platform, 'cart', '/events/ignored'), logHits(platform, 'cart', '/events/order-placed')];
    await publish(platform, 'orders', cloudEvent(ordersEventTypes.OrderConfirmed, { order_id: `ord-${broker}-2` }));
    await expect.poll(() => logHits(platform, 'cart', '/events/ignored'), { timeout: 20_000, interval: 250 }).toBe(ignored + 1);
    expect(logHits(platform, 'cart', '/events/order-placed')).toBe(placed);
  });

  it('dead-letters a poison OrderPlaced (data fails the schema: the kit answers DROP) to orders-dlq', async () => {
    // What arrives in notifications' dead-letter store was published to orders-dlq by cart's sidecar when the app
    // answered DROP, stored or routed by this broker, and delivered by it to the keeper's subscription.
    const poison = cloudEvent(eventTypes.OrderPlaced, { order_id: `ord-${broker}-poison`, items: 'not a list' });
    await publish(platform, 'orders', poison);
    await platform.waitForLog('cart', (l) => l.includes('invalid OrderPlaced dropped') && l.includes(poison.id), 20_000);
    const dead = async () => (await deadLetters(platform)).find((d) => d.event_id === poison.id);
    await expect.poll(dead, { timeout: 20_000, interval: 250 }).toMatchObject({
      topic: 'orders',
      dead_letter_topic: 'orders-dlq',
      event_type: eventTypes.OrderPlaced,
      status: 'pending',
    });
    expect((await dead())?.data).toEqual(poison.data);
  });

  // Messages published while an app is stopped. MQTT cannot keep this promise with Dapr 1.18's pubsub.mqtt3: the
  // sidecar connects (same client id, persistent session) when the component loads, Mosquitto delivers the queued
  // QoS 1 message at once, and the app's topic handler is registered only later, after daprd has read the app's
  // subscriptions. Paho then neither dispatches nor acknowledges it ("no handler was available. Message will NOT be
  // acknowledged"), so it stays in flight until the next reconnect, where the same race repeats. Pinned here: when a
  // Dapr upgrade fixes it, this test fails and mqtt joins the others.
  const keepsWhileStopped = broker !== 'mqtt';
  it(`${keepsWhileStopped ? 'delivers' : 'does not deliver (Dapr mqtt3 limitation)'} to cart after a restart what was published while it was stopped; inventory gets its own copy at once`, async () => {
    const user = `offline-${broker}`;
    await seedCart(platform, user, 5);
    await platform.stopApp('cart');
    try {
      const inventorySaw = logHits(platform, 'inventory', '/events/ignored');
      await publish(platform, 'orders', orderPlaced(`ord-${broker}-offline`, user, 4));
      // inventory (its own app-id: its own queue / queue group / session) has no OrderPlaced rule: its default route
      // acknowledges its copy, while cart's copy waits in the broker.
      await expect
        .poll(() => logHits(platform, 'inventory', '/events/ignored'), { timeout: 20_000, interval: 250 })
        .toBeGreaterThan(inventorySaw);
    } finally {
      await platform.startApp('cart');
    }
    const lines = async () => (await storedCart(platform, user))?.items.map((l) => [l.product_id, l.quantity]);
    if (keepsWhileStopped) {
      await expect.poll(lines, { timeout: 30_000, interval: 250 }).toEqual([['prd_000031', 1]]);
    } else {
      // An event published after the restart is delivered: by then the one published meanwhile had its chance too.
      const probe = `probe-${broker}`;
      await seedCart(platform, probe, 2);
      await publish(platform, 'orders', orderPlaced(`ord-${broker}-probe`, probe, 1));
      const probeLines = async () => (await storedCart(platform, probe))?.items.map((l) => [l.product_id, l.quantity]);
      await expect.poll(probeLines, { timeout: 30_000, interval: 250 }).toEqual([['prd_000031', 1]]);
      expect(await lines()).toEqual([['prd_000031', 5]]);
    }
  });
});
