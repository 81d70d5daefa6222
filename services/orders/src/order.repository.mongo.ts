import type { Connection, mongo } from 'mongoose';
import type { OrderRepository, OrderSearch } from './order.repository.ts';
import type { Order } from './order.types.ts';

/** The stored order: `_id` = order id; the fields queries range over are BSON dates, the rest the JSON-safe domain shape. */
type OrderDoc = Omit<Order, 'order_id' | 'created_at' | 'updated_at'> & { _id: string; created_at: Date; updated_at: Date };

/** The outbox cursor of one order (collection `order_outbox`): entries from `from` on are not published yet. */
interface CursorDoc {
  _id: string;
  from: number;
  since: Date;
}

const toDoc = ({ order_id, created_at, updated_at, ...rest }: Order): OrderDoc => ({
  _id: order_id,
  ...rest,
  created_at: new Date(created_at),
  updated_at: new Date(updated_at),
});

const toOrder = ({ _id, created_at, updated_at, ...rest }: OrderDoc): Order => ({
  order_id: _id,
  ...rest,
  created_at: created_at.toISOString(),
  updated_at: updated_at.toISOString(),
});

const isDuplicateKey = (err: unknown) => (err as { code?: number }).code === 11000 || /E11000/.test(String(err));

/**
 * MongoDB-wire adapter (FerretDB locally). Shaped by what FerretDB 1.24 on SQLite does fast (measured, see
 * docs/adr/0002): a filter on `_id` alone is pushed down (~25 ms at 10k orders); any other filter scans the
 * collection (~3-5 s at 10k orders, and an update filtered on `_id` + `status` scans up to its match). So every
 * write goes by `_id` only — the service serialises writes per order itself (order.writer.ts) — and the periodic
 * relay reads the small `order_outbox` collection, never `orders`. Updates are operator updates ($set/$push), so
 * on a real MongoDB they stay atomic per document.
 */
export function mongoOrderRepository(connection: Connection): OrderRepository & { ensureIndexes(): Promise<void> } {
  const orders = (): mongo.Collection<OrderDoc> => connection.db!.collection<OrderDoc>('orders');
  const cursors = (): mongo.Collection<CursorDoc> => connection.db!.collection<CursorDoc>('order_outbox');
  const filterOf = (q: Omit<OrderSearch, 'page' | 'pageSize'>): mongo.Filter<OrderDoc> => {
    const filter: mongo.Filter<OrderDoc> = {};
    if (q.customerId) filter.customer_id = q.customerId;
    if (q.status) filter.status = q.status;
    if (q.from || q.to) {
      filter.created_at = { ...(q.from ? { $gte: new Date(q.from) } : {}), ...(q.to ? { $lte: new Date(q.to) } : {}) };
    }
    return filter;
  };
  return {
    async ensureIndexes() {
      // Used by a real MongoDB; FerretDB creates them but does not use them for these filters. One index per call:
      // FerretDB 1.24 panics (and drops the connection) on a createIndexes of several specs that all exist already,
      // which is every start after the first.
      const indexes = [{ customer_id: 1, created_at: -1 }, { status: 1, created_at: -1 }, { created_at: -1 }] as const;
      for (const key of indexes) await orders().createIndex(key);
      await cursors().createIndex({ since: 1 });
    },
    async insert(order) {
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
            updated_at: new Date(after.updated_at),
            ...(after.cancel_reason ? { cancel_reason: after.cancel_reason } : {}),
          },
          $push: { status_history: after.status_history.at(-1)!, outbox: { $each: entries } },
        },
      );
    },
    async search(q) {
      const filter = filterOf(q);
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
