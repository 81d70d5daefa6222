// Create / cancel / read shipments: idempotent by order id, the carrier behind its port.
import { randomBytes } from 'node:crypto';
import type { Shipment, ShipmentCancelResponse, ShipmentCreateRequest, ShipmentCreated } from '@globalmart/contracts';
import { conflict, notFound, unprocessable, type KeyedRunner, type Logger } from '@globalmart/platform';
import { UndeliverableError, type Carrier } from './carrier.port.ts';
import type { ShipmentProgress } from './shipment.progress.ts';
import type { ShipmentRepository } from './shipment.repository.ts';
import { cancelShipment, newShipment, toView, type Delays, type ShipmentRecord } from './shipment.rules.ts';

export interface ShipmentServiceDeps {
  repo: ShipmentRepository;
  carrier: Carrier;
  delays: Delays;
  logger: Logger;
  /** One writer per shipment across replicas: the kit's KeyedLock (the progress jobs take the same one). */
  lock: KeyedRunner;
  /** Schedules a shipment's next step (its Dapr job). */
  progress: Pick<ShipmentProgress, 'scheduleNext'>;
  now?: () => Date;
  newShipmentId?: () => string;
}

const MAX_ATTEMPTS = 5;

export function shipmentService({
  repo,
  carrier,
  delays,
  logger,
  lock,
  progress,
  now = () => new Date(),
  newShipmentId = () => `shp_${randomBytes(12).toString('hex')}`,
}: ShipmentServiceDeps) {
  return {
    /**
     * created false: the order had a shipment already, which is returned as it is now. Books under the shipment's
     * lock, then schedules its first step; a repeat (the saga retrying after a failure here) schedules it again
     * (overwrite), so a crash between the insert and the scheduling heals.
     */
    async create(req: ShipmentCreateRequest): Promise<{ shipment: ShipmentCreated; created: boolean }> {
      const { record, created } = await lock.run(req.order_id, () => book(req));
      if (record.status === 'created') await progress.scheduleNext(record);
      const { shipment_id, order_id, status, carrier: name, tracking_number } = record;
      return { shipment: { shipment_id, order_id, status, carrier: name, tracking_number }, created };
    },

    /** Under the shipment's lock, so the step job of another replica never interleaves with it. */
    cancel: (orderId: string) => lock.run(orderId, () => cancel(orderId)),

    async get(orderId: string): Promise<Shipment> {
      const record = await repo.findByOrder(orderId);
      if (!record) throw notFound('SHIPPING.NOT_FOUND', `No shipment for order ${orderId}.`);
      return toView(record);
    },
  };

  async function book(req: ShipmentCreateRequest): Promise<{ record: ShipmentRecord; created: boolean }> {
    let record = await repo.findByOrder(req.order_id);
    let created = false;
    if (!record) {
      let booking;
      try {
        booking = await carrier.book(req);
      } catch (err) {
        if (err instanceof UndeliverableError) {
          throw unprocessable('SHIPPING.UNDELIVERABLE', `The carrier does not deliver to ${err.country}.`, { country: err.country });
        }
        throw err;
      }
      ({ record, created } = await repo.insert(newShipment(req, booking, newShipmentId(), now(), delays)));
      // A twin request won the insert: our label is surplus.
      if (!created) await carrier.cancel(booking.trackingNumber);
      else
        logger.info(
          { order_id: req.order_id, shipment_id: record.shipment_id, tracking_number: record.tracking_number },
          'shipment booked',
        );
    }
    return { record, created };
  }

  async function cancel(orderId: string): Promise<ShipmentCancelResponse> {
    for (let attempt = 1; ; attempt++) {
      const record = await repo.findByOrder(orderId);
      if (!record) return { status: 'none' };
      const decision = cancelShipment(record, now());
      if (decision.kind === 'already') return { status: 'cancelled' };
      if (decision.kind === 'too-late') {
        throw conflict('SHIPPING.ALREADY_SHIPPED', `The shipment is ${decision.status}; it can no longer be cancelled.`, {
          status: decision.status,
        });
      }
      // Changed meanwhile (only a writer outside the lock could): re-read and decide again.
      if (!(await repo.replace(decision.next, record.version))) {
        if (attempt >= MAX_ATTEMPTS) throw conflict('SHIPPING.BUSY', 'The shipment is changing; retry.');
        continue;
      }
      await carrier.cancel(record.tracking_number);
      // Its pending step job still fires once, finds it cancelled and does nothing.
      logger.info({ order_id: orderId, shipment_id: record.shipment_id }, 'shipment cancelled');
      return { status: 'cancelled' };
    }
  }
}

export type ShipmentService = ReturnType<typeof shipmentService>;
