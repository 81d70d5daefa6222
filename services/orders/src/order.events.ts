// The events each state change writes into the order's outbox. Ids are `${order_id}:<event>`: deterministic, so a
// replayed activity or a republish after a crash produces the same CloudEvent id and consumers dedupe it.
import {
  eventTypes,
  ordersEventTypes,
  topics,
  type OrderCancelled,
  type OrderConfirmed,
  type OrderDelivered,
  type OrderPlaced,
  type OrderShipped,
} from '@globalmart/contracts';
import { toMajor } from './order.money.ts';
import type { Order, OutboxEntry } from './order.types.ts';

const entry = (order: Order, name: string, type: string, data: object, at: string): OutboxEntry => ({
  id: `${order.order_id}:${name}`,
  topic: topics.orders,
  type,
  data: data as Record<string, unknown>,
  at,
});

const eventItems = (order: Order): OrderPlaced['items'] =>
  order.items.map((i) => ({
    product_id: i.product_id,
    quantity: i.quantity,
    unit_price: toMajor(i.unit_price_minor),
    currency: order.currency,
  }));

/** OrderPlaced and OrderConfirmed carry the same facts of the order (its lines and total) at different moments. */
const orderFacts = (order: Order, at: string): OrderPlaced & OrderConfirmed => ({
  order_id: order.order_id,
  customer_id: order.customer_id,
  items: eventItems(order),
  total: toMajor(order.total_minor),
  currency: order.currency,
  occurred_at: at,
});

export function orderPlacedEntry(order: Order, at: string): OutboxEntry {
  return entry(order, 'placed', eventTypes.OrderPlaced, orderFacts(order, at), at);
}

export function orderConfirmedEntry(order: Order, at: string): OutboxEntry {
  return entry(order, 'confirmed', ordersEventTypes.OrderConfirmed, orderFacts(order, at), at);
}

export function orderCancelledEntry(order: Order, reason: string, at: string): OutboxEntry {
  const data: OrderCancelled = { order_id: order.order_id, customer_id: order.customer_id, reason, occurred_at: at };
  return entry(order, 'cancelled', ordersEventTypes.OrderCancelled, data, at);
}

export interface ShipmentFacts {
  shipment_id: string;
  carrier?: string;
  tracking_number?: string;
}

export function orderShippedEntry(order: Order, shipment: Required<ShipmentFacts>, at: string): OutboxEntry {
  const data: OrderShipped = { order_id: order.order_id, customer_id: order.customer_id, ...shipment, occurred_at: at };
  return entry(order, 'shipped', ordersEventTypes.OrderShipped, data, at);
}

export function orderDeliveredEntry(order: Order, shipmentId: string, at: string): OutboxEntry {
  const data: OrderDelivered = { order_id: order.order_id, customer_id: order.customer_id, shipment_id: shipmentId, occurred_at: at };
  return entry(order, 'delivered', ordersEventTypes.OrderDelivered, data, at);
}
