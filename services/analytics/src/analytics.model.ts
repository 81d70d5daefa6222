import { Schema, type Connection, type Model } from 'mongoose';
import type { Bucket, Fact, OrderView } from './analytics.rules.ts';

/** A fact stored but not yet applied to all its read models (_id = the fact's id): the rollup's work list. */
export interface PendingDoc {
  _id: string;
  at: Date;
}

// The schemas document the collections; the hot path reads and writes them through the driver by _id only (FerretDB
// 1.24 on SQLite scans the whole collection for any other filter, secondary indexes or not), so facts carry no
// secondary index: each would only cost every insert.
const item = new Schema({ product_id: String, quantity: Number, unit_price_minor: Number }, { _id: false });
const factSchema = new Schema<Fact>(
  {
    _id: { type: String, required: true },
    type: { type: String, required: true },
    kind: { type: String, required: true },
    occurred_at: { type: Date, required: true },
    hour: { type: Date, required: true },
    recorded_at: { type: Date, required: true },
    applied_at: Date,
    order_id: String,
    product_id: String,
    status: String,
    currency: String,
    total_minor: Number,
    items: { type: [item], default: undefined },
    data: { type: Schema.Types.Mixed, required: true },
  },
  { collection: 'facts', versionKey: false, minimize: false },
);

const pendingSchema = new Schema<PendingDoc>(
  { _id: { type: String, required: true }, at: { type: Date, required: true } },
  { collection: 'pending', versionKey: false },
);

const productStats = new Schema(
  { product_id: String, units: Number, revenue_minor: Number, orders: Number, views: Number },
  { _id: false },
);
const bucketSchema = new Schema<Bucket>(
  {
    _id: { type: String, required: true },
    granularity: { type: String, required: true },
    start: { type: Date, required: true },
    sales_orders: { type: Number, required: true },
    sales_revenue_minor: { type: Number, required: true },
    other_currency_orders: { type: Number, required: true },
    orders_placed: { type: Number, required: true },
    orders_confirmed: { type: Number, required: true },
    orders_cancelled: { type: Number, required: true },
    product_views: { type: Number, required: true },
    products: { type: [productStats], default: [] },
    facts: { type: Number, required: true },
    applied: { type: [String], default: [] },
    updated_at: { type: Date, required: true },
  },
  { collection: 'buckets', versionKey: false },
);
// Reports read buckets by their computed _ids (one per hour or day of the range), never by a range.

/** An order view as stored: with the day of placed_at (`day:<iso>`), the key the reports' status counts read by. */
export type OrderViewDoc = OrderView & { placed_day: string };

const orderSchema = new Schema<OrderViewDoc>(
  {
    _id: { type: String, required: true },
    status: { type: String, required: true },
    status_at: { type: Date, required: true },
    placed_at: { type: Date, required: true },
    // The day of placed_at (`day:<iso>`, the day bucket's id): the key the status counts are read by (one equality per
    // day of a report's range, which the contract caps at a year).
    placed_day: { type: String, required: true, index: true },
    placed_event_at: { type: Date, default: null },
    first_at: { type: Date, required: true },
    counted: { type: Schema.Types.Mixed, default: {} },
    applied: { type: [String], default: [] },
    updated_at: { type: Date, required: true },
  },
  { collection: 'orders', versionKey: false, minimize: false },
);

export interface AnalyticsModels {
  facts: Model<Fact>;
  pending: Model<PendingDoc>;
  buckets: Model<Bucket>;
  orders: Model<OrderViewDoc>;
}

export function analyticsModels(conn: Connection): AnalyticsModels {
  return {
    facts: conn.models.Fact ?? conn.model<Fact>('Fact', factSchema),
    pending: conn.models.PendingFact ?? conn.model<PendingDoc>('PendingFact', pendingSchema),
    buckets: conn.models.Bucket ?? conn.model<Bucket>('Bucket', bucketSchema),
    orders: conn.models.OrderView ?? conn.model<OrderViewDoc>('OrderView', orderSchema),
  };
}

/** Creates the collections and indexes before the first event or rollup (mongoose would otherwise build them in the background). */
export async function initModels(models: AnalyticsModels): Promise<void> {
  await Promise.all(Object.values(models).map((m: Model<unknown>) => m.init()));
}
