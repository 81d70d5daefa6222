import { casUpdate, type CasOptions } from '@globalmart/platform';
import type { StateStore } from '@globalmart/platform';

/** order_id → when the sweep should look at it next (epoch ms). */
type Shard = Record<string, number>;

/**
 * The sweep's work list: the state store has no key scan, so the reservations that still need a look are listed
 * here, spread over a few keys so concurrent reservations rarely contend for the same one. An order is listed
 * before its record is written and stays listed until it is final and settled, so nothing escapes the sweep.
 */
export interface ReservationIndex {
  /** Lists the order (or moves it) to be looked at from `dueMs` on. */
  schedule(orderId: string, dueMs: number): Promise<void>;
  remove(orderId: string): Promise<void>;
  /** Orders due at `nowMs`, earliest first. */
  due(nowMs: number, limit?: number): Promise<string[]>;
}

export const INDEX_SHARDS = 16;
const shardKey = (n: number) => `reservations:index:${n}`;

/** FNV-1a: a stable spread of order ids over the shards. */
export function shardOf(orderId: string, shards = INDEX_SHARDS): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < orderId.length; i++) hash = Math.imul(hash ^ orderId.charCodeAt(i), 0x01000193);
  return (hash >>> 0) % shards;
}

export function reservationIndex(store: StateStore, cas: CasOptions): ReservationIndex {
  const update = (orderId: string, decide: (shard: Shard) => Shard | undefined) =>
    casUpdate<Shard, void>(
      store,
      shardKey(shardOf(orderId)),
      (current) => {
        const next = decide(current ?? {});
        return next ? { next, result: undefined } : { result: undefined };
      },
      cas,
    );
  return {
    schedule: (orderId, dueMs) => update(orderId, (shard) => (shard[orderId] === dueMs ? undefined : { ...shard, [orderId]: dueMs })),
    remove: (orderId) =>
      update(orderId, (shard) => {
        if (!Object.hasOwn(shard, orderId)) return undefined;
        const { [orderId]: _removed, ...rest } = shard;
        return rest;
      }),
    async due(nowMs, limit = 500) {
      const shards = await Promise.all(Array.from({ length: INDEX_SHARDS }, (_, n) => store.get<Shard>(shardKey(n))));
      return shards
        .flatMap((entry) => Object.entries(entry?.value ?? {}))
        .filter(([, dueMs]) => dueMs <= nowMs)
        .sort(([, a], [, b]) => a - b)
        .slice(0, limit)
        .map(([orderId]) => orderId);
    },
  };
}
