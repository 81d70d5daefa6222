import type { Connection, mongo } from 'mongoose';
import { UnknownCursorError, type OrderRepository } from './order.repository.ts';
import type { Order } from './order.types.ts';

/**
 * The stored order: `_id` = order id; the dates are BSON dates, the rest the JSON-safe domain shape, plus the two
 * equality keys the admin list reads by: `list_minute` (UTC minute of created_at, `2026-11-30T12:34`: a minute of
 * orders) and `list_status_hour` (`CONFIRMED|2026-11-30T12`, moved with the status: an hour of orders in one status —
 * an hour, not a minute, because a status can be rare among recent orders and a page must not walk minute after
 * minute to find it).
 */
type OrderDoc = Omit<Order, 'order_id' | 'created_at' | 'updated_at'> & {
  _id: string;
  created_at: Date;
  updated_at: Date;
  list_minute: string;
  list_status_hour: string;
};

/**
 * The admin list's directory (collection `order_index`): one insert-only document per month, day, hour and minute
 * that has orders, `_id` = `m:2026-11` / `d:2026-11-30` / `h:2026-11-30T12` / `i:2026-11-30T12:34`, `parent` = the
 * level above (`all` for a month). The list walks it newest first by `parent` equality (at most 31, 24 or 60 children
 * each), so a page reads a few small documents and the minutes it shows, however many orders are stored.
 */
interface IndexDoc {
  _id: string;
  parent: string;
}

/** The outbox cursor of one order (collection `order_outbox`): entries from `from` on are not published yet. */
interface CursorDoc {
  _id: string;
  from: number;
  since: Date;
}

/**
 * How many minutes (or status hours) of the admin list are read at once: the newest one alone first (when orders are
 * dense it holds the whole page, so the page costs one read however many minutes the hour has), then twice as many per
 * round trip up to 8 when they are sparse.
 */
const LEAF_READS_IN_FLIGHT = [1, 2, 4, 8] as const;
const leafBatch = (round: number) => LEAF_READS_IN_FLIGHT[Math.min(round, LEAF_READS_IN_FLIGHT.length - 1)]!;

const minuteOf = (iso: string) => new Date(iso).toISOString().slice(0, 16);
const statusHour = (status: string, createdAt: string) => `${status}|${minuteOf(createdAt).slice(0, 13)}`;

const toDoc = ({ order_id, created_at, updated_at, ...rest }: Order): OrderDoc => ({
  _id: order_id,
  ...rest,
  created_at: new Date(created_at),
  updated_at: new Date(updated_at),
  list_minute: minuteOf(created_at),
  list_status_hour: statusHour(rest.status, created_at),
});

// eslint-disable-next-line @typescript-eslint/no-unused-vars -- the list keys are storage only
const toOrder = ({ _id, created_at, updated_at, list_minute, list_status_hour, ...rest }: OrderDoc): Order => ({
  order_id: _id,
  ...rest,
  created_at: created_at.toISOString(),
  updated_at: updated_at.toISOString(),
});

const isDuplicateKey = (err: unknown) => (err as { code?: number }).code === 11000 || /E11000/.test(String(err));

/** Newest first, ties by id (the admin list's order; its cursor compares the same way). */
const newestFirst = (a: OrderDoc, b: OrderDoc) =>
  b.created_at.getTime() - a.created_at.getTime() || (a._id < b._id ? 1 : a._id > b._id ? -1 : 0);

/** The directory entries an order created at `iso` needs, top-down: month, day, hour, minute. */
export const indexEntriesOf = (iso: string): IndexDoc[] => {
  const at = new Date(iso).toISOString();
  const [m, d, h, i] = [`m:${at.slice(0, 7)}`, `d:${at.slice(0, 10)}`, `h:${at.slice(0, 13)}`, `i:${at.slice(0, 16)}`];
  return [
    { _id: m, parent: 'all' },
    { _id: d, parent: m },
    { _id: h, parent: d },
    { _id: i, parent: h },
  ];
};

/** The stored form of an order (the admin list's keys beside the domain shape): also what the data bench seeds. */
export const toOrderDoc = (order: Order): OrderDoc => toDoc(order);

/**
 * MongoDB-wire adapter (FerretDB locally; a real MongoDB in Helm). Every query is an equality on one field, the only
 * filter FerretDB 1.24 passes to its backend (measured, docs/adr): `_id`, `customer_id`, `list_minute`,
 * `list_status_hour`, `parent`, each with its index; FerretDB sorts, skips, limits and counts in its own process
 * after fetching what the equality matched, so no query here may match a number of documents that grows with the
 * orders stored (a customer's orders, a minute's orders, an hour's orders of one status and a directory level are bounded). Writes go by `_id` only —
 * the service serialises writes per order itself (order.writer.ts) — and the periodic relay reads the small
 * `order_outbox` collection, never `orders`. Updates are operator updates ($set/$push), so on a real MongoDB they stay
 * atomic per document.
 */
export function mongoOrderRepository(connection: Connection): OrderRepository & { ensureIndexes(): Promise<void> } {
  const orders = (): mongo.Collection<OrderDoc> => connection.db!.collection<OrderDoc>('orders');
  const cursors = (): mongo.Collection<CursorDoc> => connection.db!.collection<CursorDoc>('order_outbox');
  const directory = (): mongo.Collection<IndexDoc> => connection.db!.collection<IndexDoc>('order_index');
  /** Directory entries this process has seen stored (they are never removed): each is written once per process. */
  const indexed = new Set<string>();
  const ensureIndexed = async (iso: string) => {
    for (const entry of indexEntriesOf(iso)) {
      if (indexed.has(entry._id)) continue;
      try {
        await directory().insertOne(entry);
      } catch (err) {
        if (!isDuplicateKey(err)) throw err;
      }
      indexed.add(entry._id);
    }
  };
  return {
    async ensureIndexes() {
      // One index per call: FerretDB 1.24 panics (and drops the connection) on a createIndexes of several specs that
      // all exist already, which is every start after the first. FerretDB on PostgreSQL serves the equality filters
      // above from these only with the devstack's GIN twins (its own btree cannot answer its `@>` filter).
      const indexes = [{ customer_id: 1, created_at: -1 }, { list_minute: 1 }, { list_status_hour: 1 }] as const;
      for (const key of indexes) await orders().createIndex(key);
      await directory().createIndex({ parent: 1 });
      await cursors().createIndex({ since: 1 });
    },
    async insert(order) {
      // The directory first: an order is never stored in a minute the admin list cannot reach.
      await ensureIndexed(order.created_at);
      try {
        await orders().insertOne(toDoc(order));
        return true;
      } catch (err) {
        if (isDuplicateKey(err)) return false;
        throw err;
      }
    },
    async get(orderId) {
      const doc = await orders().findOne({ _id: orderId });
      return doc ? toOrder(doc) : undefined;
    },
    async applyTransition(before, after, entries) {
      await orders().updateOne(
        { _id: before.order_id },
        {
          $set: {
            status: after.status,
            list_status_hour: statusHour(after.status, before.created_at),
            updated_at: new Date(after.updated_at),
            ...(after.cancel_reason ? { cancel_reason: after.cancel_reason } : {}),
          },
          $push: { status_history: after.status_history.at(-1)!, outbox: { $each: entries } },
        },
      );
    },
    async search(q) {
      const filter: mongo.Filter<OrderDoc> = { customer_id: q.customerId };
      const [docs, total] = await Promise.all([
        orders()
          .find(filter)
          .sort({ created_at: -1, _id: -1 })
          .skip((q.page - 1) * q.pageSize)
          .limit(q.pageSize)
          .toArray(),
        orders().countDocuments(filter),
      ]);
      return { data: docs.map(toOrder), total };
    },
    async list(q) {
      let cursor: { at: number; id: string } | undefined;
      if (q.startingAfter) {
        const doc = await orders().findOne({ _id: q.startingAfter }, { projection: { created_at: 1 } });
        if (!doc) throw new UnknownCursorError(q.startingAfter);
        cursor = { at: doc.created_at.getTime(), id: doc._id };
      }
      const fromMs = q.from ? Date.parse(q.from) : Number.NEGATIVE_INFINITY;
      const toMs = Math.min(q.to ? Date.parse(q.to) : Number.POSITIVE_INFINITY, cursor?.at ?? Number.POSITIVE_INFINITY);
      const lo = Number.isFinite(fromMs) ? new Date(fromMs).toISOString() : '';
      const hi = Number.isFinite(toMs) ? new Date(toMs).toISOString() : '\uffff';
      // A directory entry (`d:2026-11-30`) is in range when its prefix of the bounds encloses it.
      const inRange = (id: string) => {
        const key = id.slice(2);
        return key >= lo.slice(0, key.length) && key <= hi.slice(0, key.length);
      };
      const wanted = (d: OrderDoc) => {
        const at = d.created_at.getTime();
        return at >= fromMs && at <= toMs && (!cursor || at < cursor.at || (at === cursor.at && d._id < cursor.id));
      };
      const found: OrderDoc[] = [];
      let rounds = 0;
      // Newest first down the directory; stops as soon as one order beyond the page is known (has_more).
      const visit = async (parent: string): Promise<boolean> => {
        const children = (await directory().find({ parent }).toArray())
          .map((c) => c._id)
          .filter(inRange)
          .sort()
          .reverse();
        // A status filter reads whole hours of that status; otherwise the walk goes down to minutes.
        const isLeaf = (id: string) => (q.status ? id.startsWith('h:') : id.startsWith('i:'));
        if (children.length > 0 && isLeaf(children[0]!)) {
          // Leaves (all of one parent: at most 60 minutes or 24 hours) are read in growing batches, newest first, and
          // taken in order until the page is full: one round trip's latency per batch, not per leaf. The batch size
          // carries over to the next parent: a sparse walk stays at 8 in flight.
          for (let i = 0; i < children.length;) {
            const size = leafBatch(rounds++);
            const leaves = children.slice(i, (i += size));
            const batch = await Promise.all(
              leaves.map((leaf) => {
                const key = leaf.slice(2);
                return orders()
                  .find(q.status ? { list_status_hour: `${q.status}|${key}` } : { list_minute: key })
                  .toArray();
              }),
            );
            for (const docs of batch) {
              found.push(...docs.filter(wanted).sort(newestFirst));
              if (found.length > q.limit) return true;
            }
          }
          return false;
        }
        for (const child of children) if (await visit(child)) return true;
        return false;
      };
      await visit('all');
      return { data: found.slice(0, q.limit).map(toOrder), hasMore: found.length > q.limit };
    },
    async markPending(orderId, from, at) {
      try {
        await cursors().insertOne({ _id: orderId, from, since: new Date(at) });
        return from;
      } catch (err) {
        if (!isDuplicateKey(err)) throw err;
        // Older entries are still pending: the cursor stays where it is.
        return (await cursors().findOne({ _id: orderId }))?.from ?? from;
      }
    },
    async pendingFrom(orderId) {
      return (await cursors().findOne({ _id: orderId }))?.from;
    },
    async advancePending(orderId, from) {
      if (from === undefined) await cursors().deleteOne({ _id: orderId });
      else await cursors().updateOne({ _id: orderId }, { $set: { from } });
    },
    async findPending(cutoff, limit) {
      const docs = await cursors()
        .find({ since: { $lte: new Date(cutoff) } })
        .sort({ since: 1 })
        .limit(limit)
        .toArray();
      return docs.map((d) => d._id);
    },
  };
}
