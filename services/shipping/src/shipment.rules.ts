// Shipment progression as plain functions (no Express, Dapr or mongoose):
//   created ─► shipped ─► delivered        created ─► cancelled (never after pick-up)
// Each step appends a tracking event and puts the domain event it owes in `outbox`; the sweep publishes and clears it,
// so a crash between saving and publishing only delays the event (its id is fixed, consumers dedupe).
import type { ShipmentCreateRequest, Shipment, ShipmentStatus, TrackingEvent } from '@globalmart/contracts';

export type ShippingEvent = 'shipped' | 'delivered';

export interface ShipmentRecord {
  order_id: string;
  shipment_id: string;
  customer_id: string;
  status: ShipmentStatus;
  carrier: string;
  tracking_number: string;
  /** Only the country is kept: the carrier holds the label, so no street address (PII) rests here. */
  destination_country: string;
  items: { product_id: string; quantity: number }[];
  events: TrackingEvent[];
  /** When the next status change is due (null: none will come). */
  next_step_at: Date | null;
  /** When the sweep must look at it: the next step, or now while events wait in the outbox. */
  due_at: Date | null;
  outbox: ShippingEvent[];
  /** Bumped by every write; a write succeeds only against the version it read (one writer per step). */
  version: number;
}

export interface Delays {
  shipMs: number;
  deliverMs: number;
}

const later = (now: Date, ms: number) => new Date(now.getTime() + ms);
const dueAt = (r: Pick<ShipmentRecord, 'outbox' | 'next_step_at'>, now: Date) => (r.outbox.length > 0 ? now : r.next_step_at);

export function newShipment(
  req: ShipmentCreateRequest,
  booking: { carrier: string; trackingNumber: string },
  shipmentId: string,
  now: Date,
  delays: Delays,
): ShipmentRecord {
  const next = later(now, delays.shipMs);
  return {
    order_id: req.order_id,
    shipment_id: shipmentId,
    customer_id: req.customer_id,
    status: 'created',
    carrier: booking.carrier,
    tracking_number: booking.trackingNumber,
    destination_country: req.address.country,
    items: req.items.map(({ product_id, quantity }) => ({ product_id, quantity })),
    events: [{ status: 'created', at: now.toISOString(), description: `Label created with ${booking.carrier}` }],
    next_step_at: next,
    due_at: next,
    outbox: [],
    version: 0,
  };
}

/** The next status change if it is due, else undefined. Pure: the same record and time give the same answer. */
export function advance(r: ShipmentRecord, now: Date, delays: Delays): ShipmentRecord | undefined {
  if (!r.next_step_at || r.next_step_at.getTime() > now.getTime()) return undefined;
  const at = now.toISOString();
  if (r.status === 'created') {
    const next = {
      ...r,
      status: 'shipped' as const,
      outbox: [...r.outbox, 'shipped' as const],
      next_step_at: later(now, delays.deliverMs),
    };
    return {
      ...next,
      events: [...r.events, { status: 'shipped', at, description: 'Picked up by the carrier' }],
      due_at: dueAt(next, now),
      version: r.version + 1,
    };
  }
  if (r.status === 'shipped') {
    const next = { ...r, status: 'delivered' as const, outbox: [...r.outbox, 'delivered' as const], next_step_at: null };
    return {
      ...next,
      events: [...r.events, { status: 'delivered', at, description: 'Delivered' }],
      due_at: dueAt(next, now),
      version: r.version + 1,
    };
  }
  return undefined;
}

/** After the outbox went out: clear it and wait for the next step. */
export function outboxSent(r: ShipmentRecord, sent: ShippingEvent[], now: Date): ShipmentRecord {
  const outbox = r.outbox.filter((e) => !sent.includes(e));
  return { ...r, outbox, due_at: dueAt({ outbox, next_step_at: r.next_step_at }, now), version: r.version + 1 };
}

export type CancelDecision = { kind: 'cancel'; next: ShipmentRecord } | { kind: 'already' } | { kind: 'too-late'; status: ShipmentStatus };

/** A parcel can be recalled only before pick-up; cancelling twice is fine. */
export function cancelShipment(r: ShipmentRecord, now: Date): CancelDecision {
  if (r.status === 'cancelled') return { kind: 'already' };
  if (r.status !== 'created') return { kind: 'too-late', status: r.status };
  const next = { ...r, status: 'cancelled' as const, next_step_at: null };
  return {
    kind: 'cancel',
    next: {
      ...next,
      events: [...r.events, { status: 'cancelled', at: now.toISOString(), description: 'Shipment cancelled' }],
      due_at: dueAt(next, now),
      version: r.version + 1,
    },
  };
}

/** `data` of the CloudEvent a step owes; occurred_at is the step's own time, so a re-publish is identical. */
export function eventData(event: ShippingEvent, r: ShipmentRecord) {
  const occurred_at = r.events.findLast((e) => e.status === event)?.at ?? new Date(0).toISOString();
  const base = { order_id: r.order_id, shipment_id: r.shipment_id, occurred_at };
  return event === 'shipped' ? { ...base, carrier: r.carrier, tracking_number: r.tracking_number } : base;
}

export function toView(r: ShipmentRecord): Shipment {
  return {
    shipment_id: r.shipment_id,
    order_id: r.order_id,
    status: r.status,
    carrier: r.carrier,
    tracking_number: r.tracking_number,
    events: r.events,
  };
}
