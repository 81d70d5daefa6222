// The simulated carrier's progress, keyed: each shipment's next step is a one-shot Dapr job
// `shipment-<order_id>-<step>` due when the step is (no scan of shipments). Its trigger advances that one shipment
// (by _id, under the shipment's lock), publishes what the step owes, and schedules the step after it. State lives in
// the database and the jobs in the Dapr Scheduler, so progress survives restarts and replicas dying.
import { shippingEventTypes, topics } from '@globalmart/contracts';
import type { EventPublisher, Jobs, KeyedRunner, Logger } from '@globalmart/platform';
import type { ShipmentRepository } from './shipment.repository.ts';
import { advance, eventData, outboxSent, type Delays, type ShipmentRecord, type ShippingEvent } from './shipment.rules.ts';

const eventTypes: Record<ShippingEvent, string> = {
  shipped: shippingEventTypes.ItemShipped,
  delivered: shippingEventTypes.OrderDelivered,
};

/** The job name's prefix: `shipment-<order_id>-<step>`. */
export const SHIPMENT_JOB = 'shipment';

/** Where a status stands in the lifecycle; `cancelled` ends it. */
const rank: Record<ShipmentRecord['status'], number> = { created: 0, shipped: 1, delivered: 2, cancelled: 3 };

/** The step a shipment waits for next, if any. */
export function nextStep(r: Pick<ShipmentRecord, 'status' | 'next_step_at'>): ShippingEvent | undefined {
  if (!r.next_step_at) return undefined;
  return r.status === 'created' ? 'shipped' : r.status === 'shipped' ? 'delivered' : undefined;
}

const jobKey = (orderId: string, step: ShippingEvent) => `${orderId}-${step}`;

function parseKey(key: string): { orderId: string; step: ShippingEvent } | undefined {
  const at = key.lastIndexOf('-');
  const step = key.slice(at + 1);
  if (at <= 0 || (step !== 'shipped' && step !== 'delivered')) return undefined;
  return { orderId: key.slice(0, at), step };
}

/** The step is not due yet (a trigger came early): the job's failure policy triggers it again shortly. */
export class StepNotDueError extends Error {
  constructor(orderId: string, step: ShippingEvent, dueAt: Date | null) {
    super(`shipment ${orderId}: ${step} is due at ${dueAt?.toISOString() ?? 'never'}, not yet`);
    this.name = 'StepNotDueError';
  }
}

export interface ProgressDeps {
  repo: ShipmentRepository;
  publisher: EventPublisher;
  delays: Delays;
  logger: Logger;
  /** One writer per shipment across replicas (the kit's KeyedLock); the same lock the service's cancel takes. */
  lock: KeyedRunner;
  /** The app's jobs (svc.jobs): the SHIPMENT_JOB one-shot jobs are declared on it, their triggers handled by run(). */
  jobs: Jobs;
  now?: () => Date;
}

export interface ShipmentProgress {
  /**
   * The job trigger for `shipment-<key>`: advances the shipment if its step is due, publishes its outbox, and
   * schedules the next step. Idempotent (a repeated trigger finds the step done and only re-checks the outbox and the
   * next job); throws while an event cannot be published or the step is early, so the Scheduler retries.
   */
  run(key: string): Promise<void>;
  /** Schedules (overwrite) the job of the shipment's next step; nothing when no step will come. */
  scheduleNext(record: ShipmentRecord): Promise<void>;
}

export function shipmentProgress(deps: ProgressDeps): ShipmentProgress {
  const { repo, publisher, delays, lock, now = () => new Date() } = deps;
  const log = deps.logger.child({ component: 'shipment-progress' });
  const jobs = deps.jobs.keyed<Record<string, never>>(SHIPMENT_JOB, (key) => run(key));

  async function scheduleNext(record: ShipmentRecord): Promise<void> {
    const step = nextStep(record);
    if (step && record.next_step_at) await jobs.at(jobKey(record.order_id, step), record.next_step_at, {});
  }

  /** Under the shipment's lock: the due step, then the outbox. Answers the record as it is afterwards. */
  async function bringUpToDate(orderId: string, step: ShippingEvent): Promise<ShipmentRecord | undefined> {
    let current = await repo.findByOrder(orderId);
    if (!current) return undefined; // never booked here, or gone: nothing to do
    if (rank[current.status] < rank[step]) {
      const next = advance(current, now(), delays);
      if (!next) throw new StepNotDueError(orderId, step, current.next_step_at);
      const saved = await repo.replace(next, current.version);
      // Only a writer outside the lock (none by design) could have changed it: retry the trigger with fresh data.
      if (!saved) throw new Error(`shipment ${orderId} changed while being advanced`);
      current = saved;
      log.info({ order_id: orderId, status: current.status }, 'shipment progressed');
    }
    if (current.outbox.length > 0) {
      const sent = [...current.outbox];
      for (const event of sent) {
        // Fixed id per order and step: a re-publish after a crash or a retried trigger is deduped by consumers.
        await publisher.publish(topics.shipping, eventTypes[event], eventData(event, current), { id: `${orderId}:${event}` });
      }
      const cleared = await repo.replace(outboxSent(current, sent, now()), current.version);
      if (!cleared) throw new Error(`shipment ${orderId} changed while its events were published`);
      current = cleared;
    }
    return current;
  }

  async function run(key: string): Promise<void> {
    const parsed = parseKey(key);
    if (!parsed) {
      log.warn({ job_key: key }, 'shipment job with an unreadable name ignored');
      return;
    }
    const record = await lock.run(parsed.orderId, () => bringUpToDate(parsed.orderId, parsed.step));
    // Outside the lock: the next step's job (a later step's, or none once delivered).
    if (record) await scheduleNext(record);
  }

  return { run, scheduleNext };
}
