import type { mongo } from 'mongoose';
import type { AnalyticsModels, OrderViewDoc, PendingDoc } from './analytics.model.ts';
import type { Bucket, Fact, OrderView } from './analytics.rules.ts';
import { bucketEnd, bucketId, bucketStart, type Granularity } from './buckets.ts';

/** How many bucket reads a report keeps in flight. */
const REPORT_READS_IN_FLIGHT = 16;

/**
 * The storage port. Everything on the event path is by _id (the only filter FerretDB 1.24 on SQLite does not answer
 * with a full collection scan): facts are inserted once (and marked applied), read models are read and replaced whole.
 */
export interface AnalyticsRepository {
  /** false when a fact with this id is already stored (a redelivery). */
  insertFact(fact: Fact): Promise<boolean>;
  fact(id: string): Promise<Fact | undefined>;
  markApplied(id: string, at: Date): Promise<void>;
  /** Pending markers: upserted before a fact is stored, deleted once it is applied everywhere. */
  markPending(marker: PendingDoc): Promise<void>;
  clearPending(id: string): Promise<void>;
  /** Every pending marker (a scan of the small `pending` collection: the rollup's only query). */
  pending(): Promise<PendingDoc[]>;
  bucket(id: string): Promise<Bucket | undefined>;
  putBucket(bucket: Bucket): Promise<void>;
  order(id: string): Promise<OrderView | undefined>;
  putOrder(order: OrderView): Promise<void>;
  /**
   * Reports: buckets of a granularity whose start is in [firstStart, endBefore), in no particular order. Read by their
   * computed _ids (one per hour or day of the range, most absent), so the cost is the range's, not the data's.
   */
  buckets(granularity: Granularity, firstStart: Date, endBefore: Date): Promise<Bucket[]>;
  /**
   * Reports: orders placed in [from, to), counted by current status. Read day by day by the views' `placed_day` key
   * (an equality, index-backed), so the cost is the orders placed in the range, not every order stored.
   */
  statusCounts(from: Date, to: Date): Promise<Record<string, number>>;
}

/** The stored form of an order view (placed_at may still move: recomputed on every write). */
export const toOrderViewDoc = (view: OrderView): OrderViewDoc => ({
  ...view,
  placed_day: bucketId('day', bucketStart('day', view.placed_at)),
});

const isDuplicateKey = (err: unknown) => (err as { code?: number }).code === 11000 || /E11000/.test(String(err));

/**
 * MongoDB-wire adapter (FerretDB locally), on the driver's collections (no mongoose casting on the hot path). Only
 * inserts, finds and whole-document replaceOne upserts by _id, one $set of applied_at by _id, and deletes by _id: no
 * $inc and no conditional update, which FerretDB would apply non-atomically (ADR 0001).
 */
export function mongoAnalyticsRepository(m: AnalyticsModels): AnalyticsRepository {
  const facts = m.facts.collection as unknown as mongo.Collection<Fact>;
  const pending = m.pending.collection as unknown as mongo.Collection<PendingDoc>;
  const buckets = m.buckets.collection as unknown as mongo.Collection<Bucket>;
  const orders = m.orders.collection as unknown as mongo.Collection<OrderViewDoc>;
  const orNone = <T>(doc: T | null) => doc ?? undefined;
  return {
    async insertFact(fact) {
      try {
        await facts.insertOne(fact);
        return true;
      } catch (err) {
        if (isDuplicateKey(err)) return false;
        throw err;
      }
    },
    fact: async (id) => orNone((await facts.findOne({ _id: id })) as Fact | null),
    async markApplied(id, at) {
      await facts.updateOne({ _id: id }, { $set: { applied_at: at } });
    },
    async markPending(marker) {
      await pending.replaceOne({ _id: marker._id }, marker, { upsert: true });
    },
    async clearPending(id) {
      await pending.deleteOne({ _id: id });
    },
    pending: async () => (await pending.find({}).toArray()) as PendingDoc[],
    bucket: async (id) => orNone((await buckets.findOne({ _id: id })) as Bucket | null),
    async putBucket(bucket) {
      await buckets.replaceOne({ _id: bucket._id }, bucket, { upsert: true });
    },
    order: async (id) => orNone((await orders.findOne({ _id: id })) as OrderView | null),
    async putOrder(order) {
      await orders.replaceOne({ _id: order._id }, toOrderViewDoc(order), { upsert: true });
    },
    async buckets(granularity, firstStart, endBefore) {
      const ids: string[] = [];
      for (let start = firstStart; start < endBefore; start = bucketEnd(granularity, start)) ids.push(bucketId(granularity, start));
      const found: Bucket[] = [];
      for (let i = 0; i < ids.length; i += REPORT_READS_IN_FLIGHT) {
        const docs = await Promise.all(
          ids.slice(i, i + REPORT_READS_IN_FLIGHT).map((_id) => buckets.findOne({ _id }, { projection: { applied: 0 } })),
        );
        for (const b of docs) if (b) found.push({ ...(b as Bucket), applied: [] });
      }
      return found;
    },
    async statusCounts(from, to) {
      const days: string[] = [];
      for (let start = bucketStart('day', from); start < to; start = bucketEnd('day', start)) days.push(bucketId('day', start));
      const counts: Record<string, number> = {};
      for (let i = 0; i < days.length; i += REPORT_READS_IN_FLIGHT) {
        const found = await Promise.all(
          days
            .slice(i, i + REPORT_READS_IN_FLIGHT)
            .map((placed_day) => orders.find({ placed_day }, { projection: { status: 1, placed_at: 1 } }).toArray()),
        );
        for (const d of found.flat()) {
          if (d.placed_at < from || d.placed_at >= to) continue;
          counts[d.status] = (counts[d.status] ?? 0) + 1;
        }
      }
      return counts;
    },
  };
}
