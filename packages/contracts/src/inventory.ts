import { z } from 'zod';
import { IsoDateTime, PROBLEM_JSON, ProblemDetails } from './common.ts';
import { ProductId, StockPatch } from './products.ts';
import { apiSchemas } from './registry.ts';
import type { RouteResponse, RouteSpec } from './routes.ts';

/**
 * The order id a reservation is keyed by. Orders owns the format; inventory only bounds it, and keeps it to
 * characters that are safe inside a state-store key.
 */
export const ReservationOrderId = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9_.:-]+$/, { error: 'must be 1-64 letters, digits or _ . : -' });

export const StockLevel = z
  .object({
    product_id: ProductId,
    /** Units available now (not counting units held by open reservations). */
    stock_qty: z.int().min(0),
    /** Units held by reservations not yet committed or released. */
    reserved: z.int().min(0),
  })
  .register(apiSchemas, { id: 'StockLevel' });
export type StockLevel = z.infer<typeof StockLevel>;

export const StockLevelList = z.object({ data: z.array(StockLevel) }).register(apiSchemas, { id: 'StockLevelList' });
export type StockLevelList = z.infer<typeof StockLevelList>;

export const StockParams = z.object({ product_id: ProductId });

// `?ids=prd_000001,prd_000002`: each id is checked, so a bad one is named as ids.<index>.
export const StockListQuery = z.object({
  ids: z
    .string({ error: 'ids is required: a comma-separated list of product ids' })
    .transform((s) => s.split(',').map((id) => id.trim()))
    .pipe(z.array(ProductId).min(1).max(100)),
});
export type StockListQuery = z.infer<typeof StockListQuery>;

/** The storefront's stock badges (`GET /api/stock?ids=`): units available per product, without reservations. */
export const PublicStockList = z
  .object({ data: z.array(StockLevel.pick({ product_id: true, stock_qty: true })) })
  .register(apiSchemas, { id: 'PublicStockList' });
export type PublicStockList = z.infer<typeof PublicStockList>;

/** PUT /stock/{product_id}: the seed's admin body `{ stock_qty }`, reused as is. */
export const StockSetRequest = StockPatch;

export const MAX_RESERVATION_LINES = 100;

export const ReservationItem = z
  .object({ product_id: ProductId, quantity: z.int().min(1).max(10_000) })
  .strict()
  .register(apiSchemas, { id: 'ReservationItem' });
export type ReservationItem = z.infer<typeof ReservationItem>;

export const ReservationRequest = z
  .object({
    order_id: ReservationOrderId,
    items: z
      .array(ReservationItem)
      .min(1)
      .max(MAX_RESERVATION_LINES)
      .superRefine((items, ctx) => {
        // One line per product: a repeat with the same order id is compared line by line.
        const seen = new Set<string>();
        items.forEach((item, i) => {
          if (seen.has(item.product_id)) ctx.addIssue({ code: 'custom', path: [i, 'product_id'], message: 'appears on two lines' });
          seen.add(item.product_id);
        });
      }),
    /** How long the units are held before the expiry sweep releases them; default 15 minutes. */
    ttl_seconds: z.int().min(1).max(86_400).optional(),
  })
  .strict()
  .register(apiSchemas, { id: 'ReservationRequest', description: 'Reserve every line of an order, or none (idempotent by order_id).' });
export type ReservationRequest = z.infer<typeof ReservationRequest>;

export const ReservationStatus = z.enum(['pending', 'reserved', 'committed', 'released']);
export type ReservationStatus = z.infer<typeof ReservationStatus>;

export const Reservation = z
  .object({
    order_id: ReservationOrderId,
    status: ReservationStatus,
    items: z.array(ReservationItem),
    expires_at: IsoDateTime,
  })
  .register(apiSchemas, { id: 'Reservation' });
export type Reservation = z.infer<typeof Reservation>;

export const ReservationParams = z.object({ order_id: ReservationOrderId });

export const ReservationOutcome = z
  .object({ status: z.enum(['committed', 'released']) })
  .register(apiSchemas, { id: 'ReservationOutcome' });
export type ReservationOutcome = z.infer<typeof ReservationOutcome>;

/** Stable problem `code`s inventory answers with (besides REQUEST.INVALID and the AUTH ones). */
export const inventoryErrorCodes = {
  InsufficientStock: 'INVENTORY.INSUFFICIENT_STOCK',
  OrderIdReused: 'INVENTORY.ORDER_ID_REUSED',
  ReservationReleased: 'INVENTORY.RESERVATION_RELEASED',
  ReservationCommitted: 'INVENTORY.RESERVATION_COMMITTED',
  ReservationPending: 'INVENTORY.RESERVATION_PENDING',
  ReservationNotFound: 'INVENTORY.RESERVATION_NOT_FOUND',
  Busy: 'INVENTORY.BUSY',
} as const;

/**
 * Inventory publishes StockUpdated (already in events.ts's eventCatalog, CloudEvent id
 * `stock:{product_id}:{revision}`) and subscribes to orders' OrderCancelled: it adds no event type of its own.
 */
export const inventoryEvents = {} as const;

const problem = (description?: string): RouteResponse => ({
  schema: ProblemDetails,
  contentType: PROBLEM_JSON,
  ...(description ? { description } : {}),
});

export const inventoryRoutes: RouteSpec[] = [
  {
    method: 'GET',
    path: '/api/stock',
    summary: 'Units available of up to 100 products (the storefront stock badges)',
    tags: ['gateway'],
    query: StockListQuery,
    responses: { 200: { schema: PublicStockList }, 400: problem() },
  },
  {
    method: 'GET',
    path: '/stock/{product_id}',
    summary: 'Stock of one product (inventory, internal); an unknown product has stock_qty 0',
    tags: ['inventory'],
    params: StockParams,
    responses: { 200: { schema: StockLevel }, 400: problem() },
  },
  {
    method: 'GET',
    path: '/stock',
    summary: 'Stock of up to 100 products (inventory, internal)',
    tags: ['inventory'],
    query: StockListQuery,
    responses: { 200: { schema: StockLevelList }, 400: problem() },
  },
  {
    method: 'PUT',
    path: '/stock/{product_id}',
    summary: 'Set the units available now (inventory, internal; admin); publishes StockUpdated',
    tags: ['inventory'],
    params: StockParams,
    body: StockSetRequest,
    security: 'admin',
    responses: { 200: { schema: StockLevel }, 400: problem(), 401: problem(), 403: problem(), 503: problem('Too much contention; retry') },
  },
  {
    method: 'POST',
    path: '/reservations',
    summary: 'Reserve every line of an order or none (inventory, internal; idempotent by order_id)',
    tags: ['inventory'],
    body: ReservationRequest,
    responses: {
      200: { schema: Reservation, description: 'The same order_id again: the reservation already made' },
      201: { schema: Reservation },
      400: problem(),
      409: problem('INVENTORY.INSUFFICIENT_STOCK (details.product_ids), ORDER_ID_REUSED or RESERVATION_RELEASED'),
      503: problem('Too much contention; retry with the same order_id'),
    },
  },
  {
    method: 'POST',
    path: '/reservations/{order_id}/commit',
    summary: 'The reserved units leave for good (inventory, internal; idempotent)',
    tags: ['inventory'],
    params: ReservationParams,
    responses: {
      200: { schema: ReservationOutcome },
      400: problem(),
      404: problem('No such reservation'),
      409: problem('Released (expired or cancelled) or still pending'),
    },
  },
  {
    method: 'POST',
    path: '/reservations/{order_id}/release',
    summary: 'Put the reserved units back (inventory, internal; idempotent, unknown order_id is 200 too)',
    tags: ['inventory'],
    params: ReservationParams,
    responses: { 200: { schema: ReservationOutcome }, 400: problem(), 409: problem('Already committed') },
  },
];
