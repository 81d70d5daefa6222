import { z } from 'zod';

const int = (min: number, max: number, fallback: number) => z.coerce.number().int().min(min).max(max).default(fallback);

export const ordersConfig = {
  /** How long an order waits for an unavailable payment provider before it is cancelled with compensations. */
  ORDER_PAYMENT_WAIT_SECONDS: int(1, 86_400, 120),
  /** How long the other saga steps retry an unavailable inventory or shipping service. */
  ORDER_STEP_RETRY_SECONDS: int(1, 86_400, 60),
  /** How often the outbox relay (the Dapr job `orders-outbox-relay`, one replica per run) looks for unpublished events. */
  ORDER_OUTBOX_RELAY_INTERVAL_MS: int(50, 600_000, 1_000),
  /** Entries younger than this belong to the writer publishing them right now. */
  ORDER_OUTBOX_RELAY_GRACE_MS: int(0, 600_000, 2_000),
  /** How long an Idempotency-Key is remembered. */
  ORDER_IDEMPOTENCY_TTL_SECONDS: int(60, 30 * 86_400, 86_400),
  /**
   * The lease on an order's lock (one writer per order across replicas): a replica that dies holding it blocks that
   * order this long at most. Must exceed the longest write + publish (Dapr's pub/sub retries take up to ~25 s).
   */
  ORDER_LOCK_LEASE_SECONDS: int(5, 600, 60),
  /** Workflow work items (orchestrator turns and activities) this process runs at once. */
  ORDER_WORKFLOW_CONCURRENCY: int(1, 10_000, 200),
};
