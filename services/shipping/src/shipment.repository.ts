import type { Model } from 'mongoose';
import type { ShipmentDoc } from './shipment.model.ts';
import type { ShipmentRecord } from './shipment.rules.ts';

/** The storage port the service and the progress jobs use: by _id only (the order id), never a scan. */
export interface ShipmentRepository {
  findByOrder(orderId: string): Promise<ShipmentRecord | undefined>;
  /** Inserts; if the order already has a shipment (a repeat, or a racing twin), returns that one with created false. */
  insert(record: ShipmentRecord): Promise<{ record: ShipmentRecord; created: boolean }>;
  /** Writes `next` only while the stored version is still `expected`; undefined when another writer came first. */
  replace(next: ShipmentRecord, expected: number): Promise<ShipmentRecord | undefined>;
}

export function toRecord(d: ShipmentDoc): ShipmentRecord {
  return {
    order_id: d._id,
    shipment_id: d.shipment_id,
    customer_id: d.customer_id,
    status: d.status,
    carrier: d.carrier,
    tracking_number: d.tracking_number,
    destination_country: d.destination_country,
    items: d.items.map(({ product_id, quantity }) => ({ product_id, quantity })),
    events: d.events.map(({ status, at, description }) => ({ status, at, description })),
    next_step_at: d.next_step_at ?? null,
    due_at: d.due_at ?? null,
    outbox: [...d.outbox],
    version: d.version,
  };
}

const isDuplicateKey = (err: unknown) => (err as { code?: number }).code === 11000 || /E11000/.test(String(err));

/**
 * MongoDB-wire adapter. The version check is a conditional update: on MongoDB it is atomic; on FerretDB it is not
 * (docs/adr/0001), which is why each shipment has one writer at a time across replicas (every write holds the
 * shipment's Dapr lock: shipment.service.ts, shipment.progress.ts) and every event it leads to carries a fixed id that
 * consumers dedupe on.
 */
export function mongoShipmentRepository(model: Model<ShipmentDoc>): ShipmentRepository {
  return {
    async findByOrder(orderId) {
      const doc = await model.findById(orderId).lean<ShipmentDoc>();
      return doc ? toRecord(doc) : undefined;
    },
    async insert(record) {
      const { order_id, ...rest } = record;
      try {
        await model.create({ _id: order_id, ...rest });
        return { record, created: true };
      } catch (err) {
        if (!isDuplicateKey(err)) throw err;
        const existing = await model.findById(order_id).lean<ShipmentDoc>();
        if (!existing) throw err;
        return { record: toRecord(existing), created: false };
      }
    },
    async replace(next, expected) {
      const { order_id, ...fields } = next;
      const doc = await model.findOneAndUpdate({ _id: order_id, version: expected }, { $set: fields }, { new: true }).lean<ShipmentDoc>();
      return doc ? toRecord(doc) : undefined;
    },
  };
}
