import { STATUS_CODES } from 'node:http';
import { z } from 'zod';
import { PROBLEM_JSON, ProblemDetails } from './common.ts';
import { eventCatalog } from './events.ts';
import { JSON_SCHEMA_DIALECT, apiSchemas, inlineSchema, registryToSchemas, sortKeys } from './registry.ts';
import type { JsonSchema } from './registry.ts';
import { routes } from './routes.ts';
import type { RouteResponse, RouteSpec } from './routes.ts';

/** Version of the published API contract (info.version); bump it when the documents change meaning. */
export const API_VERSION = '0.1.0';

const COMPONENTS = '#/components/schemas/';
const METHOD_ORDER = ['GET', 'PUT', 'POST', 'PATCH', 'DELETE'];

function ref(schema: z.ZodType, where: string): { $ref: string } {
  const id = apiSchemas.get(schema)?.id;
  // Inlining would hand other stacks anonymous types; a named component gives them a stable class name.
  if (!id) throw new Error(`${where}: schema is not registered; add .register(apiSchemas, { id: 'Name' })`);
  return { $ref: `${COMPONENTS}${id}` };
}

function parameters(object: z.ZodObject | undefined, location: 'path' | 'query') {
  if (!object) return [];
  return Object.entries(object.shape as Record<string, z.ZodType>).map(([name, field]) => ({
    name,
    in: location,
    // A field that accepts "absent" (optional or defaulted) is an optional parameter.
    required: location === 'path' || !field.safeParse(undefined).success,
    schema: inlineSchema(field),
  }));
}

function response(status: number, spec: RouteResponse, where: string) {
  const description = spec.description ?? STATUS_CODES[status] ?? `HTTP ${status}`;
  if (!spec.schema) return { description };
  const contentType = spec.contentType ?? (spec.schema === ProblemDetails ? PROBLEM_JSON : 'application/json');
  return { description, content: { [contentType]: { schema: ref(spec.schema, `${where} response ${status}`) } } };
}

function operationIdFor(route: RouteSpec): string {
  const words = route.path
    .split('/')
    .filter(Boolean)
    .map((part) => (part.startsWith('{') ? `by-${part.slice(1, -1)}` : part))
    .flatMap((part) => part.split(/[^A-Za-z0-9]+/))
    .filter(Boolean);
  return [route.method.toLowerCase(), ...words.map((w) => w[0]!.toUpperCase() + w.slice(1))].join('');
}

function operation(route: RouteSpec) {
  const where = `${route.method} ${route.path}`;
  const params = [...parameters(route.params, 'path'), ...parameters(route.query, 'query')];
  const responses = Object.fromEntries(
    Object.entries(route.responses).map(([status, spec]) => [status, response(Number(status), spec, where)]),
  );
  return {
    operationId: route.operationId ?? operationIdFor(route),
    summary: route.summary,
    ...(route.tags ? { tags: route.tags } : {}),
    ...(route.security ? { security: [{ bearerAuth: [route.security] }] } : {}),
    ...(params.length ? { parameters: params } : {}),
    ...(route.body
      ? { requestBody: { required: true, content: { 'application/json': { schema: ref(route.body, `${where} body`) } } } }
      : {}),
    responses,
  };
}

export function buildOpenApiDocument(routeTable: readonly RouteSpec[] = routes) {
  const paths: Record<string, Record<string, unknown>> = {};
  const ordered = [...routeTable].sort((a, b) => METHOD_ORDER.indexOf(a.method) - METHOD_ORDER.indexOf(b.method));
  for (const route of ordered) {
    const item = (paths[route.path] ??= {});
    const method = route.method.toLowerCase();
    if (item[method]) throw new Error(`duplicate route ${route.method} ${route.path}`);
    item[method] = operation(route);
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'GlobalMart API',
      version: API_VERSION,
      description:
        'Public /api routes are served by the gateway; the others are internal service APIs (each tagged with the app ' +
        'that answers it, reached through Dapr service invocation). Every /api route may also answer 429 RATE_LIMITED ' +
        '(the per-client budget, with Retry-After and RateLimit headers) and 502 UPSTREAM.FAILED when a service behind ' +
        "it fails (its 5xx is not passed through; the 503s listed on a public route are the gateway's own).",
    },
    paths: sortKeys(paths),
    components: {
      schemas: registryToSchemas(apiSchemas, COMPONENTS),
      securitySchemes: {
        // OpenAPI 3.1 lets a non-OAuth scheme list required roles: the JWT's role claim.
        bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
      },
    },
  };
}

/** One JSON Schema document for other stacks: validate a CloudEvent's data against $defs[event.type]. */
export function buildEventsJsonSchema(): JsonSchema {
  const registry = z.registry<{ id: string; title: string; description: string }>();
  for (const [type, spec] of Object.entries(eventCatalog)) {
    registry.add(spec.schema, { id: type, title: spec.name, description: `${spec.description} Topic: ${spec.topic}.` });
  }
  return {
    $schema: JSON_SCHEMA_DIALECT,
    title: 'GlobalMart events',
    description: 'The `data` of each GlobalMart CloudEvent, keyed by the CloudEvent `type`.',
    $defs: registryToSchemas(registry, '#/$defs/'),
  };
}

export function renderJson(document: unknown): string {
  return `${JSON.stringify(document, null, 2)}\n`;
}
