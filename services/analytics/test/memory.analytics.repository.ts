// AnalyticsRepository in memory (unit tests only), with the same duplicate-id rule as the MongoDB adapter.
import type { PendingDoc } from '../src/analytics.model.ts';
import type { AnalyticsRepository } from '../src/analytics.repository.ts';
import type { Bucket, Fact, OrderView } from '../src/analytics.rules.ts';

const copy = <T>(v: T): T => structuredClone(v);
const inRange = (d: Date, from: Date, to: Date) => d.getTime() >= from.getTime() && d.getTime() < to.getTime();

export interface MemoryAnalyticsRepository extends AnalyticsRepository {
  facts: Map<string, Fact>;
  pendingDocs: Map<string, PendingDoc>;
  bucketDocs: Map<string, Bucket>;
  orders: Map<string, OrderView>;
  /** Read-model writes: all, and bucket writes only. */
  writes: number;
  bucketWrites: number;
}

/** `jitterMs`: each read-model read and write waits a random 0..jitterMs, so concurrent applies really interleave. */
export function memoryAnalyticsRepository({ jitterMs = 0 } = {}): MemoryAnalyticsRepository {
  const jitter = () => (jitterMs > 0 ? new Promise((r) => setTimeout(r, Math.random() * jitterMs)) : Promise.resolve());
  const facts = new Map<string, Fact>();
  const pendingDocs = new Map<string, PendingDoc>();
  const bucketDocs = new Map<string, Bucket>();
  const orders = new Map<string, OrderView>();
  const repo: MemoryAnalyticsRepository = {
    facts,
    pendingDocs,
    bucketDocs,
    orders,
    writes: 0,
    bucketWrites: 0,
    async insertFact(fact) {
      if (facts.has(fact._id)) return false;
      facts.set(fact._id, copy(fact));
      return true;
    },
    async fact(id) {
      const f = facts.get(id);
      return f && copy(f);
    },
    async markApplied(id, at) {
      const f = facts.get(id);
      if (f) f.applied_at = at;
    },
    async markPending(marker) {
      pendingDocs.set(marker._id, copy(marker));
    },
    async clearPending(id) {
      pendingDocs.delete(id);
    },
    async pending() {
      return [...pendingDocs.values()].map(copy);
    },
    async bucket(id) {
      await jitter();
      const b = bucketDocs.get(id);
      return b && copy(b);
    },
    async putBucket(bucket) {
      const doc = copy(bucket);
      await jitter();
      repo.writes += 1;
      repo.bucketWrites += 1;
      bucketDocs.set(bucket._id, doc);
    },
    async order(id) {
      await jitter();
      const o = orders.get(id);
      return o && copy(o);
    },
    async putOrder(order) {
      const doc = copy(order);
      await jitter();
      repo.writes += 1;
      orders.set(order._id, doc);
    },
    async buckets(granularity, firstStart, endBefore) {
      return [...bucketDocs.values()].filter((b) => b.granularity === granularity && inRange(b.start, firstStart, endBefore)).map(copy);
    },
    async statusCounts(from, to) {
      const counts: Record<string, number> = {};
      for (const o of orders.values()) if (inRange(o.placed_at, from, to)) counts[o.status] = (counts[o.status] ?? 0) + 1;
      return counts;
    },
  };
  return repo;
}
