// Cart rules as plain functions: no Express, no Dapr. Money is integer minor units here; decimals only in the view.
import { MAX_CART_LINE_QUANTITY, MAX_CART_LINES, type Cart } from '@globalmart/contracts';

export interface CartLineDoc {
  product_id: string;
  name: string;
  quantity: number;
  unit_price_minor: number;
  currency: string;
}

/** The stored cart (state key `cart:{user_id}`). */
export interface CartDoc {
  user_id: string;
  items: CartLineDoc[];
  /** OrderPlaced events already applied (newest last, bounded): a redelivery changes nothing. */
  placed_orders: string[];
  /** Keyed requests already applied (newest last, bounded): a retried or repeated request changes nothing. Absent in carts saved before keys. */
  applied_ops?: AppliedOp[];
  updated_at: string;
}

/**
 * One applied request: its Idempotency-Key and what it asked (`add prd_1 2`, `set prd_1 0`, `remove prd_1`), so the
 * same key sent with another request is told apart from a repeat.
 */
export interface AppliedOp {
  key: string;
  op: string;
}

/** What catalog says about a product, in minor units. */
export interface ProductInfo {
  product_id: string;
  name: string;
  unit_price_minor: number;
  currency: string;
}

export type CartProblem =
  | { code: 'CART.TOO_MANY_LINES'; max: number }
  | { code: 'CART.QUANTITY_LIMIT'; max: number; quantity: number }
  | { code: 'CART.INSUFFICIENT_STOCK'; product_id: string; available: number; requested: number }
  | { code: 'CART.CURRENCY_MISMATCH'; cart_currency: string }
  | { code: 'CART.LINE_NOT_FOUND'; product_id: string };

export type CartChange = { ok: true; cart: CartDoc } | { ok: false; problem: CartProblem };

const PLACED_ORDERS_KEPT = 50;
/** Dapr's retries of one call end within ~25 s (4 attempts of at most 5 s); 50 keys cover any customer's pace. */
export const APPLIED_OPS_KEPT = 50;

/** Catalog prices are decimals with at most 2 places; rounding removes the binary-float error (19.99 → 1999). */
export const toMinor = (price: number) => Math.round(price * 100);
export const fromMinor = (minor: number) => minor / 100;

export const emptyCart = (userId: string, now: Date): CartDoc => ({
  user_id: userId,
  items: [],
  placed_orders: [],
  updated_at: now.toISOString(),
});

/** Puts the line at `quantity` units with the product's current name and price, checking every limit. */
function withLine(cart: CartDoc, product: ProductInfo, quantity: number, available: number, now: Date): CartChange {
  const others = cart.items.filter((l) => l.product_id !== product.product_id);
  const existing = others.length !== cart.items.length;
  if (!existing && cart.items.length >= MAX_CART_LINES) return { ok: false, problem: { code: 'CART.TOO_MANY_LINES', max: MAX_CART_LINES } };
  if (quantity > MAX_CART_LINE_QUANTITY)
    return { ok: false, problem: { code: 'CART.QUANTITY_LIMIT', max: MAX_CART_LINE_QUANTITY, quantity } };
  if (quantity > available) {
    return { ok: false, problem: { code: 'CART.INSUFFICIENT_STOCK', product_id: product.product_id, available, requested: quantity } };
  }
  const currency = others[0]?.currency;
  if (currency && currency !== product.currency) return { ok: false, problem: { code: 'CART.CURRENCY_MISMATCH', cart_currency: currency } };
  const line: CartLineDoc = { ...product, quantity };
  // An existing line keeps its place; a new one goes last.
  const items = existing ? cart.items.map((l) => (l.product_id === product.product_id ? line : l)) : [...cart.items, line];
  return { ok: true, cart: { ...cart, items, updated_at: now.toISOString() } };
}

/** Adds units to the product's line (new total checked against `available`, the units in stock now). */
export function addItem(cart: CartDoc, product: ProductInfo, quantity: number, available: number, now: Date): CartChange {
  const current = cart.items.find((l) => l.product_id === product.product_id)?.quantity ?? 0;
  return withLine(cart, product, current + quantity, available, now);
}

/** Sets an existing line's quantity (refreshing its price); 0 is removeItem. */
export function setQuantity(cart: CartDoc, product: ProductInfo, quantity: number, available: number, now: Date): CartChange {
  if (!cart.items.some((l) => l.product_id === product.product_id)) {
    return { ok: false, problem: { code: 'CART.LINE_NOT_FOUND', product_id: product.product_id } };
  }
  return withLine(cart, product, quantity, available, now);
}

/** undefined when the line is not there (nothing to write). */
export function removeItem(cart: CartDoc, productId: string, now: Date): CartDoc | undefined {
  const items = cart.items.filter((l) => l.product_id !== productId);
  return items.length === cart.items.length ? undefined : { ...cart, items, updated_at: now.toISOString() };
}

/**
 * The order took these units out of the cart: each line loses the quantity ordered (and goes when none is left),
 * so what the customer added after checking out stays. undefined when the order was applied before.
 */
export function applyOrderPlaced(cart: CartDoc, order: { order_id: string; items: { product_id: string; quantity: number }[] }, now: Date) {
  if (cart.placed_orders.includes(order.order_id)) return undefined;
  const ordered = new Map<string, number>();
  for (const i of order.items) ordered.set(i.product_id, (ordered.get(i.product_id) ?? 0) + i.quantity);
  const items = cart.items.map((l) => ({ ...l, quantity: l.quantity - (ordered.get(l.product_id) ?? 0) })).filter((l) => l.quantity > 0);
  const placed_orders = [...cart.placed_orders, order.order_id].slice(-PLACED_ORDERS_KEPT);
  return { ...cart, items, placed_orders, updated_at: now.toISOString() };
}

/**
 * What an Idempotency-Key finds in the cart: `repeat` (this request was applied: answer the cart as it is),
 * `reused` (the key was applied to another request: refuse), or undefined (a new request).
 */
export function priorOp(cart: CartDoc, key: string, op: string): 'repeat' | 'reused' | undefined {
  const seen = cart.applied_ops?.find((o) => o.key === key);
  if (!seen) return undefined;
  return seen.op === op ? 'repeat' : 'reused';
}

/** The cart with the request's key remembered, saved with the change it made (one etag-checked write). */
export function rememberOp(cart: CartDoc, key: string, op: string): CartDoc {
  return { ...cart, applied_ops: [...(cart.applied_ops ?? []), { key, op }].slice(-APPLIED_OPS_KEPT) };
}

/** The API view: totals summed in minor units, shown as decimals. */
export function cartView(cart: CartDoc, defaultCurrency: string): Cart {
  const items = cart.items.map((l) => ({
    product_id: l.product_id,
    name: l.name,
    quantity: l.quantity,
    unit_price: fromMinor(l.unit_price_minor),
    currency: l.currency,
    line_total: fromMinor(l.unit_price_minor * l.quantity),
  }));
  const totalMinor = cart.items.reduce((sum, l) => sum + l.unit_price_minor * l.quantity, 0);
  return {
    user_id: cart.user_id,
    items,
    total: fromMinor(totalMinor),
    currency: cart.items[0]?.currency ?? defaultCurrency,
    item_count: cart.items.reduce((sum, l) => sum + l.quantity, 0),
  };
}
