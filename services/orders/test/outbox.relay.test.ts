import { PublishError } from '@globalmart/platform';
import { MemoryPublisher } from '@globalmart/platform/testing';
import { describe, expect, it } from 'vitest';
import { OrderWriter } from '../src/order.writer.ts';
import { outboxRelay } from '../src/outbox.relay.ts';
import type { SagaStarter } from '../src/workflow.host.ts';
import { anOrder, silentLogger } from './fixtures.ts';
import { MemoryOrderRepository } from './memory-order.repository.ts';

/** A publisher whose broker can be switched off, as during a pub/sub outage. */
class FlakyPublisher extends MemoryPublisher {
  down = false;
  override async publish(topic: string, type: string, data: unknown, options?: { id?: string }) {
    if (this.down) throw new PublishError(topic, type, 500);
    return super.publish(topic, type, data, options);
  }
}

const NOW = Date.parse('2026-01-01T00:01:00.000Z');
const setup = () => {
  const repo = new MemoryOrderRepository();
  const publisher = new FlakyPublisher();
  const writer = new OrderWriter(repo, publisher, silentLogger, () => new Date(NOW).toISOString());
  const saga = { running: new Set<string>(), down: false };
  const starter: SagaStarter = {
    start: async (order) => {
      if (saga.down) throw new Error('workflow API unavailable');
      if (saga.running.has(order.order_id)) return 'exists';
      saga.running.add(order.order_id);
      return 'started';
    },
  };
  const relay = (graceMs = 2_000, now = NOW) => outboxRelay(repo, writer, starter, silentLogger, { graceMs, now: () => now })();
  return { repo, publisher, writer, saga, relay };
};

describe('outbox relay', () => {
  it('publishes what a crashed writer left pending (same CloudEvent id) and clears the cursor', async () => {
    const { repo, publisher, writer, relay } = setup();
    // Stored with its OrderPlaced entry and cursor, then "the process died" before publishing.
    const order = anOrder();
    await writer.create(order);
    expect(repo.cursors.get(order.order_id)?.from).toBe(0);
    await relay();
    expect(publisher.published.map((e) => [e.topic, e.type, e.id])).toEqual([
      ['orders', 'globalmart.orders.order-placed.v1', `${order.order_id}:placed`],
    ]);
    expect(repo.cursors.size).toBe(0);
    // Nothing left: a second pass publishes nothing.
    await relay();
    expect(publisher.published).toHaveLength(1);
  });

  it('starts the saga of a PENDING order whose OrderPlaced never went out (the API died before starting it), then publishes', async () => {
    const { repo, publisher, writer, saga, relay } = setup();
    const order = anOrder();
    await writer.create(order);
    saga.down = true;
    await relay();
    // No saga, no announcement: the cursor stays for the next pass.
    expect(publisher.published).toHaveLength(0);
    expect(repo.cursors.size).toBe(1);
    saga.down = false;
    await relay();
    expect([...saga.running]).toEqual([order.order_id]);
    expect(publisher.published.map((e) => e.id)).toEqual([`${order.order_id}:placed`]);
  });

  it('leaves entries younger than the grace period to their writer', async () => {
    const { publisher, writer, relay } = setup();
    await writer.create(anOrder({ created_at: new Date(NOW - 500).toISOString() }));
    await relay();
    expect(publisher.published).toHaveLength(0);
  });

  it('keeps entries pending while the broker is down, in order, and sends them once it is back', async () => {
    const { repo, publisher, writer, relay } = setup();
    const order = anOrder();
    await writer.create(order);
    publisher.down = true;
    // The confirm write succeeds; its publish does not: both events stay pending behind the cursor, OrderPlaced first.
    expect(await writer.transition(order.order_id, 'CONFIRMED')).toEqual({ kind: 'applied', status: 'CONFIRMED' });
    expect((await repo.get(order.order_id))!.status).toBe('CONFIRMED');
    expect(repo.cursors.get(order.order_id)?.from).toBe(0);
    await relay(0, NOW + 1);
    expect(publisher.published).toHaveLength(0);
    publisher.down = false;
    await relay(0, NOW + 1);
    expect(publisher.published.map((e) => e.id)).toEqual([`${order.order_id}:placed`, `${order.order_id}:confirmed`]);
    expect(repo.cursors.size).toBe(0);
  });

  it('a later write publishes only what is new when everything before it went out', async () => {
    const { publisher, writer } = setup();
    const order = anOrder();
    await writer.create(order);
    await writer.flush(order.order_id);
    await writer.transition(order.order_id, 'CONFIRMED');
    await writer.transition(order.order_id, 'SHIPPED', { shipment: { shipment_id: 'shp_1', carrier: 'DHL', tracking_number: 'T1' } });
    expect(publisher.published.map((e) => e.id?.split(':')[1])).toEqual(['placed', 'confirmed', 'shipped']);
    expect(publisher.ofType('globalmart.orders.order-shipped.v1')[0]?.data).toMatchObject({
      shipment_id: 'shp_1',
      carrier: 'DHL',
      tracking_number: 'T1',
    });
  });

  it('one order write per state change: status, history and its event land together', async () => {
    const { repo, publisher, writer } = setup();
    publisher.down = true;
    const order = anOrder();
    await writer.create(order);
    const writesBefore = repo.writes;
    await writer.transition(order.order_id, 'CANCELLED', { reason: 'out of stock' });
    expect(repo.writes - writesBefore).toBe(1);
    const stored = (await repo.get(order.order_id))!;
    expect(stored.cancel_reason).toBe('out of stock');
    expect(stored.outbox.at(-1)).toMatchObject({ type: 'globalmart.orders.order-cancelled.v1', data: { reason: 'out of stock' } });
  });

  it('drops a cursor whose order was never written (the writer died between the two writes)', async () => {
    const { repo, publisher, relay } = setup();
    await repo.markPending('ord_ffffffffffffffffffffffffffffffff', 0, new Date(NOW - 60_000).toISOString());
    await relay();
    expect(publisher.published).toHaveLength(0);
    expect(repo.cursors.size).toBe(0);
  });
});
