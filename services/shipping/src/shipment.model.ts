import { Schema, type Connection, type Model } from 'mongoose';
import type { ShipmentStatus } from '@globalmart/contracts';
import type { ShippingEvent } from './shipment.rules.ts';

/** A shipment as stored. _id is the order id: one shipment per order is then guaranteed by the primary key. */
export interface ShipmentDoc {
  _id: string;
  shipment_id: string;
  customer_id: string;
  status: ShipmentStatus;
  carrier: string;
  tracking_number: string;
  destination_country: string;
  items: { product_id: string; quantity: number }[];
  events: { status: ShipmentStatus; at: string; description: string }[];
  next_step_at: Date | null;
  due_at: Date | null;
  outbox: ShippingEvent[];
  version: number;
}

const shipmentSchema = new Schema<ShipmentDoc>(
  {
    _id: { type: String, required: true },
    shipment_id: { type: String, required: true },
    customer_id: { type: String, required: true },
    status: { type: String, required: true },
    carrier: { type: String, required: true },
    tracking_number: { type: String, required: true },
    destination_country: { type: String, required: true },
    items: { type: [{ _id: false, product_id: String, quantity: Number }], default: [] },
    events: { type: [{ _id: false, status: String, at: String, description: String }], default: [] },
    next_step_at: { type: Date, default: null },
    // When the next step or an unpublished event is due (its Dapr job carries the time; nothing queries this field).
    due_at: { type: Date, default: null },
    outbox: { type: [String], default: [] },
    version: { type: Number, required: true },
  },
  { collection: 'shipments', versionKey: false, timestamps: { createdAt: 'created_at', updatedAt: 'updated_at' } },
);

export function shipmentModel(conn: Connection): Model<ShipmentDoc> {
  return conn.models.Shipment ?? conn.model<ShipmentDoc>('Shipment', shipmentSchema);
}
