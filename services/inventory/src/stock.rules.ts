// Stock rules as plain functions: no Express, no Dapr. The repository runs them inside an etag CAS loop.

/** A product's stock record (state key `stock:{product_id}`). Invariant: reserved === sum of holds. */
export interface Stock {
  /** Units that can be reserved now. */
  available: number;
  /** Units held by reservations that are neither committed nor released. */
  reserved: number;
  /**
   * order_id → units held for it. The stock record itself remembers who took what, so taking, putting back and
   * committing are idempotent per (order, product): a retried, resumed or concurrent step never counts twice.
   */
  holds: Record<string, number>;
  /** Bumped on every change; StockUpdated events carry it in their id so consumers can dedupe and order them. */
  rev: number;
}

export const emptyStock = (): Stock => ({ available: 0, reserved: 0, holds: {}, rev: 0 });

export type TakeOutcome = { kind: 'taken'; stock: Stock } | { kind: 'held' } | { kind: 'short'; available: number };

export function heldFor(stock: Stock | undefined, orderId: string): number {
  return stock && Object.hasOwn(stock.holds, orderId) ? (stock.holds[orderId] ?? 0) : 0;
}

// Computed keys and rest-destructuring keep an order id such as "__proto__" an ordinary own key.
const withHold = (holds: Record<string, number>, orderId: string, qty: number) => ({ ...holds, [orderId]: qty });
const withoutHold = (holds: Record<string, number>, orderId: string) => {
  const { [orderId]: _dropped, ...rest } = holds;
  return rest;
};

/** Hold `qty` units for the order, unless it already holds some (then nothing changes) or too few are available. */
export function take(stock: Stock | undefined, orderId: string, qty: number): TakeOutcome {
  const current = stock ?? emptyStock();
  if (heldFor(current, orderId) > 0) return { kind: 'held' };
  if (current.available < qty) return { kind: 'short', available: current.available };
  return {
    kind: 'taken',
    stock: {
      available: current.available - qty,
      reserved: current.reserved + qty,
      holds: withHold(current.holds, orderId, qty),
      rev: current.rev + 1,
    },
  };
}

/** The order's held units go back to available; undefined when it holds none (nothing to write). */
export function putBack(stock: Stock | undefined, orderId: string): Stock | undefined {
  const qty = heldFor(stock, orderId);
  if (!stock || qty === 0) return undefined;
  return { available: stock.available + qty, reserved: stock.reserved - qty, holds: withoutHold(stock.holds, orderId), rev: stock.rev + 1 };
}

/** The order's held units leave for good (sold); undefined when it holds none. */
export function commitHold(stock: Stock | undefined, orderId: string): Stock | undefined {
  const qty = heldFor(stock, orderId);
  if (!stock || qty === 0) return undefined;
  return { available: stock.available, reserved: stock.reserved - qty, holds: withoutHold(stock.holds, orderId), rev: stock.rev + 1 };
}

/** An admin sets the units available now; units already held stay held. */
export function setAvailable(stock: Stock | undefined, qty: number): Stock {
  const current = stock ?? emptyStock();
  return { ...current, available: qty, rev: current.rev + 1 };
}

/** The API view: stock_qty is what can be bought now. */
export function stockLevel(productId: string, stock: Stock | undefined) {
  return { product_id: productId, stock_qty: stock?.available ?? 0, reserved: stock?.reserved ?? 0 };
}
