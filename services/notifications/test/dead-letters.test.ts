import { describe, expect, it } from 'vitest';
import { DeadLetter, DeadLetterList, eventTypes, ordersEventTypes } from '@globalmart/contracts';
import { PublishError } from '@globalmart/platform';
import { deadLetterId, deadLetterKey } from '../src/dead-letters.ts';
import { admin, at, cloudEvent, customer, notificationsApp, orderId } from './helpers.ts';

const cancelled = { order_id: orderId, customer_id: customer.user_id, reason: 'payment declined', occurred_at: at };
const poison = cloudEvent(`${orderId}:cancelled`, ordersEventTypes.OrderCancelled, cancelled);
const dlId = deadLetterId('orders', `${orderId}:cancelled`);

describe('dead letters', () => {
  it('stores a dead-lettered event once (per topic and CloudEvent id) and lists it to admins, newest first', async () => {
    const { http, clock } = notificationsApp();
    expect(dlId).toMatch(/^dl_[A-Za-z0-9_-]{32}$/);
    // Dead-lettered by two subscribers (or redelivered): one entry.
    for (let i = 0; i < 2; i++) expect((await http.post('/events/dead-letters/orders').send(poison)).body).toEqual({ status: 'SUCCESS' });
    clock.now += 1000;
    const stock = cloudEvent(
      'prd_000001:stock:7',
      eventTypes.StockUpdated,
      { product_id: 'prd_000001', stock_qty: 0, occurred_at: at },
      'inventory',
    );
    await http.post('/events/dead-letters/inventory').send(stock);

    const res = await http.get('/dead-letters').set(admin);
    expect(res.status).toBe(200);
    const list = DeadLetterList.parse(res.body);
    expect(list.total).toBe(2);
    expect(list.items.map((d) => d.topic)).toEqual(['inventory', 'orders']);
    expect(list.items[1]).toEqual({
      id: dlId,
      topic: 'orders',
      dead_letter_topic: 'orders-dlq',
      event_id: `${orderId}:cancelled`,
      event_type: ordersEventTypes.OrderCancelled,
      data: cancelled,
      received_at: at,
      status: 'pending',
      replay_count: 0,
    });
    const orders = DeadLetterList.parse((await http.get('/dead-letters?topic=orders&limit=5').set(admin)).body);
    expect(orders.items.map((d) => d.id)).toEqual([dlId]);
    const one = DeadLetterList.parse((await http.get('/dead-letters?limit=1').set(admin)).body);
    expect([one.items.length, one.total]).toEqual([1, 2]);
    expect(DeadLetterList.parse((await http.get('/dead-letters?status=replayed').set(admin)).body)).toEqual({ items: [], total: 0 });
  });

  it('replays: publishes the original data to the original topic with the same CloudEvent id and type, counts replays', async () => {
    const { http, dapr, clock } = notificationsApp();
    await http.post('/events/dead-letters/orders').send(poison);
    clock.now += 5000;
    const res = await http.post(`/dead-letters/${dlId}/replay`).set(admin);
    expect(res.status).toBe(200);
    expect(DeadLetter.parse(res.body)).toMatchObject({ status: 'replayed', replay_count: 1, replayed_at: '2026-11-22T10:00:05.000Z' });
    expect(dapr.publisher.published).toEqual([
      { topic: 'orders', type: ordersEventTypes.OrderCancelled, data: cancelled, id: `${orderId}:cancelled`, metadata: {} },
    ]);
    const replayed = DeadLetterList.parse((await http.get('/dead-letters?status=replayed').set(admin)).body);
    expect(replayed.items.map((d) => [d.id, d.replay_count])).toEqual([[dlId, 1]]);
    expect(DeadLetterList.parse((await http.get('/dead-letters').set(admin)).body).total).toBe(0);

    // Still failing after the replay: dead-lettered again, pending again, the replay still counted.
    clock.now += 5000;
    await http.post('/events/dead-letters/orders').send(poison);
    const pending = DeadLetterList.parse((await http.get('/dead-letters?status=all').set(admin)).body);
    expect(pending.items).toMatchObject([{ id: dlId, status: 'pending', replay_count: 1, received_at: '2026-11-22T10:00:10.000Z' }]);
    await http.post(`/dead-letters/${dlId}/replay`).set(admin);
    expect(dapr.publisher.published.map((p) => p.id)).toEqual([`${orderId}:cancelled`, `${orderId}:cancelled`]);
    expect(DeadLetterList.parse((await http.get('/dead-letters?status=all').set(admin)).body).items[0]?.replay_count).toBe(2);
  });

  it('a replay whose publish fails answers 503 and leaves the letter pending', async () => {
    const { http, dapr } = notificationsApp();
    await http.post('/events/dead-letters/orders').send(poison);
    dapr.publisher.publish = async (topic, type) => {
      throw new PublishError(topic, type, 500);
    };
    const res = await http.post(`/dead-letters/${dlId}/replay`).set(admin);
    expect(res.status).toBe(503);
    expect(res.body.code).toBe('NOTIFICATIONS.REPLAY_FAILED');
    expect(DeadLetterList.parse((await http.get('/dead-letters').set(admin)).body).items).toMatchObject([
      { status: 'pending', replay_count: 0 },
    ]);
  });

  it('keeps only the newest N dead letters, forgetting the documents of older ones', async () => {
    const { http, store } = notificationsApp({ kept: 3 });
    for (let i = 1; i <= 5; i++) await http.post('/events/dead-letters/payments').send(cloudEvent(`e-${i}`, 't.v1', { i }, 'payments'));
    const list = DeadLetterList.parse((await http.get('/dead-letters').set(admin)).body);
    expect(list.items.map((d) => d.event_id)).toEqual(['e-5', 'e-4', 'e-3']);
    expect(await store.get(deadLetterKey(deadLetterId('payments', 'e-1')))).toBeUndefined();
  });

  it('answers 401/403 to non-admins, 400 naming the field for a bad query or id, 404 problem+json for an unknown id', async () => {
    const { http } = notificationsApp();
    expect((await http.get('/dead-letters')).status).toBe(401);
    const customerHeaders = { ...admin, 'x-user-role': 'customer' };
    expect((await http.get('/dead-letters').set(customerHeaders)).status).toBe(403);
    expect((await http.post(`/dead-letters/${dlId}/replay`).set(customerHeaders)).status).toBe(403);
    for (const [query, field] of [
      ['status=lost', 'status'],
      ['limit=0', 'limit'],
      ['limit=abc', 'limit'],
      ['topic=a&topic=b', 'topic'],
    ] as const) {
      const bad = await http.get(`/dead-letters?${query}`).set(admin);
      expect(bad.status, query).toBe(400);
      expect(bad.type).toBe('application/problem+json');
      expect(bad.body.errors.map((e: { field: string }) => e.field)).toContain(field);
    }
    const badId = await http.post('/dead-letters/not-an-id/replay').set(admin);
    expect(badId.status).toBe(400);
    expect(badId.body.errors[0].field).toBe('id');
    const unknown = await http.post('/dead-letters/dl_unknown/replay').set(admin);
    expect(unknown.status).toBe(404);
    expect(unknown.type).toBe('application/problem+json');
    expect(unknown.body.code).toBe('NOTIFICATIONS.DEAD_LETTER_NOT_FOUND');
  });

  it('drops (without storing) a dead-lettered message that is not a CloudEvent it could replay', async () => {
    const { http } = notificationsApp();
    expect((await http.post('/events/dead-letters/orders').send({ data: { a: 1 } })).body).toEqual({ status: 'DROP' });
    expect(DeadLetterList.parse((await http.get('/dead-letters?status=all').set(admin)).body).total).toBe(0);
  });
});
