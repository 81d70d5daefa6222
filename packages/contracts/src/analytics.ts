// Analytics (app-id `analytics`): reporting read models fed by every topic; admin reports behind the gateway.
import { z } from 'zod';
import { Amount, Currency, IsoDateTime, PROBLEM_JSON, ProblemDetails, queryInt } from './common.ts';
import { ProductId } from './products.ts';
import { apiSchemas } from './registry.ts';
import type { RouteResponse, RouteSpec } from './routes.ts';

const range = {
  /** Inclusive; defaults to 7 days before `to`. */
  from: IsoDateTime.optional(),
  /** Exclusive; defaults to now. */
  to: IsoDateTime.optional(),
};
const checkRange = (q: { from?: string | undefined; to?: string | undefined }) => !q.from || !q.to || Date.parse(q.from) < Date.parse(q.to);
const rangeError = { error: 'from must be before to', path: ['from'] };
const DAY_MS = 86_400_000;
/**
 * A report reads one bucket (or one day of order views) per hour or day of its range, so the range is capped: at most
 * `days` between `from` and `to` (`to` defaults to now). Longer answers 400 naming `from`.
 */
const withinDays = (days: number) => ({
  check: (q: { from?: string | undefined; to?: string | undefined }) =>
    !q.from || (q.to ? Date.parse(q.to) : Date.now()) - Date.parse(q.from) <= days * DAY_MS,
  error: { error: `from must be at most ${days} days before to`, path: ['from'] },
});
const year = withinDays(366);
const month = withinDays(31);

export const SalesReportQuery = z
  .object({ granularity: z.enum(['hour', 'day']).default('hour'), ...range })
  .refine(checkRange, rangeError)
  // Hourly: at most 31 days (744 points); daily: at most a year.
  .refine((q) => (q.granularity === 'day' ? year : month).check(q), {
    error: 'from must be at most 31 days before to for granularity=hour, 366 for granularity=day',
    path: ['from'],
  });
export type SalesReportQuery = z.infer<typeof SalesReportQuery>;

export const SalesBucket = z.object({ start: IsoDateTime, orders: z.int().min(0), revenue: Amount });
export const SalesReport = z
  .object({
    granularity: z.enum(['hour', 'day']),
    from: IsoDateTime,
    to: IsoDateTime,
    currency: Currency,
    /** Only buckets with at least one confirmed order, oldest first. */
    buckets: z.array(SalesBucket),
    totals: z.object({ orders: z.int().min(0), revenue: Amount }),
    /** Orders of the range by their current status (PENDING, CONFIRMED, CANCELLED, SHIPPED, DELIVERED). */
    orders_by_status: z.record(z.string(), z.int().min(0)),
  })
  .register(apiSchemas, { id: 'SalesReport', description: 'Confirmed orders and their revenue per hour or day (UTC).' });
export type SalesReport = z.infer<typeof SalesReport>;

export const TopProductsQuery = z
  .object({ by: z.enum(['units', 'revenue']).default('units'), limit: queryInt('limit', 1, 100, 10), ...range })
  .refine(checkRange, rangeError)
  .refine(month.check, month.error);
export type TopProductsQuery = z.infer<typeof TopProductsQuery>;

export const TopProducts = z
  .object({
    by: z.enum(['units', 'revenue']),
    from: IsoDateTime,
    to: IsoDateTime,
    items: z.array(
      z.object({ product_id: ProductId, units: z.int().min(0), revenue: Amount, orders: z.int().min(0), views: z.int().min(0) }),
    ),
  })
  .register(apiSchemas, { id: 'TopProducts', description: 'Best-selling products of confirmed orders.' });
export type TopProducts = z.infer<typeof TopProducts>;

export const FunnelQuery = z
  .object({ ...range })
  .refine(checkRange, rangeError)
  .refine(month.check, month.error);
export type FunnelQuery = z.infer<typeof FunnelQuery>;

export const Funnel = z
  .object({
    from: IsoDateTime,
    to: IsoDateTime,
    product_views: z.int().min(0),
    orders_placed: z.int().min(0),
    orders_confirmed: z.int().min(0),
    orders_cancelled: z.int().min(0),
    /** orders_placed / product_views, 0 when there were no views. */
    view_to_order: z.number().min(0),
    /** orders_confirmed / orders_placed, 0 when none were placed. */
    order_to_confirmed: z.number().min(0).max(1),
  })
  .register(apiSchemas, { id: 'Funnel', description: 'View-to-order conversion.' });
export type Funnel = z.infer<typeof Funnel>;

const problem: RouteResponse = { schema: ProblemDetails, contentType: PROBLEM_JSON };
const reports = [
  { name: 'sales', query: SalesReportQuery, schema: SalesReport, summary: 'Orders and revenue per hour or day, orders by status' },
  { name: 'top-products', query: TopProductsQuery, schema: TopProducts, summary: 'Top products by units or revenue' },
  { name: 'funnel', query: FunnelQuery, schema: Funnel, summary: 'View-to-order conversion' },
] as const;

export const analyticsRoutes: RouteSpec[] = reports.flatMap((r): RouteSpec[] => [
  {
    method: 'GET',
    path: `/api/admin/reports/${r.name}`,
    summary: `${r.summary} (admin)`,
    tags: ['gateway'],
    security: 'admin',
    query: r.query,
    responses: { 200: { schema: r.schema }, 400: problem, 401: problem, 403: problem },
  },
  {
    method: 'GET',
    path: `/reports/${r.name}`,
    summary: `${r.summary} (analytics, internal; admins only)`,
    tags: ['analytics'],
    query: r.query,
    responses: { 200: { schema: r.schema }, 400: problem, 401: problem, 403: problem },
  },
]);
