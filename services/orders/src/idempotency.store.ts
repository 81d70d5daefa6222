import { createHash } from 'node:crypto';
import { StateConflictError, createIfAbsent, type StateStore } from '@globalmart/platform';
import type { Order } from './order.types.ts';

interface IdempotencyRecord {
  order: Order;
}

/**
 * `idem:{user_id}:{key}` → the order that key created, in the Dapr state store (Redis, etag CAS), not in FerretDB:
 * FerretDB loses concurrent conditional writes, and two racing requests with one key must yield one order.
 * The record holds the whole drafted order, so a request that finds the key after its creator crashed (before
 * the document was written or the saga started) can finish the job instead of waiting for it.
 */
export class IdempotencyStore {
  readonly #state: StateStore;
  readonly #ttlSeconds: number;

  constructor(state: StateStore, ttlSeconds: number) {
    this.#state = state;
    this.#ttlSeconds = ttlSeconds;
  }

  // Hashed: a client's key may hold any printable character, a state key should not.
  #key(userId: string, idempotencyKey: string): string {
    return `idem:${userId}:${createHash('sha256').update(idempotencyKey).digest('hex').slice(0, 40)}`;
  }

  async find(userId: string, idempotencyKey: string): Promise<Order | undefined> {
    return (await this.#state.get<IdempotencyRecord>(this.#key(userId, idempotencyKey)))?.value.order;
  }

  /** Records `order` under the key unless one is there already; answers the order that won either way. */
  async claim(userId: string, idempotencyKey: string, order: Order): Promise<{ won: boolean; order: Order }> {
    const key = this.#key(userId, idempotencyKey);
    try {
      // An atomic insert-if-absent on Redis (first-write save at etag "0"): of two racing requests one wins.
      await createIfAbsent<IdempotencyRecord>(this.#state, key, { order }, this.#ttlSeconds);
      return { won: true, order };
    } catch (err) {
      const existing = err instanceof StateConflictError ? await this.#state.get<IdempotencyRecord>(key) : undefined;
      if (!existing) throw err;
      return { won: false, order: existing.value.order };
    }
  }
}
