// Recommendations (app-id `recommendations`): the first engine of the platform, and the first candidate to be rewritten
// in another language. Everything a twin needs is here: its one query, its answer, and the events it learns from
// (OrderConfirmed, ProductViewed, ProductUpdated — declared by their producers).
import { z } from 'zod';
import { PROBLEM_JSON, ProblemDetails, queryInt } from './common.ts';
import { ProductId } from './products.ts';
import { apiSchemas } from './registry.ts';
import type { RouteResponse, RouteSpec } from './routes.ts';

export const RecommendationsQuery = z.object({
  product_id: ProductId.optional(),
  user_id: z.string().min(1).max(64).optional(),
  limit: queryInt('limit', 1, 50, 6),
});
export type RecommendationsQuery = z.infer<typeof RecommendationsQuery>;

/** Why an item is recommended: bought together with the product, similar to it (or to what the user viewed), or popular. */
export const RecommendationReason = z.enum(['co-purchase', 'similar', 'popular']);
export type RecommendationReason = z.infer<typeof RecommendationReason>;

export const Recommendation = z.object({
  product_id: ProductId,
  /** Higher is better; comparable only within one answer. */
  score: z.number().min(0),
  reason: RecommendationReason,
});
export type Recommendation = z.infer<typeof Recommendation>;

export const RecommendationsResponse = z
  .object({
    items: z.array(Recommendation),
    /** The engine that answered, e.g. `globalmart-ts/1`: a twin in another language names itself. */
    engine: z.string(),
  })
  .register(apiSchemas, {
    id: 'RecommendationsResponse',
    description: 'Never contains the product asked about; at most `limit` items, best first, no duplicates.',
  });
export type RecommendationsResponse = z.infer<typeof RecommendationsResponse>;

const problem: RouteResponse = { schema: ProblemDetails, contentType: PROBLEM_JSON };

export const recommendationsRoutes: RouteSpec[] = [
  {
    method: 'GET',
    path: '/recommendations',
    summary: 'Co-purchase, content similarity and popularity, best first (recommendations, internal)',
    tags: ['recommendations'],
    query: RecommendationsQuery,
    responses: { 200: { schema: RecommendationsResponse }, 400: problem },
  },
];
