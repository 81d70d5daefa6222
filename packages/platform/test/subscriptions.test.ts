import express from 'express';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { eventTypes, ordersEventTypes, topics } from '@globalmart/contracts';
import { createLogger, loadConfig } from '../src/index.ts';
import { Subscriptions, type DeadLetterEvent } from '../src/subscriptions.ts';

const logger = createLogger(loadConfig({}, { APP_ID: 'test', APP_PORT: '0', LOG_LEVEL: 'silent' }));
const orderId = `ord_${'a'.repeat(32)}`;
const placed = {
  order_id: orderId,
  customer_id: 'usr_1',
  items: [{ product_id: 'prd_000001', quantity: 1, unit_price: 9.5, currency: 'USD' }],
  total: 9.5,
  currency: 'USD',
  occurred_at: '2026-11-22T00:00:00.000Z',
};

function app(subs: Subscriptions) {
  return express()
    .use(express.json({ type: ['application/json', 'application/*+json'] }))
    .use(subs.router());
}

describe('Subscriptions', () => {
  it('declares one subscription per topic from the event catalogue, with type routing and a dead-letter topic', async () => {
    const subs = new Subscriptions(logger).on(eventTypes.OrderPlaced, async () => {}).on(ordersEventTypes.OrderCancelled, async () => {});
    const res = await request(app(subs)).get('/dapr/subscribe');
    expect(res.body).toEqual([
      {
        pubsubname: 'pubsub',
        topic: 'orders',
        routes: {
          rules: [
            { match: `event.type == '${eventTypes.OrderPlaced}'`, path: '/events/order-placed' },
            { match: `event.type == '${ordersEventTypes.OrderCancelled}'`, path: '/events/order-cancelled' },
          ],
          default: '/events/ignored',
        },
        deadLetterTopic: 'orders-dlq',
      },
    ]);
  });

  it('hands validated data to the handler; invalid data is DROPped, a throwing handler RETRYs', async () => {
    const seen: unknown[] = [];
    let fail = false;
    const subs = new Subscriptions(logger).on(eventTypes.OrderPlaced, async (data, meta) => {
      if (fail) throw new Error('store down');
      seen.push([data.order_id, meta.id]);
    });
    const http = request(app(subs));
    expect((await http.post('/events/order-placed').send({ id: 'e1', data: placed })).body).toEqual({ status: 'SUCCESS' });
    expect(seen).toEqual([[orderId, 'e1']]);
    expect((await http.post('/events/order-placed').send({ id: 'e2', data: { order_id: orderId } })).body).toEqual({ status: 'DROP' });
    fail = true;
    expect((await http.post('/events/order-placed').send({ id: 'e3', data: placed })).body).toEqual({ status: 'RETRY' });
    expect((await http.post('/events/ignored').send({})).body).toEqual({ status: 'SUCCESS' });
  });

  it('subscribes to <topic>-dlq for every topic, without a dead-letter topic of its own', async () => {
    const subs = new Subscriptions(logger).on(eventTypes.OrderPlaced, async () => {}).deadLetters(async () => {});
    const declared = (await request(app(subs)).get('/dapr/subscribe')).body as { topic: string; deadLetterTopic?: string }[];
    const dlq = declared.filter((d) => d.topic.endsWith('-dlq'));
    expect(dlq.map((d) => d.topic).sort()).toEqual(
      Object.values(topics)
        .map((t) => `${t}-dlq`)
        .sort(),
    );
    expect(dlq.find((d) => d.topic === 'orders-dlq')).toEqual({
      pubsubname: 'pubsub',
      topic: 'orders-dlq',
      routes: { default: '/events/dead-letters/orders' },
    });
    expect(declared.find((d) => d.topic === 'orders')?.deadLetterTopic).toBe('orders-dlq');
  });

  it('hands the dead-lettered CloudEvent (id, type, data, original topic) to the handler; a throw means RETRY', async () => {
    const seen: DeadLetterEvent[] = [];
    let fail = false;
    const subs = new Subscriptions(logger).deadLetters(async (event) => {
      if (fail) throw new Error('store down');
      seen.push(event);
    });
    const http = request(app(subs));
    const ce = {
      specversion: '1.0',
      id: `${orderId}:placed`,
      type: eventTypes.OrderPlaced,
      source: 'orders',
      topic: 'orders',
      data: placed,
    };
    const res = await http.post('/events/dead-letters/orders').set('content-type', 'application/cloudevents+json').send(JSON.stringify(ce));
    expect(res.body).toEqual({ status: 'SUCCESS' });
    expect(seen[0]).toEqual({
      topic: 'orders',
      deadLetterTopic: 'orders-dlq',
      id: `${orderId}:placed`,
      type: eventTypes.OrderPlaced,
      data: placed,
      cloudEvent: ce,
    });
    const binary = { id: 'e-2', type: 't', data_base64: Buffer.from('{"a":1}').toString('base64') };
    await http.post('/events/dead-letters/payments').send(binary);
    expect(seen[1]).toMatchObject({ topic: 'payments', deadLetterTopic: 'payments-dlq', id: 'e-2', data: { a: 1 } });
    fail = true;
    expect((await http.post('/events/dead-letters/orders').send(ce)).body).toEqual({ status: 'RETRY' });
  });
});
