import { analyticsRoutes } from './analytics.ts';
import { cartGatewayRoutes, cartRoutes } from './cart.ts';
import { identityRoutes } from './identity.ts';
import { inventoryRoutes } from './inventory.ts';
import { ordersGatewayRoutes, ordersRoutes } from './orders.ts';
import { notificationsRoutes } from './notifications.ts';
import { opsRoutes } from './ops.ts';
import { paymentsRoutes } from './payments.ts';
import { platformRoutes } from './platform.ts';
import { recommendationsRoutes } from './recommendations.ts';
import { shippingRoutes } from './shipping.ts';
import type { z } from 'zod';
import { PROBLEM_JSON, ProblemDetails } from './common.ts';
import {
  Product,
  ProductCreate,
  ProductDetail,
  ProductIdParams,
  ProductListQuery,
  ProductListResponse,
  ProductReplace,
  StockPatch,
} from './products.ts';

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
const keyReused: RouteResponse = {
  ...invalidRequest,
  description: 'CATALOG.IDEMPOTENCY_KEY_REUSED: the Idempotency-Key already created another product',
};

/**
 * Every HTTP route of the platform. Add a route by appending an entry; `npm run generate` turns the table
 * into generated/openapi.json and the contracts test fails until it has been rerun.
 */
const productRoutes: RouteSpec[] = [
  {
    method: 'GET',
    path: '/api/products',
    summary: 'List products, filtered by category or text, one page at a time, or a batch by id (`ids=`)',
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
  {
    method: 'GET',
    path: '/api/products/{id}',
    summary: 'One product with the units available now (weak ETag; If-None-Match answers 304)',
    tags: ['gateway'],
    params: ProductIdParams,
    responses: { 200: { schema: ProductDetail }, 304: {}, 400: invalidRequest, 404: invalidRequest },
  },
  {
    method: 'GET',
    path: '/products/{id}',
    summary: 'One product (catalog, internal)',
    tags: ['catalog'],
    params: ProductIdParams,
    responses: { 200: { schema: Product }, 400: invalidRequest, 404: invalidRequest },
  },
  {
    method: 'POST',
    path: '/api/admin/products',
    summary: 'Create a product; a repeat with the same Idempotency-Key answers the product it created',
    tags: ['gateway'],
    body: ProductCreate,
    security: 'admin',
    responses: { 201: { schema: Product }, 400: invalidRequest, 401: invalidRequest, 403: invalidRequest, 422: keyReused },
  },
  {
    method: 'PUT',
    path: '/api/admin/products/{id}',
    summary: 'Replace a product',
    tags: ['gateway'],
    params: ProductIdParams,
    body: ProductReplace,
    security: 'admin',
    responses: { 200: { schema: Product }, 400: invalidRequest, 401: invalidRequest, 403: invalidRequest, 404: invalidRequest },
  },
  {
    method: 'PATCH',
    path: '/api/admin/products/{id}',
    summary: 'Set the units available (seed 004)',
    tags: ['gateway'],
    params: ProductIdParams,
    body: StockPatch,
    security: 'admin',
    responses: { 200: { schema: ProductDetail }, 400: invalidRequest, 401: invalidRequest, 403: invalidRequest, 404: invalidRequest },
  },
  {
    method: 'POST',
    path: '/products',
    summary: 'Create a product; a repeat with the same Idempotency-Key answers the product it created (catalog, internal; admin)',
    tags: ['catalog'],
    body: ProductCreate,
    security: 'admin',
    responses: { 201: { schema: Product }, 400: invalidRequest, 401: invalidRequest, 403: invalidRequest, 422: keyReused },
  },
  {
    method: 'PUT',
    path: '/products/{id}',
    summary: 'Replace a product (catalog, internal; admin)',
    tags: ['catalog'],
    params: ProductIdParams,
    body: ProductReplace,
    security: 'admin',
    responses: { 200: { schema: Product }, 400: invalidRequest, 401: invalidRequest, 403: invalidRequest, 404: invalidRequest },
  },
];

/** Every HTTP route of the platform, per bounded context. */
export const routes: RouteSpec[] = [
  ...productRoutes,
  ...identityRoutes,
  ...inventoryRoutes,
  ...cartRoutes,
  ...cartGatewayRoutes,
  ...ordersRoutes,
  ...ordersGatewayRoutes,
  ...paymentsRoutes,
  ...shippingRoutes,
  ...notificationsRoutes,
  ...recommendationsRoutes,
  ...analyticsRoutes,
  ...platformRoutes,
  ...opsRoutes,
];
