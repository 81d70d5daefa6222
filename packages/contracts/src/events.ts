import { identityEvents } from './identity.ts';
import { notificationsEvents } from './notifications.ts';
import { ordersEvents } from './orders.ts';
import { paymentsEvents } from './payments.ts';
import { shippingEvents } from './shipping.ts';
import { z } from 'zod';
import { Amount, Currency, IsoDateTime, Price } from './common.ts';
import { CategorySlug, ProductId } from './products.ts';

/** One pub/sub topic per bounded context; subscribers route on the CloudEvent `type`. */
export const topics = {
  orders: 'orders',
  payments: 'payments',
  inventory: 'inventory',
  catalog: 'catalog',
  shipping: 'shipping',
  customers: 'customers',
  notifications: 'notifications',
} as const;
export type Topic = (typeof topics)[keyof typeof topics];

/** CloudEvent `type` values; the version suffix changes only on a breaking change. */
export const eventTypes = {
  ProductUpdated: 'globalmart.catalog.product-updated.v1',
  ProductViewed: 'globalmart.catalog.product-viewed.v1',
  StockUpdated: 'globalmart.inventory.stock-updated.v1',
  OrderPlaced: 'globalmart.orders.order-placed.v1',
} as const;

// Order and customer id formats belong to the orders and identity services; only bound them until those land.
const EntityId = z.string().min(1).max(64);

// Event objects are not .strict(): consumers must tolerate fields added by a newer producer of the same version.
export const ProductUpdated = z.object({
  product_id: ProductId,
  price: Price,
  currency: Currency,
  category: CategorySlug,
  changed_fields: z.array(z.string().min(1)).max(50),
  occurred_at: IsoDateTime,
});
export type ProductUpdated = z.infer<typeof ProductUpdated>;

export const ProductViewed = z.object({
  product_id: ProductId,
  user_id: EntityId.optional(),
  session_id: EntityId.optional(),
  occurred_at: IsoDateTime,
});
export type ProductViewed = z.infer<typeof ProductViewed>;

export const StockUpdated = z.object({
  product_id: ProductId,
  stock_qty: z.int().min(0),
  occurred_at: IsoDateTime,
});
export type StockUpdated = z.infer<typeof StockUpdated>;

export const OrderPlacedItem = z.object({
  product_id: ProductId,
  quantity: z.int().min(1),
  unit_price: Price,
  currency: Currency,
});
export type OrderPlacedItem = z.infer<typeof OrderPlacedItem>;

export const OrderPlaced = z.object({
  order_id: EntityId,
  customer_id: EntityId,
  items: z.array(OrderPlacedItem).min(1),
  total: Amount,
  currency: Currency,
  occurred_at: IsoDateTime,
});
export type OrderPlaced = z.infer<typeof OrderPlaced>;

export type EventSpec = { name: string; topic: Topic; schema: z.ZodObject; description: string };

/** The catalogue: CloudEvent type → where it is published and the schema of its `data`. */
export const eventCatalog = {
  // Each bounded context declares its own events beside its API (they import only types from here).
  ...identityEvents,
  ...ordersEvents,
  ...paymentsEvents,
  ...shippingEvents,
  ...notificationsEvents,
  [eventTypes.ProductUpdated]: {
    name: 'ProductUpdated',
    topic: topics.catalog,
    schema: ProductUpdated,
    description: 'A product was created or changed; search and recommendations re-index it.',
  },
  [eventTypes.ProductViewed]: {
    name: 'ProductViewed',
    topic: topics.catalog,
    schema: ProductViewed,
    description: 'The gateway served a product page; feeds recommendations and analytics.',
  },
  [eventTypes.StockUpdated]: {
    name: 'StockUpdated',
    topic: topics.inventory,
    schema: StockUpdated,
    description: 'The stock level of a product changed (admin update, reservation or release).',
  },
  [eventTypes.OrderPlaced]: {
    name: 'OrderPlaced',
    topic: topics.orders,
    schema: OrderPlaced,
    description: 'An order was accepted as PENDING; the checkout saga starts from here.',
  },
} as const satisfies Record<string, EventSpec>;

export type EventType = keyof typeof eventCatalog;
export type EventData<T extends EventType> = z.infer<(typeof eventCatalog)[T]['schema']>;
/** Any GlobalMart event as `{ type, data }`, discriminated on `type`. */
export type GlobalMartEvent = { [T in EventType]: { type: T; data: EventData<T> } }[EventType];

export function isEventType(type: string): type is EventType {
  return Object.hasOwn(eventCatalog, type);
}

/** The `data` schema for a CloudEvent type; undefined for a type this version does not know. */
export function eventSchemaFor<T extends EventType>(type: T): (typeof eventCatalog)[T]['schema'];
export function eventSchemaFor(type: string): z.ZodObject | undefined;
export function eventSchemaFor(type: string): z.ZodObject | undefined {
  return isEventType(type) ? eventCatalog[type].schema : undefined;
}

export function topicFor(type: EventType): Topic {
  return eventCatalog[type].topic;
}
