// Pure rules: an event becomes a fact; a fact is applied to read models. No I/O here, so every number is unit-tested.
import { eventCatalog, eventTypes, ordersEventTypes, type EventType, type OrderStatus } from '@globalmart/contracts';
import { bucketId, bucketStart, toMinor, type Granularity } from './buckets.ts';

export interface FactItem {
  product_id: string;
  quantity: number;
  unit_price_minor: number;
}

/**
 * One delivered event, stored once: `_id` is the CloudEvent id, so a redelivery is a duplicate-key error on insert
 * (FerretDB enforces unique indexes). Never deleted; the only later write is `applied_at`, once it is applied to
 * every read model it touches.
 */
export interface Fact {
  _id: string;
  /** The CloudEvent type and the catalogue's name for it (OrderConfirmed). */
  type: string;
  kind: string;
  occurred_at: Date;
  /** The UTC hour of occurred_at: the hour bucket the fact belongs to. */
  hour: Date;
  /** When this service stored it. */
  recorded_at: Date;
  /** Set once the fact is applied to all its read models (a redelivery of it is then a plain duplicate). */
  applied_at?: Date;
  order_id?: string;
  product_id?: string;
  /** The order status this event moves its order to (order lifecycle events only). */
  status?: OrderStatus;
  currency?: string;
  total_minor?: number;
  items?: FactItem[];
  /** The event's data as delivered (validated against the catalogue's schema), for read models to come. */
  data: Record<string, unknown>;
}

const STATUS_OF: Partial<Record<string, OrderStatus>> = {
  [eventTypes.OrderPlaced]: 'PENDING',
  [ordersEventTypes.OrderConfirmed]: 'CONFIRMED',
  [ordersEventTypes.OrderCancelled]: 'CANCELLED',
  [ordersEventTypes.OrderShipped]: 'SHIPPED',
  [ordersEventTypes.OrderDelivered]: 'DELIVERED',
};

/** Order lifecycle kinds the buckets count, once per order (the order view decides which fact of a kind counts). */
export const COUNTED_KINDS = ['OrderPlaced', 'OrderConfirmed', 'OrderCancelled'] as const;
export type CountedKind = (typeof COUNTED_KINDS)[number];
const isCounted = (kind: string): kind is CountedKind => (COUNTED_KINDS as readonly string[]).includes(kind);

/** How many applied fact ids a read-model document keeps to skip a fact applied again (see applyToBucket). */
export const BUCKET_APPLIED_KEPT = 512;
export const ORDER_APPLIED_KEPT = 64;

const str = (v: unknown) => (typeof v === 'string' && v.length > 0 ? v : undefined);

interface EventLine {
  product_id: string;
  quantity: number;
  unit_price: number;
}

/** A validated event (the kit's Subscriptions parsed it with the catalogue's schema) → its fact. */
export function toFact(type: EventType, id: string, data: Record<string, unknown>, recordedAt: Date): Fact {
  const occurredAt = new Date(String(data.occurred_at));
  const fact: Fact = {
    _id: id,
    type,
    kind: eventCatalog[type].name,
    occurred_at: occurredAt,
    hour: bucketStart('hour', occurredAt),
    recorded_at: recordedAt,
    data,
  };
  const orderId = str(data.order_id);
  if (orderId) fact.order_id = orderId;
  const productId = str(data.product_id);
  if (productId) fact.product_id = productId;
  const status = STATUS_OF[type];
  if (status) fact.status = status;
  if (typeof data.total === 'number') fact.total_minor = toMinor(data.total);
  const currency = str(data.currency);
  if (currency) fact.currency = currency;
  if (Array.isArray(data.items)) {
    fact.items = (data.items as EventLine[]).map((i) => ({
      product_id: i.product_id,
      quantity: i.quantity,
      unit_price_minor: toMinor(i.unit_price),
    }));
  }
  return fact;
}

export interface ProductStats {
  product_id: string;
  units: number;
  revenue_minor: number;
  orders: number;
  views: number;
}

/**
 * An hour or a day: everything the reports need, maintained incrementally by applying facts to it one at a time
 * (read by _id, applied, written whole; serialised per bucket in the one analytics process).
 */
export interface Bucket {
  _id: string;
  granularity: Granularity;
  start: Date;
  /** Confirmed orders in the report currency and their revenue: the sales report. */
  sales_orders: number;
  sales_revenue_minor: number;
  /** Confirmed orders in another currency, left out of the sales figures. */
  other_currency_orders: number;
  /** The funnel: distinct orders per lifecycle step, and product page views. */
  orders_placed: number;
  orders_confirmed: number;
  orders_cancelled: number;
  product_views: number;
  /** Per product, sorted by product_id (sales of confirmed orders in the report currency, and views). */
  products: ProductStats[];
  /** How many facts were applied to it. */
  facts: number;
  /** The ids of the newest facts applied to it (at most BUCKET_APPLIED_KEPT, oldest first): applying one again skips it. */
  applied: string[];
  updated_at: Date;
}

export function emptyBucket(granularity: Granularity, start: Date, now: Date): Bucket {
  return {
    _id: bucketId(granularity, start),
    granularity,
    start,
    sales_orders: 0,
    sales_revenue_minor: 0,
    other_currency_orders: 0,
    orders_placed: 0,
    orders_confirmed: 0,
    orders_cancelled: 0,
    product_views: 0,
    products: [],
    facts: 0,
    applied: [],
    updated_at: now,
  };
}

/** Where a fact goes: its hour and its day bucket. */
export const bucketsOf = (fact: Pick<Fact, 'occurred_at'>) =>
  (['hour', 'day'] as const).map((g) => ({ granularity: g, start: bucketStart(g, fact.occurred_at) }));

const remember = (applied: string[], id: string, keep: number) => {
  applied.push(id);
  if (applied.length > keep) applied.splice(0, applied.length - keep);
};

const statsOf = (bucket: Bucket, productId: string): ProductStats => {
  let i = bucket.products.findIndex((p) => p.product_id >= productId);
  if (i === -1) i = bucket.products.length;
  const at = bucket.products[i];
  if (at?.product_id === productId) return at;
  const s = { product_id: productId, units: 0, revenue_minor: 0, orders: 0, views: 0 };
  bucket.products.splice(i, 0, s);
  return s;
};

export type BucketEffect = 'applied' | 'already' | 'other-currency';

/**
 * Applies one fact to a bucket (in place). Only facts that count go to buckets: a ProductViewed, or the order
 * lifecycle fact its order view counts (applyToOrder: the first of its kind per order, so a republished event under
 * a new id does not count the order twice). Idempotent by itself: a fact whose id the bucket keeps is skipped, so a
 * fact may be applied again after a crash, as long as fewer than BUCKET_APPLIED_KEPT other facts were applied to the
 * bucket in between (a redelivery or the rollup comes within seconds; the limit is stated in analytics.service.ts).
 */
export function applyToBucket(bucket: Bucket, fact: Fact, currency: string): BucketEffect {
  if (bucket.applied.includes(fact._id)) return 'already';
  remember(bucket.applied, fact._id, BUCKET_APPLIED_KEPT);
  bucket.facts += 1;
  let effect: BucketEffect = 'applied';
  if (fact.kind === 'ProductViewed') {
    bucket.product_views += 1;
    if (fact.product_id) statsOf(bucket, fact.product_id).views += 1;
  } else if (fact.kind === 'OrderPlaced') bucket.orders_placed += 1;
  else if (fact.kind === 'OrderCancelled') bucket.orders_cancelled += 1;
  else if (fact.kind === 'OrderConfirmed') {
    bucket.orders_confirmed += 1;
    if (fact.currency !== currency) {
      bucket.other_currency_orders += 1;
      effect = 'other-currency';
    } else {
      bucket.sales_orders += 1;
      bucket.sales_revenue_minor += fact.total_minor ?? 0;
      const inOrder = new Set<string>();
      for (const line of fact.items ?? []) {
        const s = statsOf(bucket, line.product_id);
        s.units += line.quantity;
        s.revenue_minor += line.quantity * line.unit_price_minor;
        if (!inOrder.has(line.product_id)) s.orders += 1;
        inOrder.add(line.product_id);
      }
    }
  }
  return effect;
}

const sortProducts = (all: Iterable<ProductStats>) =>
  [...all].sort((a, b) => (a.product_id < b.product_id ? -1 : a.product_id > b.product_id ? 1 : 0));

/** Adds buckets' product stats up (a report range from its hours). */
export function mergeProducts(buckets: readonly Pick<Bucket, 'products'>[]): ProductStats[] {
  const merged = new Map<string, ProductStats>();
  for (const b of buckets) {
    for (const p of b.products) {
      const m = merged.get(p.product_id);
      if (!m) merged.set(p.product_id, { ...p });
      else {
        m.units += p.units;
        m.revenue_minor += p.revenue_minor;
        m.orders += p.orders;
        m.views += p.views;
      }
    }
  }
  return sortProducts(merged.values());
}

/**
 * An order's current status: the status fact with the latest occurred_at, ties broken by lifecycle order. Every
 * field is a commutative merge of its facts (a max, a min, first-of-kind), so the order facts are applied in does
 * not change the status.
 */
export interface OrderView {
  _id: string;
  status: OrderStatus;
  status_at: Date;
  /** When it was placed (its OrderPlaced; its earliest status fact until that has arrived): the report range key. */
  placed_at: Date;
  /** The earliest OrderPlaced and the earliest status fact (placed_at is the first, else the second). */
  placed_event_at: Date | null;
  first_at: Date;
  /** Per counted kind, the one fact the buckets count for this order (the first applied). */
  counted: Partial<Record<CountedKind, string>>;
  /** The ids of the facts applied to it (an order only ever gets a handful). */
  applied: string[];
  updated_at: Date;
}

const RANK: Record<OrderStatus, number> = { PENDING: 0, CONFIRMED: 1, CANCELLED: 1, SHIPPED: 2, DELIVERED: 3 };

/** Whether status `b` at `bAt` supersedes status `a` at `aAt`. */
const later = (a: OrderStatus, aAt: Date, b: OrderStatus, bAt: Date) => {
  const dt = bAt.getTime() - aAt.getTime();
  return dt > 0 || (dt === 0 && RANK[b] > RANK[a]);
};
const minDate = (a: Date, b: Date) => (b.getTime() < a.getTime() ? b : a);

export interface OrderEffect {
  view: OrderView;
  changed: boolean;
  /** Whether the buckets count this fact (it is the order's counted fact of its kind): also true when applied again. */
  counts: boolean;
}

/** Applies a status fact (one with order_id and status) to its order's view; idempotent by the applied ids. */
export function applyToOrder(current: OrderView | undefined, fact: Fact, now: Date): OrderEffect {
  if (!fact.status || !fact.order_id) throw new Error(`fact ${fact._id} has no order status`);
  const counts = (v: OrderView) => isCounted(fact.kind) && v.counted[fact.kind] === fact._id;
  if (current?.applied.includes(fact._id)) return { view: current, changed: false, counts: counts(current) };
  const at = fact.occurred_at;
  const placedEvent = fact.kind === 'OrderPlaced' ? at : null;
  const view: OrderView = current
    ? structuredClone(current)
    : {
        _id: fact.order_id,
        status: fact.status,
        status_at: at,
        placed_at: at,
        placed_event_at: placedEvent,
        first_at: at,
        counted: {},
        applied: [],
        updated_at: now,
      };
  if (later(view.status, view.status_at, fact.status, at)) {
    view.status = fact.status;
    view.status_at = at;
  }
  view.first_at = minDate(view.first_at, at);
  if (placedEvent) view.placed_event_at = view.placed_event_at ? minDate(view.placed_event_at, placedEvent) : placedEvent;
  view.placed_at = view.placed_event_at ?? view.first_at;
  if (isCounted(fact.kind) && view.counted[fact.kind] === undefined) view.counted[fact.kind] = fact._id;
  remember(view.applied, fact._id, ORDER_APPLIED_KEPT);
  view.updated_at = now;
  return { view, changed: true, counts: counts(view) };
}
