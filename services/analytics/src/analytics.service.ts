import {
  ORDER_STATUSES,
  type EventType,
  type Funnel,
  type FunnelQuery,
  type SalesReport,
  type SalesReportQuery,
  type TopProducts,
  type TopProductsQuery,
} from '@globalmart/contracts';
import { KeyedMutex, type KeyedRunner, type Logger } from '@globalmart/platform';
import type { AnalyticsRepository } from './analytics.repository.ts';
import { applyToBucket, applyToOrder, bucketsOf, emptyBucket, mergeProducts, toFact, type Bucket, type Fact } from './analytics.rules.ts';
import { bucketId, bucketWindow, ratio, reportRange, toMajor, type Granularity } from './buckets.ts';
import { keyedSerializer } from './keyed.serializer.ts';

export interface AnalyticsDeps {
  repo: AnalyticsRepository;
  logger: Logger;
  /** The report currency. */
  currency: string;
  /** The rollup leaves pending markers younger than this to the delivery that is applying them. */
  pendingGraceMs: number;
  /**
   * Held around each read-modify-write of one document (a bucket or an order view), keyed by its id: the kit's
   * KeyedLock (Dapr lock store) makes that one writer across replicas. Default: this process only (unit tests).
   */
  lock?: KeyedRunner;
  now?: () => Date;
}

export interface RollupSummary {
  /** Pending markers found, facts applied from them, markers cleared (fact already applied, or never stored), left. */
  pending: number;
  applied: number;
  cleared: number;
  left: number;
}

/** A marker whose fact was never stored (a crash between the two writes; Dapr redelivers the event) is dropped after this. */
const ORPHAN_MARKER_MS = 600_000;

export type RecordOutcome = 'recorded' | 'reapplied' | 'duplicate';
export type AnalyticsService = ReturnType<typeof analyticsService>;

/**
 * Why incremental: on FerretDB 1.24 with the SQLite backend every query other than an _id equality is a full
 * collection scan (measured with 983 facts: find({hour_key, kind: {$in}}) 180 ms, find({order_id}) 130–150 ms,
 * find({_id}) 15 ms; the indexes exist but are not used). The previous design recomputed an hour, a day and an order
 * from all their facts on every order event, so each event cost O(all facts) and under checkout load the sales report
 * fell 9–30 s behind OrderConfirmed (target p99 ≤ 1 s). Now every event costs a fixed number of _id reads and writes.
 * FerretDB loses concurrent conditional updates (no atomic $inc / findOneAndUpdate) and has no transactions, but it
 * enforces unique _id (ADR 0001); the design uses nothing else.
 *
 * An event that feeds no read model (stock, payments, shipping, notifications, customers) is only inserted as a fact.
 * Per delivered event that does (acknowledged only when all of it is done; anything thrown is a RETRY, so Dapr
 * redelivers):
 * 1. upsert a pending marker (`pending`, _id = event id);
 * 2. insert the fact (`facts`, _id = CloudEvent id; insert-only, every topic). A duplicate key is a redelivery: read
 *    the fact by _id; if it has applied_at, clear the marker and stop (a plain duplicate), else go on with the stored
 *    fact (the earlier attempt died between storing and finishing);
 * 3. apply it to its read models: a status fact to its order view (`orders`, _id = order id), then, if it counts, to
 *    its hour and day buckets (`buckets`, _id = `hour:<iso>` / `day:<iso>`); a ProductViewed to its hour and day.
 *    Each is a read-modify-write of one document by _id (read, apply, replaceOne upsert), serialised per document in
 *    this process by the keyed serializer, which also coalesces: facts queued for a document while it is being
 *    written are applied together in the next single read and write; across replicas each read-modify-write holds
 *    the document's lease on the Dapr lock store (deps.lock), so two replicas never interleave theirs and lose
 *    increments (FerretDB has no atomic update to fall back on);
 * 4. set the fact's applied_at and delete its marker (both by _id).
 *
 * Idempotency: applying a fact to a document is idempotent by itself: the document keeps the ids of the newest facts
 * applied to it (512 per bucket, 64 per order) and skips one it has, in the same write as the counts. So any step may
 * be repeated after a crash: redoing step 3 changes only the documents that missed the fact. Which order facts the
 * buckets count is decided by the order view (the first fact of each kind per order, remembered by id), so a
 * republished event under a new id does not count an order twice, and redoing a counted fact still counts it once.
 * Order status is a commutative merge (the latest occurred_at wins, ties by lifecycle order), so apply order does not
 * matter. The limit: a fact applied again after 512 other facts reached the same bucket would be counted twice; a
 * redelivery (seconds) and the rollup (every 5 s, recovery at startup before any delivery) come far sooner.
 *
 * Crash windows: before the marker: nothing stored, the event is redelivered. Between marker and fact: the
 * redelivery stores it (the rollup drops a marker without a fact after 10 minutes). Between fact and applied_at: the
 * marker is there; the redelivery or the rollup applies it again and each document skips what it has. Between
 * applied_at and the marker's delete: the rollup just clears the marker.
 *
 * The rollup (the Dapr job `analytics-rollup`, every 5 s in one replica, plus a run at each replica's startup) is
 * housekeeping only: it scans the small `pending` collection and finishes what is older than the grace period.
 * Reports read bucket ranges and scan `orders` for orders_by_status (admin-only; one document per order).
 */
export function analyticsService(deps: AnalyticsDeps) {
  const { repo, logger, currency } = deps;
  const now = deps.now ?? (() => new Date());
  const serial = keyedSerializer();
  const lock = deps.lock ?? new KeyedMutex();

  interface Entry {
    fact: Fact;
    counts?: boolean;
  }
  const queues = new Map<string, Entry[]>();
  /**
   * Applies a fact to the document `key` with the facts queued for it meanwhile: the serializer runs one write per
   * key at a time, and callers that arrive while a run is queued share it; the run takes the whole queue once it holds
   * the document's lock, so every caller's fact is in the run it awaits or in an earlier one that finished first.
   */
  async function applyTo(key: string, fact: Fact, write: (batch: Entry[]) => Promise<void>): Promise<Entry> {
    const entry: Entry = { fact };
    const queue = queues.get(key);
    if (queue) queue.push(entry);
    else queues.set(key, [entry]);
    await serial.run(key, () =>
      lock.run(key, async () => {
        // Taken once the lease is held: facts queued while waiting for it ride along (their own run finds none).
        const batch = queues.get(key) ?? [];
        queues.delete(key);
        if (batch.length > 0) await write(batch);
      }),
    );
    return entry;
  }

  const writeBucket = (granularity: Granularity, start: Date) => async (batch: Entry[]) => {
    const bucket = (await repo.bucket(bucketId(granularity, start))) ?? emptyBucket(granularity, start, now());
    let changed = false;
    for (const { fact } of batch) {
      const effect = applyToBucket(bucket, fact, currency);
      if (effect === 'other-currency' && granularity === 'hour') {
        logger.warn({ order_id: fact.order_id, currency: fact.currency }, `order not in ${currency} left out of sales`);
      }
      changed ||= effect !== 'already';
    }
    if (!changed) return;
    bucket.updated_at = now();
    await repo.putBucket(bucket);
  };

  const writeOrder = (orderId: string) => async (batch: Entry[]) => {
    let view = await repo.order(orderId);
    let changed = false;
    for (const entry of batch) {
      const effect = applyToOrder(view, entry.fact, now());
      view = effect.view;
      changed ||= effect.changed;
      entry.counts = effect.counts;
    }
    if (changed && view) await repo.putOrder(view);
  };

  /** Step 3: idempotent, so it may run again for the same fact (a redelivery, the rollup). */
  async function apply(fact: Fact): Promise<void> {
    let toBuckets = fact.kind === 'ProductViewed';
    if (fact.order_id && fact.status) {
      toBuckets = (await applyTo(`order:${fact.order_id}`, fact, writeOrder(fact.order_id))).counts === true;
    }
    if (toBuckets) {
      await Promise.all(
        bucketsOf(fact).map(({ granularity, start }) => applyTo(bucketId(granularity, start), fact, writeBucket(granularity, start))),
      );
    }
  }

  async function finish(fact: Fact): Promise<void> {
    await apply(fact);
    // Both only bookkeeping once the fact is applied everywhere: a crash between them is harmless (see above).
    await Promise.all([repo.markApplied(fact._id, now()), repo.clearPending(fact._id)]);
  }

  /** Facts that change a read model (order views, buckets); the others are only kept. */
  const feedsReadModels = (fact: Fact) => fact.kind === 'ProductViewed' || Boolean(fact.order_id && fact.status);

  async function record(type: EventType, id: string, data: Record<string, unknown>): Promise<RecordOutcome> {
    const fact = toFact(type, id, data, now());
    // Most events (stock, payments, shipping, notifications, customers) only become facts: one insert, no marker and
    // no bookkeeping. FerretDB serialises every app's writes, so each write saved here is saved for the whole platform.
    if (!feedsReadModels(fact)) return (await repo.insertFact(fact)) ? 'recorded' : 'duplicate';
    await repo.markPending({ _id: id, at: fact.recorded_at });
    if (await repo.insertFact(fact)) {
      await finish(fact);
      return 'recorded';
    }
    const stored = await repo.fact(id);
    if (!stored) throw new Error(`fact ${id} is a duplicate key but cannot be read`);
    if (stored.applied_at) {
      await repo.clearPending(id);
      return 'duplicate';
    }
    await finish(stored);
    return 'reapplied';
  }

  /** Finishes the facts whose delivery did not (older than `minAgeMs`: younger ones are being applied right now). */
  async function rollup({ minAgeMs = deps.pendingGraceMs } = {}): Promise<RollupSummary> {
    const markers = await repo.pending();
    const summary: RollupSummary = { pending: markers.length, applied: 0, cleared: 0, left: 0 };
    const t = now().getTime();
    for (const marker of markers) {
      const age = t - marker.at.getTime();
      if (age < minAgeMs) {
        summary.left += 1;
        continue;
      }
      try {
        const fact = await repo.fact(marker._id);
        if (fact && !fact.applied_at) {
          await finish(fact);
          summary.applied += 1;
        } else if (fact || age >= ORPHAN_MARKER_MS) {
          await repo.clearPending(marker._id);
          summary.cleared += 1;
        } else summary.left += 1;
      } catch (err) {
        summary.left += 1;
        logger.warn({ err, event_id: marker._id }, 'pending fact not applied; the next rollup retries');
      }
    }
    return summary;
  }

  const bucketsIn = async (g: Granularity, range: { from: Date; to: Date }) => {
    const { firstStart, endBefore } = bucketWindow(g, range);
    return (await repo.buckets(g, firstStart, endBefore)).sort((a, b) => a.start.getTime() - b.start.getTime());
  };

  async function salesReport(q: SalesReportQuery): Promise<SalesReport> {
    const range = reportRange(q, now());
    const [buckets, counts] = await Promise.all([bucketsIn(q.granularity, range), repo.statusCounts(range.from, range.to)]);
    const withSales = buckets.filter((b) => b.sales_orders > 0);
    const totalMinor = withSales.reduce((n, b) => n + b.sales_revenue_minor, 0);
    return {
      granularity: q.granularity,
      from: range.from.toISOString(),
      to: range.to.toISOString(),
      currency,
      buckets: withSales.map((b) => ({ start: b.start.toISOString(), orders: b.sales_orders, revenue: toMajor(b.sales_revenue_minor) })),
      totals: { orders: withSales.reduce((n, b) => n + b.sales_orders, 0), revenue: toMajor(totalMinor) },
      orders_by_status: Object.fromEntries(ORDER_STATUSES.map((s) => [s, counts[s] ?? 0])),
    };
  }

  async function topProducts(q: TopProductsQuery): Promise<TopProducts> {
    const range = reportRange(q, now());
    const key = q.by === 'units' ? 'units' : 'revenue_minor';
    const other = q.by === 'units' ? 'revenue_minor' : 'units';
    const items = mergeProducts(await bucketsIn('hour', range))
      .filter((p) => p.orders > 0)
      // Stable order: the metric, then the other metric, then product id (mergeProducts sorts by id).
      .sort((a, b) => b[key] - a[key] || b[other] - a[other])
      .slice(0, q.limit);
    return {
      by: q.by,
      from: range.from.toISOString(),
      to: range.to.toISOString(),
      items: items.map((p) => ({
        product_id: p.product_id,
        units: p.units,
        revenue: toMajor(p.revenue_minor),
        orders: p.orders,
        views: p.views,
      })),
    };
  }

  async function funnel(q: FunnelQuery): Promise<Funnel> {
    const range = reportRange(q, now());
    const hours = await bucketsIn('hour', range);
    const sum = (k: keyof Pick<Bucket, 'product_views' | 'orders_placed' | 'orders_confirmed' | 'orders_cancelled'>) =>
      hours.reduce((n, h) => n + h[k], 0);
    const [views, placed, confirmed, cancelled] = [
      sum('product_views'),
      sum('orders_placed'),
      sum('orders_confirmed'),
      sum('orders_cancelled'),
    ];
    return {
      from: range.from.toISOString(),
      to: range.to.toISOString(),
      product_views: views,
      orders_placed: placed,
      orders_confirmed: confirmed,
      orders_cancelled: cancelled,
      view_to_order: ratio(placed, views),
      // At most 1: a range edge can hold an order's confirmation without its placement.
      order_to_confirmed: Math.min(1, ratio(confirmed, placed)),
    };
  }

  return { record, rollup, salesReport, topProducts, funnel, idle: () => serial.idle() };
}
