import { z } from 'zod';
import { Amount, Currency, PROBLEM_JSON, Price, ProblemDetails } from './common.ts';
import { ProductId, ProductIdParams } from './products.ts';
import { apiSchemas } from './registry.ts';
import type { RouteResponse, RouteSpec } from './routes.ts';

export const MAX_CART_LINES = 50;
export const MAX_CART_LINE_QUANTITY = 99;

/** Identity owns the user id format; the cart only bounds it to what is safe inside a state-store key. */
export const CartOwnerId = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9_.:-]+$/, { error: 'must be 1-64 letters, digits or _ . : -' });

export const CartParams = z.object({ user_id: CartOwnerId });
export const CartItemParams = z.object({ user_id: CartOwnerId, product_id: ProductId });

export const CartItemAdd = z
  .object({ product_id: ProductId, quantity: z.int().min(1).max(MAX_CART_LINE_QUANTITY) })
  .strict()
  .register(apiSchemas, { id: 'CartItemAdd', description: 'Adds `quantity` units to the line of `product_id` (created if absent).' });
export type CartItemAdd = z.infer<typeof CartItemAdd>;

export const CartItemPatch = z
  .object({ quantity: z.int().min(0).max(MAX_CART_LINE_QUANTITY) })
  .strict()
  .register(apiSchemas, { id: 'CartItemPatch', description: "Sets the line's quantity; 0 removes the line." });
export type CartItemPatch = z.infer<typeof CartItemPatch>;

export const CartLine = z
  .object({
    product_id: ProductId,
    name: z.string(),
    quantity: z.int().min(1).max(MAX_CART_LINE_QUANTITY),
    unit_price: Price,
    currency: Currency,
    line_total: Amount,
  })
  .register(apiSchemas, { id: 'CartLine' });
export type CartLine = z.infer<typeof CartLine>;

export const Cart = z
  .object({
    user_id: CartOwnerId,
    items: z.array(CartLine).max(MAX_CART_LINES),
    /** Sum of the line totals, computed in minor units (no float drift). */
    total: Amount,
    currency: Currency,
    /** Units in the cart (the sum of the quantities). */
    item_count: z.int().min(0),
  })
  .register(apiSchemas, { id: 'Cart', description: 'Prices and names as catalog gave them when the line was last added or changed.' });
export type Cart = z.infer<typeof Cart>;

/** Stable problem `code`s the cart answers with (besides REQUEST.INVALID and the AUTH ones). */
export const cartErrorCodes = {
  NotFound: 'CART.NOT_FOUND',
  ProductNotFound: 'CART.PRODUCT_NOT_FOUND',
  LineNotFound: 'CART.LINE_NOT_FOUND',
  InsufficientStock: 'CART.INSUFFICIENT_STOCK',
  TooManyLines: 'CART.TOO_MANY_LINES',
  QuantityLimit: 'CART.QUANTITY_LIMIT',
  CurrencyMismatch: 'CART.CURRENCY_MISMATCH',
  IdempotencyKeyReused: 'CART.IDEMPOTENCY_KEY_REUSED',
  Busy: 'CART.BUSY',
} as const;

const problem = (description?: string): RouteResponse => ({
  schema: ProblemDetails,
  contentType: PROBLEM_JSON,
  ...(description ? { description } : {}),
});
const denied = { 400: problem(), 401: problem(), 404: problem("Not the caller's cart (or no such product)") };
const busy = { 503: problem('CART.BUSY: the cart kept changing under the update; retry') };
/** Every change takes an optional Idempotency-Key header (the gateway sends one per request; see ADR 0005). */
const KEYED = '; an Idempotency-Key already applied answers the cart unchanged';
const keyReused = 'CART.IDEMPOTENCY_KEY_REUSED: the Idempotency-Key was applied to another change';

export const cartRoutes: RouteSpec[] = [
  {
    method: 'GET',
    path: '/carts/{user_id}',
    summary: "A user's cart, empty when none (cart, internal; the user or an admin)",
    tags: ['cart'],
    params: CartParams,
    security: 'customer',
    responses: { 200: { schema: Cart }, ...denied },
  },
  {
    method: 'POST',
    path: '/carts/{user_id}/items',
    summary: `Add units of a product; price and name from catalog, quantity checked against stock${KEYED} (cart, internal)`,
    tags: ['cart'],
    params: CartParams,
    body: CartItemAdd,
    security: 'customer',
    responses: {
      200: { schema: Cart },
      ...denied,
      409: problem('CART.INSUFFICIENT_STOCK (details.available) or CART.CURRENCY_MISMATCH'),
      422: problem(`CART.TOO_MANY_LINES or CART.QUANTITY_LIMIT, or ${keyReused}`),
      ...busy,
    },
  },
  {
    method: 'PATCH',
    path: '/carts/{user_id}/items/{product_id}',
    summary: `Set a line's quantity; 0 removes it; 404 CART.LINE_NOT_FOUND when the line is absent${KEYED} (cart, internal)`,
    tags: ['cart'],
    params: CartItemParams,
    body: CartItemPatch,
    security: 'customer',
    responses: {
      200: { schema: Cart },
      ...denied,
      409: problem('CART.INSUFFICIENT_STOCK (details.available)'),
      422: problem(keyReused),
      ...busy,
    },
  },
  {
    method: 'DELETE',
    path: '/carts/{user_id}/items/{product_id}',
    summary: `Remove a line${KEYED} (cart, internal; removing an absent line is not an error)`,
    tags: ['cart'],
    params: CartItemParams,
    security: 'customer',
    responses: { 200: { schema: Cart }, ...denied, 422: problem(keyReused), ...busy },
  },
  {
    method: 'DELETE',
    path: '/carts/{user_id}',
    summary: 'Empty the cart (cart, internal)',
    tags: ['cart'],
    params: CartParams,
    security: 'customer',
    responses: { 204: { description: 'Emptied' }, ...denied, ...busy },
  },
];

/**
 * The public face of the cart: the gateway answers /api/cart for the signed-in customer (the user id comes from the
 * token, never from the path) by forwarding to the routes above, with the same bodies and answers.
 */
export const cartGatewayRoutes: RouteSpec[] = cartRoutes
  .filter((r) => r.path.startsWith('/carts/{user_id}/items') || (r.method === 'GET' && r.path === '/carts/{user_id}'))
  .map(({ params, responses: { 503: busyAtCart, ...responses }, ...r }) => ({
    ...r,
    // The kit turns a downstream 5xx into 502 UPSTREAM.FAILED: CART.BUSY is not passed through.
    responses: busyAtCart
      ? { ...responses, 502: problem('UPSTREAM.FAILED: the cart failed or stayed busy (CART.BUSY); retry') }
      : responses,
    path: r.path.replace('/carts/{user_id}', '/api/cart').replace('{product_id}', '{id}'),
    summary: r.summary.replace(/ \(cart, internal(; [^)]*)?\)/, '').replace("A user's cart", "The caller's cart"),
    tags: ['gateway'],
    ...(params === CartItemParams ? { params: ProductIdParams } : {}),
  }));
