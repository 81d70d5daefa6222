import { StateConflictError, type StateStore, casUpdate, createIfAbsent, type CasOptions } from '@globalmart/platform';
import { commitHold, putBack, setAvailable, stockLevel, take, type Stock } from './stock.rules.ts';

export type TakeResult = { kind: 'taken'; stock: Stock } | { kind: 'held' } | { kind: 'short'; available: number };

/** Stock per product in the Dapr state store: every change is read → rule → save-with-etag, retried on conflict. */
export interface StockRepository {
  level(productId: string): Promise<ReturnType<typeof stockLevel>>;
  levels(productIds: string[]): Promise<ReturnType<typeof stockLevel>[]>;
  /** Sets the units available now; returns the new record. */
  set(productId: string, qty: number): Promise<Stock>;
  /** Creates the record only where none exists (demo seed); true when it did. */
  seedIfAbsent(productId: string, qty: number): Promise<boolean>;
  take(productId: string, orderId: string, qty: number): Promise<TakeResult>;
  /** The new record when units went back, undefined when the order held none here. */
  putBack(productId: string, orderId: string): Promise<Stock | undefined>;
  commit(productId: string, orderId: string): Promise<Stock | undefined>;
}

export const stockKey = (productId: string) => `stock:${productId}`;

export function stockRepository(store: StateStore, cas: CasOptions): StockRepository {
  const read = async (productId: string) => (await store.get<Stock>(stockKey(productId)))?.value;
  const change = <R>(productId: string, decide: (s: Stock | undefined) => { next: Stock; result: R } | { result: R }) =>
    casUpdate(store, stockKey(productId), decide, cas);
  return {
    level: async (productId) => stockLevel(productId, await read(productId)),
    levels: (productIds) => Promise.all(productIds.map(async (id) => stockLevel(id, await read(id)))),
    set: (productId, qty) =>
      change(productId, (s) => {
        const next = setAvailable(s, qty);
        return { next, result: next };
      }),
    async seedIfAbsent(productId, qty) {
      if (await read(productId)) return false;
      try {
        await createIfAbsent(store, stockKey(productId), setAvailable(undefined, qty));
        return true;
      } catch (err) {
        if (err instanceof StateConflictError) return false; // created meanwhile (an admin, another replica)
        throw err;
      }
    },
    take: (productId, orderId, qty) =>
      change<TakeResult>(productId, (s) => {
        const outcome = take(s, orderId, qty);
        return outcome.kind === 'taken' ? { next: outcome.stock, result: outcome } : { result: outcome };
      }),
    putBack: (productId, orderId) =>
      change(productId, (s) => {
        const next = putBack(s, orderId);
        return next ? { next, result: next } : { result: undefined };
      }),
    commit: (productId, orderId) =>
      change(productId, (s) => {
        const next = commitHold(s, orderId);
        return next ? { next, result: next } : { result: undefined };
      }),
  };
}
