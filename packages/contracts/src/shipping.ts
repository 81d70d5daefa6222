// Shipping (app-id `shipping`): shipments, carrier tracking and the events of their simulated progress.
import { z } from 'zod';
import { IsoDateTime, PROBLEM_JSON, ProblemDetails } from './common.ts';
import { ProductId } from './products.ts';
import { apiSchemas } from './registry.ts';
import type { EventSpec } from './events.ts';
import type { RouteResponse, RouteSpec } from './routes.ts';

const ShippingOrderId = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, { error: 'must be 1-64 letters, digits, _ or -' });
const line = (max: number) => z.string().trim().min(1).max(max);

export const ShippingAddress = z
  .object({
    name: line(200),
    line1: line(200),
    line2: z.string().trim().max(200).optional(),
    city: line(100),
    postal_code: z
      .string()
      .trim()
      .regex(/^[A-Za-z0-9][A-Za-z0-9 -]{1,14}$/, { error: 'must be 2-15 letters, digits, spaces or dashes' }),
    country: z.string().regex(/^[A-Z]{2}$/, { error: 'must be an ISO 3166-1 alpha-2 code, e.g. DE' }),
  })
  .strict()
  .register(apiSchemas, { id: 'ShippingAddress' });
export type ShippingAddress = z.infer<typeof ShippingAddress>;

export const ShipmentItem = z.object({ product_id: ProductId, quantity: z.int().min(1).max(1000) }).strict();
export type ShipmentItem = z.infer<typeof ShipmentItem>;

export const ShipmentCreateRequest = z
  .object({
    order_id: ShippingOrderId,
    customer_id: z.string().min(1).max(64),
    address: ShippingAddress,
    items: z.array(ShipmentItem).min(1).max(100),
  })
  .strict()
  .register(apiSchemas, { id: 'ShipmentCreateRequest', description: 'Book a shipment; idempotent by order_id.' });
export type ShipmentCreateRequest = z.infer<typeof ShipmentCreateRequest>;

export const ShipmentStatus = z.enum(['created', 'shipped', 'delivered', 'cancelled']);
export type ShipmentStatus = z.infer<typeof ShipmentStatus>;

export const ShipmentCreated = z
  .object({
    shipment_id: z.string(),
    order_id: ShippingOrderId,
    status: ShipmentStatus,
    carrier: z.string(),
    tracking_number: z.string(),
  })
  .register(apiSchemas, {
    id: 'ShipmentCreated',
    description: 'status is `created` for a new shipment; a repeat returns the current one.',
  });
export type ShipmentCreated = z.infer<typeof ShipmentCreated>;

export const TrackingEvent = z
  .object({ status: ShipmentStatus, at: IsoDateTime, description: z.string() })
  .register(apiSchemas, { id: 'TrackingEvent' });
export type TrackingEvent = z.infer<typeof TrackingEvent>;

export const Shipment = z
  .object({
    shipment_id: z.string(),
    order_id: ShippingOrderId,
    status: ShipmentStatus,
    carrier: z.string(),
    tracking_number: z.string(),
    events: z.array(TrackingEvent),
  })
  .register(apiSchemas, { id: 'Shipment' });
export type Shipment = z.infer<typeof Shipment>;

/** `none`: no shipment for that order (compensation never fails on a shipment that was never booked). */
export const ShipmentCancelResponse = z
  .object({ status: z.enum(['cancelled', 'none']) })
  .register(apiSchemas, { id: 'ShipmentCancelResponse' });
export type ShipmentCancelResponse = z.infer<typeof ShipmentCancelResponse>;

export const ShipmentOrderParams = z.object({ order_id: ShippingOrderId });

// ---- events (topic `shipping`; CloudEvent id `${order_id}:shipped` / `${order_id}:delivered`) ----

export const shippingEventTypes = {
  ItemShipped: 'globalmart.shipping.item-shipped.v1',
  OrderDelivered: 'globalmart.shipping.order-delivered.v1',
} as const;

export const ItemShipped = z.object({
  order_id: ShippingOrderId,
  shipment_id: z.string(),
  carrier: z.string(),
  tracking_number: z.string(),
  occurred_at: IsoDateTime,
});
export type ItemShipped = z.infer<typeof ItemShipped>;

// Named for its context: orders publishes an OrderDelivered of its own (globalmart.orders.order-delivered.v1).
export const ShippingOrderDelivered = z.object({
  order_id: ShippingOrderId,
  shipment_id: z.string(),
  occurred_at: IsoDateTime,
});
export type ShippingOrderDelivered = z.infer<typeof ShippingOrderDelivered>;

// A literal, not topics.shipping: events.ts will import this file, and a value import back would be a cycle.
const topic = 'shipping' as const;

export const shippingEvents = {
  [shippingEventTypes.ItemShipped]: {
    name: 'ItemShipped',
    topic,
    schema: ItemShipped,
    description: 'The carrier picked the parcel up; orders moves the order to SHIPPED.',
  },
  [shippingEventTypes.OrderDelivered]: {
    name: 'ShippingOrderDelivered',
    topic,
    schema: ShippingOrderDelivered,
    description: 'The carrier delivered the parcel; orders moves the order to DELIVERED.',
  },
} as const satisfies Record<string, EventSpec>;

// ---- routes (internal: reached by Dapr service invocation) ----

const problemResponse: RouteResponse = { schema: ProblemDetails, contentType: PROBLEM_JSON };
const errors = (...statuses: number[]) => Object.fromEntries(statuses.map((s) => [s, problemResponse]));
/** The shipment's lock (one writer per shipment across replicas) stayed taken. */
const busy: RouteResponse = { ...problemResponse, description: 'SHIPPING.BUSY: another replica is changing the shipment; retry' };

export const shippingRoutes: RouteSpec[] = [
  {
    method: 'POST',
    path: '/shipments',
    summary: 'Book a shipment with the carrier (idempotent by order_id: a repeat answers 200 with the existing one)',
    tags: ['shipping'],
    body: ShipmentCreateRequest,
    responses: { 201: { schema: ShipmentCreated }, 200: { schema: ShipmentCreated }, ...errors(400, 422), 503: busy },
  },
  {
    method: 'POST',
    path: '/shipments/{order_id}/cancel',
    summary: 'Cancel a shipment that has not left yet (idempotent; unknown order → none)',
    tags: ['shipping'],
    params: ShipmentOrderParams,
    responses: { 200: { schema: ShipmentCancelResponse }, ...errors(400, 409), 503: busy },
  },
  {
    method: 'GET',
    path: '/shipments/{order_id}',
    summary: 'A shipment with its tracking events',
    tags: ['shipping'],
    params: ShipmentOrderParams,
    responses: { 200: { schema: Shipment }, ...errors(400, 404) },
  },
];
