// The pluggable broker: the same cart service and the same `pubsub` name on Redis Streams, RabbitMQ, NATS JetStream
// and MQTT (components/pubsub.yaml, components/brokers/*.yaml), each run isolated on its broker (see startPlatform).
// For every broker, through real sidecars: CloudEvents `type` routing, the default route, and the dead-letter topic.
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { credentials, loadPackageDefinition, type ClientDuplexStream, type GrpcObject, type ServiceClientConstructor } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { eventTypes, ordersEventTypes } from '@globalmart/contracts';
import { brokers, type Broker } from '@globalmart/devstack';
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

async function publish(platform: Platform, topic: string, event: ReturnType<typeof cloudEvent>, via = 'cart') {
  const res = await fetch(`${platform.daprUrl(via)}/v1.0/publish/pubsub/${topic}`, {
    method: 'POST',
    headers: { 'content-type': 'application/cloudevents+json' },
    body: JSON.stringify(event),
  });
  expect(res.status, await res.text()).toBe(204);
}

/** Seeds a cart straight into the state store, through cart's sidecar (so with cart's key prefix). */
async function seedCart(platform: Platform, user: string, quantity: number) {
  const seeded = await fetch(`${platform.daprUrl('cart')}/v1.0/state/statestore`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
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
  const res = await fetch(`${platform.daprUrl('cart')}/v1.0/state/statestore/cart:${user}`);
  return res.status === 204
    ? undefined
    : ((await res.json()) as { items: { product_id: string; quantity: number }[]; placed_orders: string[] });
}

interface TopicEvent {
  id: string;
  type: string;
  topic: string;
  data: Buffer;
}

/**
 * A Dapr streaming subscription (gRPC SubscribeTopicEventsAlpha1) on one sidecar: Dapr's own consumer of a topic
 * through the broker, without an app route. Resolves once daprd confirms the subscription.
 */
async function subscribe(grpcPort: number, topic: string) {
  const protoRoot = join(dirname(createRequire(import.meta.url).resolve('@dapr/dapr/package.json')), 'proto');
  const def = loadSync('dapr/proto/runtime/v1/dapr.proto', {
    includeDirs: [protoRoot],
    longs: String,
    enums: String,
    defaults: true,
    oneofs: true,
  });
  const v1 = ((loadPackageDefinition(def).dapr as GrpcObject).proto as GrpcObject).runtime as GrpcObject;
  const Dapr = (v1.v1 as GrpcObject).Dapr as ServiceClientConstructor;
  const client = new Dapr(`127.0.0.1:${grpcPort}`, credentials.createInsecure());
  const stream = (
    client as unknown as { SubscribeTopicEventsAlpha1(): ClientDuplexStream<unknown, Record<string, unknown>> }
  ).SubscribeTopicEventsAlpha1();
  const received: TopicEvent[] = [];
  let confirmed: () => void;
  let failed: (err: Error) => void;
  const ready = new Promise<void>((res, rej) => {
    confirmed = res;
    failed = rej;
  });
  stream.on('data', (msg: Record<string, unknown>) => {
    if (msg.initialResponse) confirmed();
    const ev = msg.eventMessage as TopicEvent | undefined;
    if (ev) {
      received.push(ev);
      stream.write({ eventProcessed: { id: ev.id, status: { status: 'SUCCESS' } } });
    }
  });
  stream.on('error', (err: Error) => failed(err));
  stream.write({ initialRequest: { pubsubName: 'pubsub', topic } });
  await ready;
  return {
    received,
    close: () => {
      stream.cancel();
      client.close();
    },
  };
}

describe.each(brokers)('pubsub on %s', (broker) => {
  let platform: Platform;
  let started = 0;
  beforeAll(async () => {
    started = Date.now();
    // inventory also subscribes to `orders` (OrderCancelled), with its own app-id: a second consumer of the topic.
    platform = await startPlatform({ apps: ['cart', 'inventory'], broker });
  });
  afterAll(async () => {
    await platform?.stop();
    console.log(`pubsub on ${broker}: ${((Date.now() - started) / 1000).toFixed(1)} s including start and stop`);
  });
  afterEach(reportLogsOnFailure(() => platform));

  it(`loads components/${broker === 'redis' ? 'pubsub.yaml' : `brokers/${broker}.yaml`} as the one pubsub`, async () => {
    const meta = (await (await fetch(`${platform.daprUrl('cart')}/v1.0/metadata`)).json()) as {
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
    await publish(platform, 'orders', orderPlaced(orderId, user, 2));
    const lines = async () => (await storedCart(platform, user))?.items.map((l) => [l.product_id, l.quantity]);
    await expect.poll(lines, { timeout: 20_000, interval: 250 }).toEqual([['prd_000031', 1]]);
    expect((await storedCart(platform, user))?.placed_orders).toEqual([orderId]);
  });

  it('sends an event of another type on the same topic to the default route, and only there', async () => {
    const [ignored, placed] = [logHits(platform, 'cart', '/events/ignored'), logHits(platform, 'cart', '/events/order-placed')];
    await publish(platform, 'orders', cloudEvent(ordersEventTypes.OrderConfirmed, { order_id: `ord-${broker}-2` }));
    await expect.poll(() => logHits(platform, 'cart', '/events/ignored'), { timeout: 20_000, interval: 250 }).toBe(ignored + 1);
    expect(logHits(platform, 'cart', '/events/order-placed')).toBe(placed);
  });

  it('dead-letters a poison OrderPlaced (data fails the schema: the kit answers DROP) to orders-dlq', async () => {
    // Dapr's own consumer of orders-dlq, through this broker: what arrives there was published by cart's sidecar
    // when the app answered DROP, stored or routed by the broker, and delivered back by it.
    const dlq = await subscribe(platform.apps.cart!.daprGrpcPort, 'orders-dlq');
    try {
      const poison = cloudEvent(eventTypes.OrderPlaced, { order_id: `ord-${broker}-poison`, items: 'not a list' });
      await publish(platform, 'orders', poison);
      await platform.waitForLog('cart', (l) => l.includes('invalid OrderPlaced dropped') && l.includes(poison.id), 20_000);
      await expect.poll(() => dlq.received.map((e) => e.id), { timeout: 20_000, interval: 250 }).toContain(poison.id);
      const dead = dlq.received.find((e) => e.id === poison.id)!;
      expect(dead.topic).toBe('orders-dlq');
      expect(dead.type).toBe(eventTypes.OrderPlaced);
      expect(JSON.parse(dead.data.toString('utf8'))).toEqual(poison.data);
    } finally {
      dlq.close();
    }
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
      await publish(platform, 'orders', orderPlaced(`ord-${broker}-offline`, user, 4), 'inventory');
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
      await sleep(5_000);
      expect(await lines()).toEqual([['prd_000031', 5]]);
    }
  });
});
