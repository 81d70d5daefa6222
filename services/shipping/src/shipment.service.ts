// Create / cancel / read shipments: idempotent by order id, the carrier behind its port.
import { randomBytes } from 'node:crypto';
import type { Shipment, ShipmentCancelResponse, ShipmentCreateRequest, ShipmentCreated } from '@globalmart/contracts';
import { conflict, notFound, unprocessable, type Logger } from '@globalmart/platform';
import { UndeliverableError, type Carrier } from './carrier.port.ts';
import type { ShipmentRepository } from './shipment.repository.ts';
import { cancelShipment, newShipment, toView, type Delays } from './shipment.rules.ts';

export interface ShipmentServiceDeps {
  repo: ShipmentRepository;
  carrier: Carrier;
  delays: Delays;
  logger: Logger;
  now?: () => Date;
  newShipmentId?: () => string;
}

const MAX_ATTEMPTS = 5;

export function shipmentService({
  repo,
  carrier,
  delays,
  logger,
  now = () => new Date(),
  newShipmentId = () => `shp_${randomBytes(12).toString('hex')}`,
}: ShipmentServiceDeps) {
  return {
    /** created false: the order had a shipment already, which is returned as it is now. */
    async create(req: ShipmentCreateRequest): Promise<{ shipment: ShipmentCreated; created: boolean }> {
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
      const { shipment_id, order_id, status, carrier: name, tracking_number } = record;
      return { shipment: { shipment_id, order_id, status, carrier: name, tracking_number }, created };
    },

    async cancel(orderId: string): Promise<ShipmentCancelResponse> {
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
        // The sweep may have picked it up meanwhile: re-read and decide again.
        if (!(await repo.replace(decision.next, record.version))) {
          if (attempt >= MAX_ATTEMPTS) throw conflict('SHIPPING.BUSY', 'The shipment is changing; retry.');
          continue;
        }
        await carrier.cancel(record.tracking_number);
        logger.info({ order_id: orderId, shipment_id: record.shipment_id }, 'shipment cancelled');
        return { status: 'cancelled' };
      }
    },

    async get(orderId: string): Promise<Shipment> {
      const record = await repo.findByOrder(orderId);
      if (!record) throw notFound('SHIPPING.NOT_FOUND', `No shipment for order ${orderId}.`);
      return toView(record);
    },
  };
}

export type ShipmentService = ReturnType<typeof shipmentService>;
