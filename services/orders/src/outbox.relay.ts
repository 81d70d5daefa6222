import type { Logger } from '@globalmart/platform';
import type { OrderRepository } from './order.repository.ts';
import type { Order } from './order.types.ts';
import type { OrderWriter } from './order.writer.ts';
import type { SagaStarter } from './workflow.host.ts';

export interface OutboxRelayOptions {
  /** Entries younger than this are left to the writer that is publishing them right now. */
  graceMs: number;
  batchSize?: number;
  now?: () => number;
}

/**
 * One relay pass: publishes the outbox entries a writer left pending (it crashed between its document write and
 * its publish, or the broker was down) and clears their cursor. Runs as the Dapr job `orders-outbox-relay` (main.ts):
 * each tick in ONE replica of orders, another one if that replica dies, so "saved but never published" heals by itself;
 * every flush holds the order's lock, so a relay and a writer in another replica never publish one order at once.
 * Consumers dedupe the republished events on their CloudEvent id. It reads only the outbox cursors (a handful of records), never the orders collection, and doubles as the
 * safety net for sagas the API accepted but did not get to start.
 */
export function outboxRelay(
  repo: OrderRepository,
  writer: OrderWriter,
  saga: SagaStarter,
  logger: Logger,
  options: OutboxRelayOptions,
): () => Promise<void> {
  // An unpublished OrderPlaced on a PENDING order means the API may have died before starting its saga (it
  // publishes only after the start): start it now — a no-op when it runs already — then publish.
  const sagaFirst = async (order: Order, from: number) => {
    if (order.status === 'PENDING' && from === 0 && (await saga.start(order)) === 'started') {
      logger.warn({ order_id: order.order_id }, 'outbox relay started a checkout saga the API had not');
    }
  };
  const now = options.now ?? Date.now;
  const batchSize = options.batchSize ?? 100;
  return async () => {
    for (;;) {
      const due = await repo.findPending(new Date(now() - options.graceMs).toISOString(), batchSize);
      let published = 0;
      for (const orderId of due) {
        try {
          published += await writer.flush(orderId, sagaFirst);
        } catch (err) {
          logger.warn({ err, order_id: orderId }, 'outbox relay could not flush an order; next pass retries');
        }
      }
      if (published > 0) logger.info({ orders: due.length, events: published }, 'outbox relay published pending events');
      // A full batch that made progress may have more behind it; a batch that published nothing means the broker
      // is still failing, and the next interval retries.
      if (due.length < batchSize || published === 0) return;
    }
  };
}
