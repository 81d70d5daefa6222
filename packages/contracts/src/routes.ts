import type { z } from 'zod';
import { PROBLEM_JSON, ProblemDetails } from './common.ts';
import { ProductListQuery, ProductListResponse } from './products.ts';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export type RouteResponse = {
  /** Must be registered in apiSchemas (it becomes a $ref); omit for an empty body such as 204. */
  schema?: z.ZodType;
  /** Defaults to application/json, or application/problem+json for ProblemDetails. */
  contentType?: string;
  /** Defaults to the HTTP reason phrase. */
  description?: string;
};

export type RouteSpec = {
  method: HttpMethod;
  /** OpenAPI path template, e.g. /api/products/{id}. */
  path: string;
  summary: string;
  /** Which service answers it (gateway for /api/..., the app-id for internal routes). */
  tags?: string[];
  /** Defaults to one derived from method and path, e.g. getApiProducts. */
  operationId?: string;
  params?: z.ZodObject;
  query?: z.ZodObject;
  body?: z.ZodType;
  responses: Record<number, RouteResponse>;
  security?: 'customer' | 'admin';
};

const invalidRequest: RouteResponse = { schema: ProblemDetails, contentType: PROBLEM_JSON };

/**
 * Every HTTP route of the platform. Add a route by appending an entry; `npm run generate` turns the table
 * into generated/openapi.json and the contracts test fails until it has been rerun.
 */
export const routes: RouteSpec[] = [
  {
    method: 'GET',
    path: '/api/products',
    summary: 'List products, filtered by category or text, one page at a time',
    tags: ['gateway'],
    query: ProductListQuery,
    responses: { 200: { schema: ProductListResponse }, 400: invalidRequest },
  },
  {
    method: 'GET',
    path: '/products',
    summary: 'List products (catalog, internal: reached by Dapr service invocation)',
    tags: ['catalog'],
    query: ProductListQuery,
    responses: { 200: { schema: ProductListResponse }, 400: invalidRequest },
  },
];
