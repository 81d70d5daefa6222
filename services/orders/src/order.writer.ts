import type { OrderStatus } from '@globalmart/contracts';
import { KeyedMutex, type EventPublisher, type KeyedRunner, type Logger } from '@globalmart/platform';
import { orderCancelledEntry, orderConfirmedEntry, orderDeliveredEntry, orderShippedEntry, type ShipmentFacts } from './order.events.ts';
import type { OrderRepository } from './order.repository.ts';
import { applyTransition, decideTransition } from './order.state.ts';
import type { Order, OutboxEntry } from './order.types.ts';

export interface TransitionDetail {
  reason?: string;
  shipment?: ShipmentFacts;
}

export type TransitionResult =
  { kind: 'applied'; status: OrderStatus } | { kind: 'noop' | 'early' | 'reject'; status: OrderStatus } | { kind: 'missing' };

function entriesFor(order: Order, to: OrderStatus, detail: TransitionDetail, at: string): OutboxEntry[] {
  switch (to) {
    case 'CONFIRMED':
      return [orderConfirmedEntry(order, at)];
    case 'CANCELLED':
      return [orderCancelledEntry(order, detail.reason ?? 'cancelled', at)];
    case 'SHIPPED': {
      const s = detail.shipment;
      return s
        ? [orderShippedEntry(order, { shipment_id: s.shipment_id, carrier: s.carrier ?? '', tracking_number: s.tracking_number ?? '' }, at)]
        : [];
    }
    case 'DELIVERED':
      return detail.shipment ? [orderDeliveredEntry(order, detail.shipment.shipment_id, at)] : [];
    default:
      return [];
  }
}

/**
 * The one writer of order documents, across every replica: each write (create, transition, outbox flush, which the
 * relay's republish goes through) runs under `lock`, keyed by order id. In production that is the kit's KeyedLock (an
 * in-process queue per order, then a lease on the Dapr lock store), because the document store is FerretDB, which
 * applies each update as an unisolated read-modify-write: two replicas writing one order at once could lose a write,
 * and optimistic concurrency does not hold there (docs/adr/0001). Unit tests may leave the default, one process only.
 * A status change and the events announcing it are one
 * document write (the outbox is embedded). Just before it, the outbox cursor records the new entries as pending;
 * right after it, the same writer publishes them through Dapr and clears the cursor. If it crashes or the broker is
 * down in between, the cursor stays and the outbox relay publishes the entries later, with the same CloudEvent ids.
 */
export class OrderWriter {
  readonly #repo: OrderRepository;
  readonly #publisher: EventPublisher;
  readonly #logger: Logger;
  readonly #now: () => string;
  readonly #locks: KeyedRunner;

  constructor(
    repo: OrderRepository,
    publisher: EventPublisher,
    logger: Logger,
    now: () => string = () => new Date().toISOString(),
    lock: KeyedRunner = new KeyedMutex(),
  ) {
    this.#repo = repo;
    this.#publisher = publisher;
    this.#logger = logger;
    this.#now = now;
    this.#locks = lock;
  }

  /** Stores a new order with its OrderPlaced entry pending; false when it exists already. flush() publishes. */
  create(order: Order): Promise<boolean> {
    return this.#locks.run(order.order_id, async () => {
      if (order.outbox.length > 0) await this.#repo.markPending(order.order_id, 0, order.created_at);
      return this.#repo.insert(order);
    });
  }

  transition(orderId: string, to: OrderStatus, detail: TransitionDetail = {}): Promise<TransitionResult> {
    return this.#locks.run(orderId, async () => {
      const order = await this.#repo.get(orderId);
      if (!order) return { kind: 'missing' };
      const decision = decideTransition(order.status, to);
      if (decision.kind !== 'apply') return { kind: decision.kind, status: order.status };
      const at = this.#now();
      const after = applyTransition(order, to, at, detail.reason);
      const entries = entriesFor(after, to, detail, at);
      const from =
        entries.length > 0 ? await this.#repo.markPending(orderId, order.outbox.length, at) : await this.#repo.pendingFrom(orderId);
      await this.#repo.applyTransition(order, after, entries);
      await this.#publish({ ...after, outbox: [...order.outbox, ...entries] }, from);
      this.#logger.info({ order_id: orderId, from: order.status, to, reason: detail.reason }, `order ${to}`);
      return { kind: 'applied', status: to };
    });
  }

  /**
   * Publishes whatever the order has pending (the relay's and the API's way in); answers how many were sent.
   * `beforePublish` runs first, under the same lock; if it throws, nothing is published and the cursor stays.
   */
  flush(orderId: string, beforePublish?: (order: Order, from: number) => Promise<unknown>): Promise<number> {
    return this.#locks.run(orderId, async () => {
      const from = await this.#repo.pendingFrom(orderId);
      if (from === undefined) return 0;
      const order = await this.#repo.get(orderId);
      // A cursor without its order: the writer died between the two writes, and nothing was ever announced.
      if (!order) return this.#repo.advancePending(orderId, undefined).then(() => 0);
      await beforePublish?.(order, from);
      return this.#publish(order, from);
    });
  }

  // In outbox order from the cursor, stopping at the first failure so one order's events never overtake each other.
  async #publish(order: Order, from: number | undefined): Promise<number> {
    if (from === undefined) return 0;
    let next = from;
    for (; next < order.outbox.length; next++) {
      const entry = order.outbox[next]!;
      try {
        await this.#publisher.publish(entry.topic, entry.type, entry.data, { id: entry.id });
      } catch (err) {
        this.#logger.warn({ err, order_id: order.order_id, event_id: entry.id }, 'outbox publish failed; the relay retries it');
        break;
      }
    }
    if (next > from || next === order.outbox.length)
      await this.#repo.advancePending(order.order_id, next < order.outbox.length ? next : undefined);
    return next - from;
  }
}
