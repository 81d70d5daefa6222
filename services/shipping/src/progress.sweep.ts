// The simulated carrier's progress: a periodic sweep over shipments whose next step (or unpublished event) is due.
// State lives in the database, not in timers, so progress survives restarts. One sweeper per process, one run at a time.
import { shippingEventTypes, topics } from '@globalmart/contracts';
import type { EventPublisher, Logger } from '@globalmart/platform';
import type { ShipmentRepository } from './shipment.repository.ts';
import { advance, eventData, outboxSent, type Delays, type ShipmentRecord, type ShippingEvent } from './shipment.rules.ts';

const eventTypes: Record<ShippingEvent, string> = {
  shipped: shippingEventTypes.ItemShipped,
  delivered: shippingEventTypes.OrderDelivered,
};

export interface SweepDeps {
  repo: ShipmentRepository;
  publisher: EventPublisher;
  delays: Delays;
  logger: Logger;
  now?: () => Date;
  batchSize?: number;
}

export function progressSweep({ repo, publisher, delays, logger, now = () => new Date(), batchSize = 100 }: SweepDeps) {
  const log = logger.child({ component: 'progress-sweep' });

  async function step(record: ShipmentRecord): Promise<void> {
    let current = record;
    const next = advance(current, now(), delays);
    if (next) {
      const saved = await repo.replace(next, current.version);
      if (!saved) return; // another writer (a cancel) came first; the next run sees its result
      current = saved;
      log.info({ order_id: current.order_id, status: current.status }, 'shipment progressed');
    }
    if (current.outbox.length === 0) return;
    const sent = [...current.outbox];
    for (const event of sent) {
      // Fixed id per order and step: a re-publish after a crash or a lost race is deduped by consumers.
      await publisher.publish(topics.shipping, eventTypes[event], eventData(event, current), { id: `${current.order_id}:${event}` });
    }
    await repo.replace(outboxSent(current, sent, now()), current.version);
  }

  /** One pass; returns how many shipments were due. A failing shipment is logged and retried next pass. */
  async function runOnce(): Promise<number> {
    const due = await repo.due(now(), batchSize);
    for (const record of due) {
      await step(record).catch((err: unknown) => log.warn({ err, order_id: record.order_id }, 'shipment step failed; retrying next sweep'));
    }
    return due.length;
  }

  return { runOnce };
}
