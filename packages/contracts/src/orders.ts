// Orders (app-id `orders`): orders, their state machine and the checkout saga's public face.
import { z } from 'zod';
import { Amount, Currency, IsoDateTime, PROBLEM_JSON, Pagination, Price, ProblemDetails, paged } from './common.ts';
import { PaymentMethodToken } from './payments.ts';
import { ProductId } from './products.ts';
import { apiSchemas } from './registry.ts';
import { Shipment, ShippingAddress } from './shipping.ts';
import type { EventSpec } from './events.ts';
import type { RouteResponse, RouteSpec } from './routes.ts';

/** `ord_` + 32 hex digits; also a safe state-store key and workflow instance id. */
export const OrderId = z.string().regex(/^ord_[0-9a-f]{32}$/, { error: 'must look like ord_ followed by 32 hex digits' });
export type OrderId = z.infer<typeof OrderId>;

export const ORDER_STATUSES = ['PENDING', 'CONFIRMED', 'SHIPPED', 'DELIVERED', 'CANCELLED'] as const;
export const OrderStatus = z.enum(ORDER_STATUSES);
export type OrderStatus = z.infer<typeof OrderStatus>;

/** Stripe-style: printable ASCII without spaces, 8-128 characters (a UUID fits). */
export const IdempotencyKey = z
  .string({ error: 'the Idempotency-Key header is required' })
  .regex(/^[\x21-\x7e]{8,128}$/, { error: 'Idempotency-Key must be 8-128 printable characters without spaces' });
export const IDEMPOTENCY_KEY_HEADER = 'idempotency-key';

export const OrderCreateRequest = z
  .object({ payment_method: PaymentMethodToken, shipping_address: ShippingAddress })
  .strict()
  .register(apiSchemas, {
    id: 'OrderCreateRequest',
    description: 'Checks out the caller’s cart. Send an Idempotency-Key header (8-128 chars): a repeat returns the same order.',
  });
export type OrderCreateRequest = z.infer<typeof OrderCreateRequest>;

export const OrderAccepted = z
  .object({ order_id: OrderId, status: z.literal('PENDING') })
  .register(apiSchemas, { id: 'OrderAccepted', description: 'The order is stored; the checkout saga completes it asynchronously.' });
export type OrderAccepted = z.infer<typeof OrderAccepted>;

export const OrderLine = z
  .object({ product_id: ProductId, name: z.string(), quantity: z.int().min(1), unit_price: Price, currency: Currency, line_total: Amount })
  .register(apiSchemas, { id: 'OrderLine' });
export type OrderLine = z.infer<typeof OrderLine>;

export const OrderStatusChange = z
  .object({ status: OrderStatus, at: IsoDateTime, reason: z.string().optional() })
  .register(apiSchemas, { id: 'OrderStatusChange' });
export type OrderStatusChange = z.infer<typeof OrderStatusChange>;

export const Order = z
  .object({
    order_id: OrderId,
    customer_id: z.string(),
    status: OrderStatus,
    items: z.array(OrderLine),
    /** Computed in minor units, shown in major units (decimals). */
    total: Amount,
    currency: Currency,
    shipping_address: ShippingAddress,
    /** The payment token only, never card data. */
    payment_method: z.string(),
    status_history: z.array(OrderStatusChange),
    cancel_reason: z.string().optional(),
    created_at: IsoDateTime,
    updated_at: IsoDateTime,
  })
  .register(apiSchemas, { id: 'Order' });
export type Order = z.infer<typeof Order>;

export const OrderParams = z.object({ id: OrderId });

export const OrderListQuery = z.object({ ...Pagination });
export type OrderListQuery = z.infer<typeof OrderListQuery>;

/**
 * The admin list pages by keyset (Stripe-style): `starting_after` = the last order id of the previous page. No page
 * number and no total: both cost a pass over every order stored (issue 8: cost flat in stored data).
 */
export const AdminOrderListQuery = z
  .object({
    page_size: Pagination.page_size,
    starting_after: OrderId.optional(),
    status: OrderStatus.optional(),
    from: IsoDateTime.optional(),
    to: IsoDateTime.optional(),
  })
  .refine((q) => !q.from || !q.to || Date.parse(q.from) <= Date.parse(q.to), { error: 'from must not be after to', path: ['from'] });
export type AdminOrderListQuery = z.infer<typeof AdminOrderListQuery>;

export const OrderPage = paged(Order).register(apiSchemas, { id: 'OrderPage' });
export type OrderPage = z.infer<typeof OrderPage>;

/** A page of the admin list, newest first; `has_more`: pass the last order's id as `starting_after` for the next. */
export const AdminOrderPage = z
  .object({ data: z.array(Order), page_size: z.int().min(1).max(100), has_more: z.boolean() })
  .register(apiSchemas, { id: 'AdminOrderPage' });
export type AdminOrderPage = z.infer<typeof AdminOrderPage>;

/** The order's status beside its shipment (null until one is booked, or when the order was cancelled first). */
export const OrderTracking = z
  .object({ order_id: OrderId, order_status: OrderStatus, shipment: Shipment.nullable() })
  .register(apiSchemas, { id: 'OrderTracking' });
export type OrderTracking = z.infer<typeof OrderTracking>;

/** Stable problem `code`s orders answers with (besides REQUEST.INVALID and the AUTH ones). */
export const ordersErrorCodes = {
  NotFound: 'ORDER.NOT_FOUND',
  EmptyCart: 'ORDER.EMPTY_CART',
  MixedCurrencies: 'ORDER.MIXED_CURRENCIES',
} as const;

// ---- events (topic `orders`; CloudEvent id `${order_id}:<event>`, so a redelivery dedupes) ----
// OrderPlaced (globalmart.orders.order-placed.v1) is already in events.ts's eventCatalog and is reused as is.

export const ordersEventTypes = {
  OrderConfirmed: 'globalmart.orders.order-confirmed.v1',
  OrderCancelled: 'globalmart.orders.order-cancelled.v1',
  OrderShipped: 'globalmart.orders.order-shipped.v1',
  OrderDelivered: 'globalmart.orders.order-delivered.v1',
} as const;

// The same shape as OrderPlaced's lines (events.ts imports this file, so it cannot be imported from there).
const OrderEventItem = z.object({ product_id: ProductId, quantity: z.int().min(1), unit_price: Price, currency: Currency });

export const OrderConfirmed = z.object({
  order_id: OrderId,
  customer_id: z.string(),
  /** The confirmed lines (consumers such as notifications, recommendations and analytics need them). */
  items: z.array(OrderEventItem).min(1),
  total: Amount,
  currency: Currency,
  occurred_at: IsoDateTime,
});
export type OrderConfirmed = z.infer<typeof OrderConfirmed>;

export const OrderCancelled = z.object({ order_id: OrderId, customer_id: z.string(), reason: z.string(), occurred_at: IsoDateTime });
export type OrderCancelled = z.infer<typeof OrderCancelled>;

export const OrderShipped = z.object({
  order_id: OrderId,
  customer_id: z.string(),
  shipment_id: z.string(),
  carrier: z.string(),
  tracking_number: z.string(),
  occurred_at: IsoDateTime,
});
export type OrderShipped = z.infer<typeof OrderShipped>;

export const OrderDelivered = z.object({ order_id: OrderId, customer_id: z.string(), shipment_id: z.string(), occurred_at: IsoDateTime });
export type OrderDelivered = z.infer<typeof OrderDelivered>;

// A literal, not topics.orders: events.ts will import this file, and a value import back would be a cycle.
const topic = 'orders' as const;

export const ordersEvents = {
  [ordersEventTypes.OrderConfirmed]: {
    name: 'OrderConfirmed',
    topic,
    schema: OrderConfirmed,
    description: 'The saga reserved stock, authorised and captured payment and booked a shipment.',
  },
  [ordersEventTypes.OrderCancelled]: {
    name: 'OrderCancelled',
    topic,
    schema: OrderCancelled,
    description: 'The saga failed (out of stock, payment declined, shipment refused, provider outage) and ran its compensations.',
  },
  [ordersEventTypes.OrderShipped]: {
    name: 'OrderShipped',
    topic,
    schema: OrderShipped,
    description: 'The carrier picked the order up (from shipping’s ItemShipped).',
  },
  [ordersEventTypes.OrderDelivered]: {
    name: 'OrderDelivered',
    topic,
    schema: OrderDelivered,
    description: 'The carrier delivered the order (from shipping’s OrderDelivered).',
  },
} as const satisfies Record<string, EventSpec>;

// ---- routes ----

const problem = (description?: string): RouteResponse => ({
  schema: ProblemDetails,
  contentType: PROBLEM_JSON,
  ...(description ? { description } : {}),
});
const authErrors = { 400: problem(), 401: problem() };

/** Internal routes of the orders service (reached by Dapr service invocation; identity in x-user-id/x-user-role). */
export const ordersRoutes: RouteSpec[] = [
  {
    method: 'POST',
    path: '/orders',
    summary: 'Check out the caller’s cart (orders, internal; Idempotency-Key header required); the saga runs after the answer',
    tags: ['orders'],
    body: OrderCreateRequest,
    security: 'customer',
    responses: {
      201: { schema: OrderAccepted },
      ...authErrors,
      422: problem('ORDER.EMPTY_CART: nothing to order'),
      503: problem("ORDER.BUSY: the order's lock stayed taken (another replica is writing it); retry with the same Idempotency-Key"),
    },
  },
  {
    method: 'GET',
    path: '/orders',
    summary: 'The caller’s orders, newest first (orders, internal)',
    tags: ['orders'],
    query: OrderListQuery,
    security: 'customer',
    responses: { 200: { schema: OrderPage }, ...authErrors },
  },
  {
    method: 'GET',
    path: '/orders/{id}',
    summary: 'One order with its status history (orders, internal; owner or admin, anyone else 404)',
    tags: ['orders'],
    params: OrderParams,
    security: 'customer',
    responses: { 200: { schema: Order }, ...authErrors, 404: problem() },
  },
  {
    method: 'GET',
    path: '/orders/{id}/tracking',
    summary: 'The order’s shipment and carrier events (orders, internal; owner or admin)',
    tags: ['orders'],
    params: OrderParams,
    security: 'customer',
    responses: { 200: { schema: OrderTracking }, ...authErrors, 404: problem() },
  },
  {
    method: 'GET',
    path: '/admin/orders',
    summary:
      'All orders, filtered by status and created_at range, newest first, by keyset: starting_after = the last order id of the previous page (orders, internal; admin)',
    tags: ['orders'],
    query: AdminOrderListQuery,
    security: 'admin',
    responses: { 200: { schema: AdminOrderPage }, ...authErrors, 403: problem() },
  },
];

/** The public face the gateway forwards to the routes above (same bodies and answers). */
export const ordersGatewayRoutes: RouteSpec[] = ordersRoutes.map((r) => ({
  ...r,
  path: `/api${r.path}`,
  summary: r.summary.replace(/ \(orders, internal(; )?/, ' (').replace(' ()', ''),
  tags: ['gateway'],
  // The gateway answers a checkout orders could not take in time (ORDER.BUSY, no answer, a broken hop) itself.
  ...(r.responses[503]
    ? {
        responses: {
          ...r.responses,
          503: problem('CHECKOUT.BUSY: orders did not accept the checkout in time; retry with the same Idempotency-Key (Retry-After)'),
        },
      }
    : {}),
}));
