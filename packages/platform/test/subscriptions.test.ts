import express from 'express';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { eventTypes, ordersEventTypes } from '@globalmart/contracts';
import { createLogger, loadConfig } from '../src/index.ts';
import { Subscriptions } from '../src/subscriptions.ts';

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
});
