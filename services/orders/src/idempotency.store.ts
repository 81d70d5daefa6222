import { createHash } from 'node:crypto';
import { StateConflictError, createIfAbsent, type SidecarMetadata, type StateStore } from '@globalmart/platform';
import type { Order } from './order.types.ts';

/**
 * State store types on which the claim (a first-write save at etag "0") is an atomic insert-if-absent. state.redis:
 * the etag check and the write are one Lua script (components-contrib 1.18 state/redis `setDefaultQuery`): a missing
 * key takes etag "0", a key saved under first-write concurrency (every claim is) refuses it; racing checkouts with one
 * key are tested on it (tests/system/orders.test.ts). Not PostgreSQL and the like: they refuse any etag on a missing
 * key, and createIfAbsent then falls back to a plain save, last write wins. Add a type only with a test that races
 * claims on a real store of that type.
 */
export const ATOMIC_CLAIM_STORES: readonly string[] = ['state.redis'];

/** Thrown at startup when the state store is not one where claims are atomic. */
export class UnsafeIdempotencyStoreError extends Error {
  constructor(storeName: string, type: string | undefined) {
    super(
      type === undefined
        ? `the sidecar has no state store named "${storeName}": orders keeps its Idempotency-Key claims there`
        : `the state store "${storeName}" is ${type}, where an Idempotency-Key claim is not atomic (two racing checkouts ` +
            `could both win); orders runs only on ${ATOMIC_CLAIM_STORES.join(', ')}`,
    );
    this.name = 'UnsafeIdempotencyStoreError';
  }
}

/** Asks the sidecar which component `storeName` is, and refuses (throws) unless claims are atomic on its type. */
export async function assertAtomicClaims(metadata: SidecarMetadata, storeName: string): Promise<string> {
  const component = (await metadata.components()).find((c) => c.name === storeName);
  if (!component || !ATOMIC_CLAIM_STORES.includes(component.type)) throw new UnsafeIdempotencyStoreError(storeName, component?.type);
  return component.type;
}

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
